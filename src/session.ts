// The library's front door: one Session per server and account. The CLI and the web UI are thin
// faces over this; it owns the transport (one connection pool) and caches discovery.
import { Transport, type Credentials, type TraceEntry } from './transport/http.js';
import { OriginPolicy, isLoopbackHost, parseServerUrl } from './transport/url-policy.js';
import { trustedCas } from './transport/ca.js';
import { discover, readPrincipal, CURRENT_USER_PRINCIPAL, type Principal } from './discovery/discover.js';
import {
  listHome,
  listNames,
  calendarName,
  inHome,
  ownCalendarOf,
  readCalendarAnswer,
  readCalendarExpanded,
  readNamedCalendar,
  readOwnCalendar,
  statePropsFor,
  changePropsFor,
  LISTING_PROPS,
  P,
  type Calendar,
  type HomeListing,
  type NamedCalendar,
} from './discovery/calendars.js';
import { provesStale, type DiscoveryCache } from './discovery/cache.js';
import { quirksFor, quirksOf, type Quirk } from './servers/quirks.js';
import { fingerprint, type ServerId } from './servers/fingerprint.js';
import type { MultiStatusResponse } from './xml/multistatus.js';
import { options, detect, type Capabilities, type ServerOptions } from './discovery/capabilities.js';
import { resourceKey, sameResource } from './discovery/propfind.js';
import { hrefUrl, prop } from './xml/multistatus.js';
import { child, textOf } from './xml/parse.js';
import { NS, qn } from './xml/names.js';
import { ServerRefusedError, UsageError } from './errors.js';
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
  /**
   * Where discovery's result is kept between commands (discovery/cache.ts), keyed by the caller
   * to this origin and user. Without one every Session discovers afresh.
   */
  cache?: DiscoveryCache;
}

/** Methods that change nothing: a command that sent only these may be run again after a stale cache. */
const SAFE = new Set(['GET', 'HEAD', 'OPTIONS', 'PROPFIND', 'REPORT']);

export class Session {
  #principal?: Promise<Principal>;
  #listing?: Promise<HomeListing>;
  #product?: Promise<readonly Quirk[]>;
  /** The product an OPTIONS named in this Session, for the cache. */
  #learned?: ServerId;
  readonly #options = new Map<string, Promise<ServerOptions>>();
  #cache?: DiscoveryCache;
  /** The principal as the cache gave it, while it has not proved stale. */
  #cached?: Principal;
  /** Bumped each time a cached URL proved stale; an operation that saw it run again, once. */
  #staleCount = 0;
  #wrote = false;
  /** Set once the cache proved stale: this Session never reads it again, whatever the disk says. */
  #dropped = false;

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
    let session: Session | undefined;
    const transport = new Transport({
      credentials: o.credentials,
      policy,
      ...(ca ? { ca } : {}),
      ...(o.timeoutMs ? { timeoutMs: o.timeoutMs } : {}),
      onTrace: (t) => {
        if (session) session.#observe(t);
        o.onTrace?.(t);
      },
    });
    session = new Session(transport, url);
    if (o.cache) session.#cache = o.cache;
    return session;
  }

  /**
   * Watches every answer: one on a cached URL that says moved, gone or unauthorised drops the
   * cache (file and memory), so that the next principal() discovers afresh (issue 14).
   */
  #observe(t: TraceEntry): void {
    if (!SAFE.has(t.method)) this.#wrote = true;
    if (!this.#cached || !provesStale(t, this.#cached)) return;
    this.#cached = undefined;
    this.#principal = undefined;
    this.#staleCount++;
    this.#dropped = true;
    void this.#cache?.drop();
  }

  /** Whether a cached URL proved stale while nothing but reads was sent: the command may run once more. */
  get mayRetryAfterStaleCache(): boolean {
    return this.#staleCount > 0 && !this.#wrote;
  }

  /** Runs `op`; if a cached URL proved stale meanwhile, runs it once more on a fresh discovery. */
  async #fresh<T>(op: () => Promise<T>): Promise<T> {
    const before = this.#staleCount;
    try {
      const r = await op();
      if (this.#staleCount === before) return r;
    } catch (e) {
      if (this.#staleCount === before) throw e;
    }
    return op();
  }

  /** Origins beyond --url admitted so far (login records them in the account). */
  get crossHostOrigins(): string[] {
    return this.transport.policy?.crossHostOrigins ?? [];
  }

  principal(): Promise<Principal> {
    return (this.#principal ??= this.#cachedOrDiscovered());
  }

  /** Whether this Session's principal came from the cache (and has not proved stale). */
  get usedCache(): boolean {
    return this.#cached !== undefined;
  }

  async #cachedOrDiscovered(): Promise<Principal> {
    return (await this.#fromCache()) ?? this.#remember(discover(this.transport, this.baseUrl));
  }

  /** The cached principal, when there is a usable one; its URLs are checked like the server's. */
  async #fromCache(): Promise<Principal | undefined> {
    const hit = this.#dropped ? undefined : await this.#cache?.load();
    if (hit) {
      // The cache is a file on disk, not the server's word: its URLs pass the same origin policy
      // as anything the server sends before calshare relies on them.
      try {
        await this.transport.policy?.check(hit.url, 'using your cached principal');
        await this.transport.policy?.check(hit.homeUrl, 'using your cached calendar home');
        this.#cached = hit;
        if (hit.product) this.#productKnown(hit.product, hit.homeUrl);
        return hit;
      } catch {
        this.#dropped = true;
        await this.#cache?.drop();
      }
    }
    return undefined;
  }

  /** A freshly discovered principal, written to the cache once it is in. */
  async #remember(p: Promise<Principal>): Promise<Principal> {
    const found = await p;
    await this.#cache?.save(this.#learned ? { ...found, product: this.#learned } : found);
    return found;
  }

  /**
   * The calendar home's calendars. `lean`: when the product is already known (the discovery cache
   * keeps it), without most of what its quirks call costly (Cyrus computes the sharing state anew
   * for each such property: issue 14); what `calendars` shows is the same. Never an extra request:
   * a cold listing stays discovery plus one PROPFIND.
   */
  calendars(lean = false): Promise<Calendar[]> {
    return this.#listHome(lean).then((l) => l.calendars);
  }

  #listHome(lean = false): Promise<HomeListing> {
    return (this.#listing ??= this.#fresh(async () => {
      const me = await this.principal();
      const known = lean ? this.#cached?.product : undefined;
      if (!known) return listHome(this.transport, me);
      const quirks = quirksFor(known);
      // DAV:resourcetype stays: a calendar shared with the user has no CS:allowed-sharing-modes,
      // the costly-props quirk's other way to tell a calendar.
      return listHome(this.transport, me, statePropsFor(quirks, [P.currentPrivileges, P.resourcetype]), quirks);
    }));
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

  /**
   * The quirks of the product behind --url, from the headers of an OPTIONS (Cyrus names itself only
   * there, not on PROPFIND answers); empty when the server does not answer OPTIONS (then every
   * property is asked for). `at`: the calendar a command names by URL, whose OPTIONS capabilities()
   * then reuses, so a change sends no extra request.
   */
  productQuirks(at: URL = this.baseUrl): Promise<readonly Quirk[]> {
    return (this.#product ??= this.#productAt(at).then((id) => (id ? quirksFor(id) : [])));
  }

  /**
   * Which product answers: from the discovery cache when it knows (a warm `sharees` then sends no
   * OPTIONS: issue 14), else from one OPTIONS, which the cache then keeps.
   */
  async #productAt(at: URL): Promise<ServerId | undefined> {
    const cached = this.#cached ?? (await this.#fromCache());
    if (cached?.product) return cached.product;
    let id: ServerId;
    try {
      id = fingerprint(await this.serverOptions(at)).id;
    } catch (e) {
      // Only a server that answers OPTIONS with a refusal is read without its quirks; a hang, a
      // redirect off the origin or a sign-in failure is the command's failure, as on any request.
      if (e instanceof ServerRefusedError) return undefined;
      throw e;
    }
    this.#learned = id;
    if (cached) await this.#cache?.save({ ...cached, product: id });
    return id;
  }

  /**
   * A calendar by full URL, path, or unique display name; anything else is a usage error listing candidates.
   * `read`: 'state' when the command needs only the sharing state (sharees), 'change' before a change
   * (the state and what capabilities need): a calendar named by URL is then read without what the
   * product's quirks call costly (calendars.ts statePropsFor), after one OPTIONS that names the
   * product. 'listing' (everything, no OPTIONS first) for `capabilities` and the rest.
   */
  resolveCalendar(ref: string, read: 'listing' | 'state' | 'change' = 'listing'): Promise<Calendar> {
    return this.#fresh(() => this.#resolve(ref, read));
  }

  async #resolve(ref: string, read: 'listing' | 'state' | 'change'): Promise<Calendar> {
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
      const one = await this.#calendarByUrl(url, read);
      if (one) return one;
    }
    if (this.#listing) return pick(ref, url, await this.calendars(), this.transport.user);
    // Issue 14: a name costs a listing of names, then one Depth-0 read of the calendar it names
    // with its sharing state, not the whole home with every sharing property.
    const me = await this.principal();
    const names = await listNames(this.transport, me);
    if (!names) return pick(ref, url, await this.calendars(), this.transport.user);
    const hit = pick(ref, url, names.calendars, this.transport.user);
    return (await readNamedCalendar(this.transport, me, hit.url, names.quirks)) ?? pick(ref, url, await this.calendars(), this.transport.user);
  }

  /**
   * A calendar named by URL. With the principal known (or cached) that is one Depth-0 PROPFIND.
   * Cold, the same PROPFIND also asks DAV:current-user-principal (RFC 5397 §3, answered on any
   * resource), so discovery's well-known and root requests are skipped: the principal's own read
   * (home and addresses, which ownership and the owner-is-no-sharee check need) is all that follows.
   * Undefined when the URL is not one of the user's own calendars; the caller lists the home.
   */
  async #calendarByUrl(url: URL, read: 'listing' | 'state' | 'change'): Promise<Calendar | undefined> {
    const quirks = read === 'listing' ? undefined : await this.productQuirks(url);
    const props = !quirks ? LISTING_PROPS : read === 'state' ? statePropsFor(quirks) : changePropsFor(quirks);
    if (!this.#principal) {
      // productQuirks may have read the cache already.
      const hit = this.#cached ?? (await this.#fromCache());
      if (hit) this.#principal = Promise.resolve(hit);
    }
    if (this.#principal) return readOwnCalendar(this.transport, await this.principal(), url, props, quirks);
    // One REPORT where the server expands DAV:current-user-principal (RFC 3253 §3.8)...
    const both = await readCalendarExpanded(this.transport, url, props, quirks);
    if (both) {
      const found = both.principal ? Promise.resolve(both.principal) : readPrincipal(this.transport, both.principalUrl!, this.baseUrl);
      this.#principal ??= this.#remember(found);
      const me = await this.principal();
      return inHome(url, me) ? ownCalendarOf(this.transport, me, both.answer) : undefined;
    }
    // ...else a PROPFIND of the calendar that also asks who the user is, then the principal's own.
    const answer = await readCalendarAnswer(this.transport, url, [CURRENT_USER_PRINCIPAL], props, quirks);
    const href = answer && textOf(child(prop(answer.response, CURRENT_USER_PRINCIPAL), qn(NS.DAV, 'href')));
    if (href) {
      const principalUrl = hrefUrl(href, answer.response.url);
      await this.transport.policy?.check(principalUrl, 'following your principal');
      this.#principal ??= this.#remember(readPrincipal(this.transport, principalUrl, this.baseUrl));
    }
    const me = await this.principal();
    return answer && inHome(url, me) ? ownCalendarOf(this.transport, me, answer) : undefined;
  }

  /** OPTIONS once per calendar: servers may differ per collection, and it is cheap. */
  serverOptions(url: URL): Promise<ServerOptions> {
    // Keyed like servers mean resources: the read-back's href may spell the calendar's URL otherwise.
    const key = `${url.protocol}//${resourceKey(url)}`;
    let p = this.#options.get(key);
    if (!p) {
      p = options(this.transport, url).then((o) => {
        this.#productKnown(fingerprint(o).id, url);
        return o;
      });
      this.#options.set(key, p);
    }
    return p;
  }

  /** What the product's quirks ask of the transport, from the moment the product is known. */
  #productKnown(id: ServerId, at: URL): void {
    const perRequest = quirksOf(quirksFor(id), 'connection-per-request').some((q) => q.on === 'loopback' && isLoopbackHost(at.hostname));
    if (perRequest) this.transport.connectionPerRequest(at.origin);
  }

  async capabilities(cal: Calendar): Promise<Capabilities> {
    return detect(cal, await this.serverOptions(cal.url));
  }

  close(): Promise<void> {
    return this.transport.close();
  }
}

/** The one calendar `ref` names among `all` (by URL, display name, or display name in any case). */
function pick<C extends NamedCalendar>(ref: string, url: URL | undefined, all: C[], user: string): C {
  if (url) {
    const hit = all.find((c) => sameResource(c.url, url));
    if (hit) return hit;
  }
  const byName = all.filter((c) => calendarName(c) === ref);
  const folded = byName.length ? byName : all.filter((c) => calendarName(c).toLowerCase() === ref.toLowerCase());
  if (folded.length === 1) return folded[0]!;
  const list = (cs: C[]) => cs.map((c) => `  ${inertLine(calendarName(c))}  ${c.url.pathname}`).join('\n');
  if (folded.length > 1) {
    throw new UsageError(`"${inertLine(ref)}" matches ${folded.length} calendars:\n${list(folded)}`, 'Name the calendar by its path instead.');
  }
  throw new UsageError(
    `no calendar "${inertLine(ref)}" for ${user}${all.length ? `; there are:\n${list(all)}` : ' (the account has no calendars)'}`,
    'Name a calendar by its display name, path or URL; `calshare calendars` lists them.',
  );
}
