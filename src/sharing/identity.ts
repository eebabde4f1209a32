// From an e-mail address to what the server expects: "mailto:" for the sharing extensions, a
// principal URL for ACLs. Validation happens before any request is built.
import { domainToASCII } from 'node:url';
import { UsageError } from '../errors.js';
import type { Transport } from '../transport/http.js';
import type { Principal } from '../discovery/discover.js';
import { parseResponse, propfindBody, sameResource } from '../discovery/propfind.js';
import { NS, qn, type QName } from '../xml/names.js';
import { children, textOf } from '../xml/parse.js';
import { prop } from '../xml/multistatus.js';
import { decodeSafe, inert } from '../util/inert.js';
import { searchPeople } from '../people/search.js';
// Type only: servers/quirks.ts imports the Cyrus hook, which imports the ACL mechanism.
import type { Quirk } from '../servers/quirks.js';
import { pool } from '../util/pool.js';

export interface Identity {
  /** Normalised address: local part as given, domain lower-cased ASCII. */
  email: string;
  mailto: string;
  /** Principal URL, when the server's layout or a search revealed it. */
  principal: URL | undefined;
  /**
   * Set when this names a group principal (`--group`): the group's name. `email` is then empty and
   * matching goes by `principal` only.
   */
  group?: string;
}

// RFC 5322 §3.2.3 atext, less the characters that cannot stand in a URL path segment as they are
// ("/", "?", "#", "%") because principal URLs are built from the local part on some servers.
const LOCAL = /^[A-Za-z0-9!$&'*+=^_`{|}~-]+(?:\.[A-Za-z0-9!$&'*+=^_`{|}~-]+)*$/;
const LABEL = /^(?!-)[a-z0-9-]{1,63}(?<!-)$/;

/**
 * Validates one address; throws a UsageError that says what is wrong with it. `toAscii` is
 * domainToASCII, or a memo of it when many addresses share a domain.
 */
export function parseEmail(input: string, toAscii: (domain: string) => string = domainToASCII): string {
  const raw = input.trim().replace(/^mailto:/i, '');
  // One line, always: an address holding a line break could otherwise forge a "hint:" line.
  const oneLine = (s: string) => inert(s).replace(/[\n\t]/g, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  const shown = `"${oneLine(input)}"`;
  const fail = (why: string): never => {
    throw new UsageError(`${shown} is not a usable e-mail address: ${why}`, 'Give a plain address such as bob@example.com.');
  };
  if (raw.length === 0) fail('it is empty');
  if (raw.length > 254) fail('it is longer than 254 characters (RFC 5321 §4.5.3.1.3)');
  const at = raw.lastIndexOf('@');
  if (at < 0) fail('it has no "@"');
  const local = raw.slice(0, at);
  const domainIn = raw.slice(at + 1);
  if (local.length === 0 || local.length > 64) fail('the part before "@" must be 1 to 64 characters');
  if (!LOCAL.test(local)) fail('the part before "@" may hold only letters, digits, dots and !$&\'*+=^_`{|}~- (no spaces, quotes, "/" or "%")');
  // The WHATWG host parser behind domainToASCII silently drops tab/CR/LF, decodes %XX and stops at
  // "/", "?", "#" and a backslash, so "exa\nmple.com" or "example.com/../x" would become "example.com":
  // refuse those before it sees them.
  const domain = /[\s\p{Cc}%/?#\\]/u.test(domainIn) ? '' : toAscii(domainIn.toLowerCase());
  if (!domain) fail(`"${oneLine(domainIn)}" is not a valid domain`);
  const labels = domain.split('.');
  if (labels.length < 2 || !labels.every((l) => LABEL.test(l))) fail(`"${oneLine(domainIn)}" is not a valid domain`);
  // The limit applies to what goes on the wire: the punycode form can be much longer than the input.
  if (local.length + 1 + domain.length > 254) fail('it is longer than 254 characters (RFC 5321 §4.5.3.1.3)');
  return `${local}@${domain}`;
}

/** Validates a whole list, reporting every bad address at once, and drops repeats. */
export function parseEmails(inputs: readonly string[]): string[] {
  const errors: string[] = [];
  const seen = new Map<string, string>();
  // 500 addresses mostly share a domain or two: each domain goes through the host parser once.
  const ascii = new Map<string, string>();
  const toAscii = (d: string) => ascii.get(d) ?? ascii.set(d, domainToASCII(d)).get(d)!;
  for (const i of inputs) {
    try {
      const e = parseEmail(i, toAscii);
      seen.set(e.toLowerCase(), e);
    } catch (err) {
      errors.push((err as Error).message);
    }
  }
  if (errors.length === 1) throw new UsageError(errors[0]!, 'Give a plain address such as bob@example.com.');
  if (errors.length) throw new UsageError(`${errors.length} addresses are not usable:\n  ${errors.join('\n  ')}`, 'Give plain addresses such as bob@example.com.');
  return [...seen.values()];
}

/**
 * The server's principal layout, learned from the user's own principal: on many servers (Cyrus,
 * Radicale, sabre/dav's default) a principal URL is a fixed prefix plus the user name, which is the
 * local part of the address the server gives users.
 */
export interface Layout {
  prefix: string;
  suffix: string;
  /** Domains the server's own user addresses use: a local-part mapping is only sound for these. */
  domains: string[];
}

export function learnLayout(me: Principal, user: string): Layout | undefined {
  const mailtos = me.addresses.filter((a) => /^mailto:/i.test(a)).map((a) => a.slice(7).toLowerCase());
  const locals = new Set([user.toLowerCase(), ...mailtos.map((a) => a.split('@')[0]!)]);
  const segs = me.url.pathname.split('/');
  const i = segs.findLastIndex((s) => locals.has(decodeSafe(s).toLowerCase()));
  if (i < 0 || mailtos.length === 0) return undefined;
  return {
    prefix: segs.slice(0, i).join('/') + '/',
    suffix: segs.slice(i + 1).length ? '/' + segs.slice(i + 1).join('/') : '',
    domains: [...new Set(mailtos.map((a) => a.split('@')[1]!))],
  };
}

export function principalFor(layout: Layout, email: string, base: URL): URL {
  const local = email.slice(0, email.lastIndexOf('@'));
  return new URL(layout.prefix + encodeURIComponent(local) + layout.suffix, base);
}

/** The inverse mapping, for showing ACL grants as addresses. */
export function emailFor(layout: Layout | undefined, principal: URL): string | undefined {
  if (!layout || layout.domains.length !== 1) return undefined;
  // Trailing slashes are optional in hrefs (servers differ): compare without them.
  const path = principal.pathname.replace(/\/+$/, '');
  const suffix = layout.suffix.replace(/\/+$/, '');
  if (!path.startsWith(layout.prefix) || !path.endsWith(suffix)) return undefined;
  const local = path.slice(layout.prefix.length, path.length - suffix.length);
  if (!local || local.includes('/')) return undefined;
  try {
    return `${decodeURIComponent(local)}@${layout.domains[0]}`.toLowerCase();
  } catch {
    return undefined;
  }
}

const ADDRESS_SET = qn(NS.CALDAV, 'calendar-user-address-set');

/** As many lookups in flight as the transport keeps connections per server (one each). */
const LOOKUPS_AT_ONCE = 8;


/**
 * Maps addresses to identities, proving each person exists where the server allows it: a PROPFIND
 * of the principal answers 207 or 403 for a user that exists and 404 for one that does not (some
 * servers accept shares to nobody with 2xx, so this is the only honest check). Runs a few at a time.
 */
export async function resolveIdentities(
  t: Transport,
  me: Principal,
  emails: readonly string[],
  quirks?: readonly Quirk[],
  known: ReadonlyMap<string, URL> = new Map(),
): Promise<Identity[]> {
  const search = quirks?.find((q): q is Extract<Quirk, { kind: 'people-by-search' }> => q.kind === 'people-by-search');
  if (search) return resolveBySearch(t, me, emails, search);
  const layout = learnLayout(me, t.user);
  const mine = new Set(me.addresses.map((a) => a.toLowerCase()));
  const unknown: string[] = [];
  const foreign: string[] = [];
  // The same body for every look-up: built once, not once per person.
  const body = propfindBody([ADDRESS_SET]);
  const resolve = async (email: string): Promise<Identity> => {
    const mailto = `mailto:${email}`;
    if (mine.has(mailto.toLowerCase())) throw new UsageError(`${email} is your own address; a calendar is always shared with its owner`);
    if (!layout) return { email, mailto, principal: undefined };
    const domain = email.split('@')[1]!;
    if (!layout.domains.includes(domain)) {
      foreign.push(email);
      return { email, mailto, principal: undefined };
    }
    // Someone the calendar's state already shows by this address and principal was accepted by the
    // server as a principal: no look-up (issue 14: a re-share of 500 people cost 500 PROPFINDs).
    const shown = known.get(email);
    if (shown) return { email, mailto, principal: shown };
    // User names are usually lower-case while people type addresses as they like (Bob@…): when the
    // address as given names nobody, the lower-cased one is tried before giving up.
    const lower = email.toLowerCase();
    for (const candidate of lower === email ? [email] : [email, lower]) {
      const url = principalFor(layout, candidate, me.url);
      if (sameResource(url, me.url)) throw new UsageError(`${email} is you; a calendar is always shared with its owner`);
      const res = await t.send({
        method: 'PROPFIND',
        url,
        headers: { depth: '0' },
        body,
        purpose: `looking up ${email}`,
        accept: [403, 404],
        // One property of one principal: on Cyrus over loopback a pooled connection is ~0.3 ms a
        // check cheaper than a new one (no handshake, no second Basic check) and never stalls.
        smallAnswer: true,
      });
      if (res.status === 404) continue;
      if (res.status === 207) {
        const r = parseResponse(res.body, res.url, url, `looking up ${email}`)[0];
        const addrs = r ? children(prop(r, ADDRESS_SET), qn(NS.DAV, 'href')).map((h) => (textOf(h) ?? '').toLowerCase()) : [];
        if (addrs.length && !addrs.includes(`mailto:${lower}`)) continue;
      }
      return { email: candidate, mailto: `mailto:${candidate}`, principal: url };
    }
    unknown.push(email);
    return { email, mailto, principal: undefined };
  };
  const out = await pool(emails, LOOKUPS_AT_ONCE, resolve);
  if (foreign.length) {
    throw new UsageError(
      `${foreign.join(', ')}: this server's users have addresses @${layout!.domains.join(', @')}; it would give the share to whichever local user has the same name`,
      `Share with the person's address on this server (e.g. ${foreign[0]!.split('@')[0]}@${layout!.domains[0]}).`,
    );
  }
  if (unknown.length) {
    throw new UsageError(
      `no user ${unknown.join(', ')} on this server`,
      'Check the spelling; the person needs an account on this server before a calendar can be shared with them.',
    );
  }
  return out;
}

/**
 * Identities through the server's principal search (people/search.ts), for servers where a principal
 * URL cannot prove that someone exists (quirk 'people-by-search': DAViCal answers 403 to a PROPFIND
 * of any principal URL). A person is the principal holding exactly that address; anyone else is
 * refused here, before any change is sent.
 */
async function resolveBySearch(t: Transport, me: Principal, emails: readonly string[], how: { prop?: QName; mailto?: boolean } = {}): Promise<Identity[]> {
  const mine = new Set(me.addresses.map((a) => a.toLowerCase()));
  for (const email of emails) {
    if (mine.has(`mailto:${email}`.toLowerCase())) throw new UsageError(`${email} is your own address; a calendar is always shared with its owner`);
  }
  const { found, ambiguous } = await searchPeople(t, me.url, emails, how.prop, how.mailto);
  if (ambiguous.size) {
    const [email, urls] = [...ambiguous][0]!;
    throw new UsageError(
      `${email} belongs to ${urls.length} accounts on this server (${urls.map((u) => inert(u.pathname)).join(', ')}); calshare will not guess which one`,
      'Ask the server administrator which account the address should name.',
    );
  }
  const unknown = emails.filter((e) => !found.has(e.toLowerCase()));
  if (unknown.length) {
    throw new UsageError(
      `no user ${unknown.join(', ')} on this server`,
      'Check the spelling; the person needs an account on this server before a calendar can be shared with them.',
    );
  }
  return emails.map((email) => {
    const p = found.get(email.toLowerCase())!;
    if (sameResource(p.principal, me.url)) throw new UsageError(`${email} is you; a calendar is always shared with its owner`);
    return { email, mailto: `mailto:${email}`, principal: p.principal };
  });
}
