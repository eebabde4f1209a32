// Where calshare may send credentials. HTTPS everywhere; plain HTTP only to this machine, where no
// network sits between us and the server (how staging and local test servers run).
import { BlockList, isIP } from 'node:net';
import { lookup as dnsLookup } from 'node:dns/promises';
import { NetworkError, UsageError } from '../errors.js';
import { inertLine } from '../util/inert.js';

// 127.0.0.0/8 (RFC 1122 §3.2.1.3) and ::1 (RFC 4291 §2.5.3). BlockList also matches IPv4-mapped
// IPv6 in any spelling: WHATWG URL turns [::ffff:127.0.0.1] into [::ffff:7f00:1].
const LOOPBACK = new BlockList();
LOOPBACK.addSubnet('127.0.0.0', 8, 'ipv4');
LOOPBACK.addAddress('::1', 'ipv6');

export function isLoopbackAddress(address: string): boolean {
  const a = address.replace(/^\[|\]$/g, '');
  const family = isIP(a);
  return family !== 0 && LOOPBACK.check(a, family === 4 ? 'ipv4' : 'ipv6');
}

/** Syntax only: a loopback address, or a name under RFC 6761 §6.3's "localhost" (whose resolution
 *  the transport still checks before plain http goes there, see resolvesToLoopback). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  return isLoopbackAddress(h);
}

export type Resolver = (host: string) => Promise<readonly string[]>;
const systemResolver: Resolver = async (host) => (await dnsLookup(host, { all: true })).map((a) => a.address);

/** A "localhost" name is loopback only if every address it resolves to is: RFC 6761 §6.3 asks
 *  resolvers for that, but /etc/hosts or a DNS server may say otherwise. */
export async function resolvesToLoopback(hostname: string, resolve: Resolver = systemResolver): Promise<boolean> {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (isIP(h)) return isLoopbackAddress(h);
  if (!isLoopbackHost(h)) return false;
  try {
    const addresses = await resolve(h);
    return addresses.length > 0 && addresses.every(isLoopbackAddress);
  } catch {
    return false;
  }
}

/** Parses and checks a server URL given by the user, before any byte is sent. */
export function parseServerUrl(input: string): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new UsageError(`"${input}" is not a URL`, 'Give the full server address, e.g. --url https://cal.example.com/');
  }
  if (url.username || url.password) {
    throw new UsageError(
      'the URL contains a user name or password',
      'Remove them from the URL; pass --username, and the password through CALSHARE_PASSWORD or calshare login.',
    );
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:') {
    if (isLoopbackHost(url.hostname)) return url;
    throw new UsageError(
      `refusing plain http:// to ${url.host}: your password would cross the network unencrypted`,
      `Use https://${url.host}${url.pathname}. If the server has a private or self-signed certificate, add --ca-file PATH.`,
    );
  }
  throw new UsageError(`unsupported URL scheme "${url.protocol}"`, 'Use an https:// URL.');
}

export type RedirectVerdict = { follow: true } | { follow: false; reason: string };

/**
 * Redirects keep the credentials only when they stay with the same server: the same origin, or the
 * same host moving from http to https. Never to another host, never down to http.
 */
export function judgeRedirect(from: URL, to: URL): RedirectVerdict {
  if (to.protocol !== 'https:' && to.protocol !== 'http:') return { follow: false, reason: `to a ${to.protocol} URL` };
  if (from.protocol === 'https:' && to.protocol === 'http:') return { follow: false, reason: 'from https down to plain http' };
  if (to.hostname !== from.hostname) return { follow: false, reason: `to another host (${to.host})` };
  if (to.origin === from.origin) return { follow: true };
  // The upgrade keeps the host and goes to https's default port or stays on the same port; any
  // other port is another server as far as credentials are concerned.
  if (from.protocol === 'http:' && to.protocol === 'https:' && (to.port === '' || to.port === from.port)) return { follow: true };
  return { follow: false, reason: `to another port (${to.host})` };
}

/** The registrable domain (Public Suffix List "eTLD+1", private suffixes included so that
 *  a.github.io and b.github.io stay apart); undefined for addresses and unknown suffixes. */
export async function registrableDomain(hostname: string): Promise<string | undefined> {
  // Loaded on first use: only a cross-host href needs the list, and start-up stays fast.
  const { parse } = await import('tldts');
  const p = parse(hostname, { allowPrivateDomains: true });
  if (p.isIp || !p.domain || !(p.isIcann || p.isPrivate)) return undefined;
  return p.domain;
}

export interface OriginPolicyOptions {
  /** Origins admitted earlier (the saved account's `origins`); they must still be https. */
  recorded?: readonly string[];
  /** Called once per origin admitted under the registrable-domain rule, for --verbose. */
  onCrossHost?: (origin: string, domain: string, what: string) => void;
  resolve?: Resolver;
}

/**
 * Where one account's requests may go, checked before every request (discovery, listing, sharing,
 * read-back, each redirect hop, OAuth endpoints): https, or plain http to this machine; the origin
 * the user named; and another host only over https within the same registrable domain, which is
 * how iCloud works (caldav.icloud.com hands out a calendar home on pNN-caldav.icloud.com).
 */
export class OriginPolicy {
  readonly #admitted = new Set<string>();
  readonly #crossHost = new Set<string>();
  readonly #loopbackNames = new Map<string, Promise<boolean>>();

  constructor(
    readonly base: URL,
    readonly options: OriginPolicyOptions = {},
  ) {
    this.#admitted.add(base.origin);
    for (const o of options.recorded ?? []) {
      try {
        const u = new URL(o);
        if (u.protocol === 'https:') this.#admitted.add(u.origin);
      } catch {
        // A hand-edited entry that is no URL admits nothing.
      }
    }
  }

  /** Origins beyond the named one that this session admitted by the registrable-domain rule. */
  get crossHostOrigins(): string[] {
    return [...this.#crossHost];
  }

  /** Throws the exit-4 refusal when `url` is not allowed; `what` completes "… while <what>". */
  async check(url: URL, what: string): Promise<void> {
    if (url.protocol !== 'https:' && url.protocol !== 'http:') this.#refuse(url, what, `it is a ${url.protocol} URL`);
    if (url.protocol === 'http:' && !(await this.#loopback(url.hostname))) {
      this.#refuse(url, what, 'it is plain http to another machine, where your password would cross the network unencrypted');
    }
    if (this.#admitted.has(url.origin)) return;
    if (url.hostname === this.base.hostname) {
      this.#refuse(url, what, url.protocol === 'http:' && this.base.protocol === 'https:' ? 'it is a step down from https to plain http' : `it is another port of ${inertLine(this.base.hostname)}`);
    }
    const [theirs, ours] = url.protocol === 'https:' ? await Promise.all([registrableDomain(url.hostname), registrableDomain(this.base.hostname)]) : [];
    if (!theirs || theirs !== ours) this.#refuse(url, what, `it is another server than ${inertLine(this.base.host)}`);
    this.#admitted.add(url.origin);
    this.#crossHost.add(url.origin);
    this.options.onCrossHost?.(url.origin, theirs, what);
  }

  /** An origin the user named (an OAuth endpoint override) or a redirect judgeRedirect followed
   *  (the http to https upgrade); check() still applies the https-or-loopback rule to it. */
  admit(to: URL): void {
    this.#admitted.add(to.origin);
  }

  #loopback(hostname: string): Promise<boolean> {
    let p = this.#loopbackNames.get(hostname);
    if (!p) this.#loopbackNames.set(hostname, (p = resolvesToLoopback(hostname, this.options.resolve)));
    return p;
  }

  #refuse(url: URL, what: string, why: string): never {
    const host = inertLine(url.host);
    throw new NetworkError(
      `refusing to send anything to ${host} while ${what}: ${why}`,
      `calshare talks only to the server you named (${inertLine(this.base.origin)}) and, over https, to hosts of the same registrable domain. If ${host} really is your calendar server, name it: --url https://${host}/`,
      'ORIGIN_REFUSED',
    );
  }
}
