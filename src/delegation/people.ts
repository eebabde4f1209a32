// From an e-mail address to a principal, as the server allows: principal-property-search (RFC 3744
// §9.4) on whichever address property the server lists as searchable (§9.5), filtered exactly,
// because every staged server matches substrings (DAViCal, SOGo, SabreDAV's LIKE). Where no search
// is offered or it finds nobody, the principal layout learned from the user's own principal
// (sharing/identity.ts) is the fallback.
import { decodeSafe } from '../util/inert.js';
import { UsageError } from '../errors.js';
import type { Transport } from '../transport/http.js';
import type { Principal } from '../discovery/discover.js';
import { parseResponse, propfindBody, sameResource } from '../discovery/propfind.js';
import { el, serialize } from '../xml/build.js';
import { NS, clark, qn, type QName } from '../xml/names.js';
import { children, parseXml, textOf, type XmlElement } from '../xml/parse.js';
import { prop, type MultiStatusResponse } from '../xml/multistatus.js';
import { resolveIdentities } from '../sharing/identity.js';

const D = (n: string) => qn(NS.DAV, n);
const SABRE = 'http://sabredav.org/ns';

/** Address properties in the order tried: the CalDAV one, CalendarServer's, SabreDAV's own. */
export const ADDRESS_PROPS: readonly QName[] = [
  qn(NS.CALDAV, 'calendar-user-address-set'), // RFC 6638 §2.4.1
  qn(NS.CS, 'email-address-set'), // CalendarServer extension (SOGo)
  qn(SABRE, 'email-address'), // SabreDAV's principal backend
];

export interface Person {
  email: string;
  principal: URL;
}

/** RFC 3744 §9.5: the searchable properties a principal-search-property-set answer lists. */
export function parseSearchable(body: string): string[] {
  let root: XmlElement;
  try {
    root = parseXml(body);
  } catch {
    return [];
  }
  return children(root, D('principal-search-property')).flatMap((p) =>
    children(p, D('prop')).flatMap((pr) => pr.children.map((c) => clark(c))),
  );
}

/** RFC 3744 §9.4 principal-property-search for one property. */
export function searchBody(on: QName, match: string): string {
  return serialize(
    el(
      D('principal-property-search'),
      el(D('property-search'), el(D('prop'), el(on)), el(D('match'), match)),
      el(D('prop'), ...ADDRESS_PROPS.map((q) => el(q)), el(D('displayname'))),
    ),
  );
}

const bare = (v: string) => v.trim().replace(/^mailto:/i, '').toLowerCase();

/** The addresses a response shows for a principal, from any of the address properties it could read. */
export function addressesOf(r: MultiStatusResponse): string[] | undefined {
  const found: string[] = [];
  let readable = false;
  for (const q of ADDRESS_PROPS) {
    const p = prop(r, q);
    if (!p) continue;
    readable = true;
    const hrefs = children(p, D('href'));
    const cs = children(p, qn(NS.CS, 'email-address'));
    if (hrefs.length || cs.length) found.push(...[...hrefs, ...cs].flatMap((h) => textOf(h) || []));
    else if (textOf(p)) found.push(textOf(p)!);
  }
  return readable ? found.map(bare) : undefined;
}

/**
 * Which search results are the person: exactly the address (never a substring hit such as
 * "xbob@…" for "bob@…"). A result whose addresses were not readable to us counts only when its last
 * path segment is the address's local part (the layout every staged server uses).
 */
export function exactMatches(results: readonly MultiStatusResponse[], email: string): URL[] {
  const want = email.toLowerCase();
  const local = want.slice(0, want.lastIndexOf('@'));
  const out: URL[] = [];
  for (const r of results) {
    const addrs = addressesOf(r);
    const seg = decodeSafe(r.url.pathname.replace(/\/+$/, '').split('/').pop() ?? '').toLowerCase();
    const hit = addrs && addrs.length ? addrs.includes(want) : seg === local;
    if (hit && !out.some((u) => sameResource(u, r.url))) out.push(r.url);
  }
  return out;
}

export interface Directory {
  searchable: string[];
  collection: URL;
}

async function directory(t: Transport, me: Principal): Promise<Directory> {
  const pcs = D('principal-collection-set');
  // Without a principal-collection-set (RFC 3744 §5.8), the principal's parent collection.
  let collection = new URL(me.url.href.endsWith('/') ? '..' : '.', me.url);
  const r = await t.send({ method: 'PROPFIND', url: me.url, headers: { depth: '0' }, body: propfindBody([pcs]), purpose: 'finding the principal directory', accept: [403, 404] });
  if (r.status === 207) {
    const first = parseResponse(r.body, r.url, me.url, 'finding the principal directory')[0];
    const href = first && textOf(children(prop(first, pcs), D('href'))[0]);
    if (href) collection = new URL(href, r.url);
  }
  const s = await t.send({
    method: 'REPORT',
    url: collection,
    headers: { depth: '0' },
    body: serialize(el(D('principal-search-property-set'))),
    purpose: 'asking which principal properties can be searched',
    accept: [400, 403, 404, 405, 415, 422, 500, 501],
  });
  return { collection, searchable: s.status === 200 || s.status === 207 ? parseSearchable(s.body) : [] };
}

async function search(t: Transport, dir: Directory, email: string): Promise<URL[] | undefined> {
  const usable = ADDRESS_PROPS.filter((q) => dir.searchable.includes(clark(q)));
  for (const on of usable) {
    const r = await t.send({
      method: 'REPORT',
      url: dir.collection,
      headers: { depth: '0' },
      body: searchBody(on, email),
      purpose: `looking up ${email}`,
      accept: [400, 403, 404, 405, 415, 422, 500, 501],
    });
    if (r.status !== 207) continue;
    const hits = exactMatches(parseResponse(r.body, r.url, dir.collection, `looking up ${email}`), email);
    if (hits.length) return hits;
  }
  return undefined;
}

/** Addresses (already validated) to principals; every unknown or ambiguous one is reported at once. */
export async function findPeople(t: Transport, me: Principal, emails: readonly string[]): Promise<Person[]> {
  const mine = new Set(me.addresses.map(bare));
  for (const e of emails) {
    if (mine.has(e.toLowerCase())) throw new UsageError(`${e} is your own address; you always have access to your own calendars`);
  }
  const dir = await directory(t, me);
  const out: Person[] = [];
  const fallback: string[] = [];
  const ambiguous: string[] = [];
  for (const email of emails) {
    const hits = await search(t, dir, email);
    if (!hits) fallback.push(email);
    else if (hits.length > 1) ambiguous.push(`${email} (${hits.map((u) => u.pathname).join(', ')})`);
    else if (sameResource(hits[0]!, me.url)) throw new UsageError(`${email} is you; you always have access to your own calendars`);
    else out.push({ email, principal: hits[0]! });
  }
  if (ambiguous.length) {
    throw new UsageError(`more than one account has the address ${ambiguous.join('; ')}`, "Ask the server's administrator which account is the person's.");
  }
  if (fallback.length) {
    // No search here, or it found nobody: the principal layout, with its existence check.
    const ids = await resolveIdentities(t, me, fallback);
    for (const id of ids) {
      if (!id.principal) throw new UsageError(`could not find ${id.email} on this server`, 'Check the spelling; the person needs an account on this server.');
      out.push({ email: id.email, principal: id.principal });
    }
  }
  return emails.map((e) => out.find((p) => p.email.toLowerCase() === e.toLowerCase())!);
}

/** Best-effort address of a member principal, for listings: readable address set, else undefined. */
export async function addressOf(t: Transport, principal: URL): Promise<{ email?: string; name?: string }> {
  const res = await t.send({
    method: 'PROPFIND',
    url: principal,
    headers: { depth: '0' },
    body: propfindBody([...ADDRESS_PROPS, D('displayname')]),
    purpose: `reading ${principal.pathname}`,
    accept: [401, 403, 404, 500, 501],
  });
  if (res.status !== 207) return {};
  const r = parseResponse(res.body, res.url, principal, `reading ${principal.pathname}`)[0];
  if (!r) return {};
  const email = addressesOf(r)?.find((a) => a.includes('@') && !a.startsWith('/'));
  const name = textOf(prop(r, D('displayname'))) || undefined;
  return { ...(email ? { email } : {}), ...(name ? { name } : {}) };
}
