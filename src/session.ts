// The library's front door: one Session per server and account. The CLI and the web UI are thin
// faces over this; it owns the transport (one connection pool) and caches discovery.
import { Transport, type Credentials, type TraceEntry } from './transport/http.js';
import { OriginPolicy, parseServerUrl } from './transport/url-policy.js';
import { trustedCas } from './transport/ca.js';
import { discover, type Principal } from './discovery/discover.js';
import { listHome, calendarName, readOwnCalendar, type Calendar, type HomeListing } from './discovery/calendars.js';
import type { MultiStatusResponse } from './xml/multistatus.js';
import { options, detect, type Capabilities, type ServerOptions } from './discovery/capabilities.js';
import { sameResource } from './discovery/propfind.js';
import { hrefUrl } from './xml/multistatus.js';
import { UsageError } from './errors.js';
import { inertLine } from './util/inert.js';

export interface SessionOptions {
  url: string;
  credentials: Credentials;
  caFile?: string;
  timeoutMs?: number;
  onTrace?: (t: TraceEntry) => void;
  /** Other origins the saved account recorded at login (iCloud's partition host). */
  origins?: readonly string[];
  /** One line per host admitted beyond --url under the registrable-domain rule (shown with --verbose). */
  onCrossHost?: (origin: string, domain: string, what: string) => void;
}

export class Session {
  #principal?: Promise<Principal>;
  #listing?: Promise<HomeListing>;
  readonly #options = new Map<string, Promise<ServerOptions>>();

  private constructor(
    readonly transport: Transport,
    readonly baseUrl: URL,
  ) {}

  static async open(o: SessionOptions): Promise<Session> {
    const url = parseServerUrl(o.url);
    const ca = o.caFile ? await trustedCas(o.caFile) : undefined;
    const policy = new OriginPolicy(url, {
      ...(o.origins ? { recorded: o.origins } : {}),
      ...(o.onCrossHost ? { onCrossHost: o.onCrossHost } : {}),
    });
    const transport = new Transport({
      credentials: o.credentials,
      policy,
      ...(ca ? { ca } : {}),
      ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
      ...(o.onTrace ? { onTrace: o.onTrace } : {}),
    });
    return new Session(transport, url);
  }

  /** Origins beyond --url admitted so far (login records them in the account). */
  get crossHostOrigins(): string[] {
    return this.transport.policy?.crossHostOrigins ?? [];
  }

  principal(): Promise<Principal> {
    return (this.#principal ??= discover(this.transport, this.baseUrl));
  }

  calendars(): Promise<Calendar[]> {
    return this.#listHome().then((l) => l.calendars);
  }

  #listHome(): Promise<HomeListing> {
    return (this.#listing ??= this.principal().then((p) => listHome(this.transport, p)));
  }

  /**
   * The calendar home's own answer from the listing, when a listing is cached or under way and the
   * home came in it (one Depth-1 PROPFIND); undefined otherwise, and the caller reads the home itself.
   * Never starts a listing: a command that needs no listing should not pay for one.
   */
  async listedHome(): Promise<MultiStatusResponse | undefined> {
    return this.#listing ? (await this.#listing).home : undefined;
  }

  /** Forget cached listings, after a change. */
  invalidate(): void {
    this.#listing = undefined;
  }

  /** A calendar by full URL, path, or unique display name; anything else is a usage error listing candidates. */
  async resolveCalendar(ref: string): Promise<Calendar> {
    const looksLikePath = ref.startsWith('/') || /^https?:\/\//i.test(ref);
    let url: URL | undefined;
    if (looksLikePath) {
      try {
        // A calendar has no query or fragment: a typed "?" or "#" is part of its name, as in hrefs.
        url = hrefUrl(ref, this.baseUrl);
      } catch {
        throw new UsageError(`"${inertLine(ref)}" is not a valid calendar URL or path`);
      }
      // One Depth-0 read of that calendar, not the whole listing (issue 14); the listing is the
      // fallback that also explains a miss.
      const one = await readOwnCalendar(this.transport, await this.principal(), url);
      if (one) return one;
    }
    const all = await this.calendars();
    if (url) {
      const hit = all.find((c) => sameResource(c.url, url));
      if (hit) return hit;
    }
    const byName = all.filter((c) => calendarName(c) === ref);
    const folded = byName.length ? byName : all.filter((c) => calendarName(c).toLowerCase() === ref.toLowerCase());
    if (folded.length === 1) return folded[0]!;
    const list = (cs: Calendar[]) => cs.map((c) => `  ${inertLine(calendarName(c))}  ${c.url.pathname}`).join('\n');
    if (folded.length > 1) {
      throw new UsageError(`"${inertLine(ref)}" matches ${folded.length} calendars:\n${list(folded)}`, 'Name the calendar by its path instead.');
    }
    throw new UsageError(
      `no calendar "${inertLine(ref)}" for ${this.transport.user}${all.length ? `; there are:\n${list(all)}` : ' (the account has no calendars)'}`,
      'Name a calendar by its display name, path or URL; `calshare calendars` lists them.',
    );
  }

  /** OPTIONS once per calendar: servers may differ per collection, and it is cheap. */
  serverOptions(url: URL): Promise<ServerOptions> {
    const key = url.href;
    let p = this.#options.get(key);
    if (!p) this.#options.set(key, (p = options(this.transport, url)));
    return p;
  }

  async capabilities(cal: Calendar): Promise<Capabilities> {
    return detect(cal, await this.serverOptions(cal.url));
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}
