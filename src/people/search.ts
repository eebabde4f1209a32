// People by e-mail address through the server's principal search: a principal-property-search
// REPORT (RFC 3744 §9.4) on C:calendar-user-address-set (RFC 6638 §2.4.1), applied to the
// principal collections (§9.4 DAV:apply-to-principal-collection-set) so no extra discovery request
// is needed. One REPORT per address, a few in flight at once (the builder has no attributes, so no
// test="anyof" batching; per address also keeps one odd answer from spoiling the others).
//
// The match rule is the server's: RFC 3744 §9.4 leaves it open, and servers match substrings
// (DAViCal 1.1.12: "ob@example.test" finds bob, "example.test" finds everyone) or answer every
// principal for a property they do not search. So the answer is only a candidate list: a person is
// the principal whose calendar-user-address-set holds exactly that mailto: (case-insensitively),
// never "the first response".
//
// Pure request building and response reading, plus one async function that sends; a server
// helper (sogo, nextcloud) can reuse searchBody/exactMatches with its own property.
import type { Transport } from '../transport/http.js';
import { el, serialize } from '../xml/build.js';
import { NS, clark, qn, type QName } from '../xml/names.js';
import { parseResponse, resourceKey } from '../discovery/propfind.js';
import { prop, type MultiStatusResponse } from '../xml/multistatus.js';
import { children, textOf } from '../xml/parse.js';
import { pool } from '../util/pool.js';

const D = (n: string) => qn(NS.DAV, n);
export const ADDRESS_SET = qn(NS.CALDAV, 'calendar-user-address-set');
const DISPLAYNAME = D('displayname');

/** Searches in flight at once: as many as the transport keeps connections per server. */
export const SEARCHES_AT_ONCE = 8;

/**
 * The REPORT body for one search (RFC 3744 §9.4): `match` ("mailto:bob@example.test", or a principal
 * path) against `searched`, which comes back with displayname, for messages.
 */
export function searchBody(match: string, searched: QName = ADDRESS_SET): string {
  // The address set comes back too, whatever is searched: it is what exactMatches() trusts.
  const back = clark(searched) === clark(ADDRESS_SET) ? [searched] : [searched, ADDRESS_SET];
  return serialize(
    el(
      D('principal-property-search'),
      el(D('property-search'), el(D('prop'), el(searched)), el(D('match'), match)),
      el(D('prop'), el(DISPLAYNAME), ...back.map((p) => el(p))),
      el(D('apply-to-principal-collection-set')),
    ),
  );
}

export interface Person {
  /** The address as found on the server (lower-cased). */
  email: string;
  principal: URL;
  name: string | undefined;
}

/** The mailto: addresses a search response claims, lower-cased, without "mailto:". */
export function addressesOf(r: MultiStatusResponse, searched: QName = ADDRESS_SET): string[] {
  const hrefs = [ADDRESS_SET, ...(clark(searched) === clark(ADDRESS_SET) ? [] : [searched])].flatMap((q) => children(prop(r, q), D('href')));
  const fromHrefs = hrefs
    .map((h) => (textOf(h) ?? '').trim())
    .filter((h) => /^mailto:/i.test(h))
    .map((h) => h.slice(7).toLowerCase());
  // A searched property holding the bare address as text (sabre's {http://sabredav.org/ns}email-address).
  const own = prop(r, searched);
  const text = own && own.children.length === 0 ? [(textOf(own) ?? '').trim().toLowerCase()].filter((a) => a.includes('@')) : [];
  return [...new Set([...fromHrefs, ...text])];
}

export interface SearchResult {
  found: Map<string, Person>;
  /** Addresses more than one principal claims exactly: calshare will not guess between them. */
  ambiguous: Map<string, URL[]>;
}

/**
 * From the search's candidates to people: for each wanted address (compared lower-cased), the one
 * principal whose address set holds it exactly. Substring hits and principals without the address
 * are dropped; two principals with the same address make it ambiguous.
 */
export function exactMatches(responses: readonly MultiStatusResponse[], emails: readonly string[], searched: QName = ADDRESS_SET): SearchResult {
  const wanted = new Set(emails.map((e) => e.toLowerCase()));
  const hits = new Map<string, Map<string, Person>>();
  for (const r of responses) {
    for (const a of addressesOf(r, searched)) {
      if (!wanted.has(a)) continue;
      const byUrl = hits.get(a) ?? new Map<string, Person>();
      byUrl.set(r.url.href.replace(/\/+$/, ''), { email: a, principal: r.url, name: textOf(prop(r, DISPLAYNAME)) || undefined });
      hits.set(a, byUrl);
    }
  }
  const found = new Map<string, Person>();
  const ambiguous = new Map<string, URL[]>();
  for (const [a, byUrl] of hits) {
    const people = [...byUrl.values()];
    if (people.length === 1) found.set(a, people[0]!);
    else ambiguous.set(a, people.map((p) => p.principal));
  }
  return { found, ambiguous };
}

/** A principal URL as a map key: scheme, host and decoded path, trailing slash optional (as servers mean it). */
export const principalKey = (u: URL): string => `${u.protocol}//${resourceKey(u)}`;

/**
 * The other way round: each principal's e-mail address, by a search on its own URL (DAViCal reduces
 * /caldav.php/NAME/ to NAME and matches that substring), kept only from the response for exactly
 * that principal. Principals the search does not return, or that have no mailto:, are absent.
 */
export async function searchPrincipals(t: Transport, at: URL, principals: readonly URL[], searched: QName = ADDRESS_SET): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  await pool(principals, SEARCHES_AT_ONCE, async (p) => {
    const purpose = `looking up who ${p.pathname} is`;
    const res = await t.send({
      method: 'REPORT',
      url: at,
      headers: { depth: '0', 'content-type': 'application/xml; charset=utf-8' },
      body: searchBody(p.pathname, searched),
      purpose,
    });
    const self = parseResponse(res.body, res.url, at, purpose).find((r) => principalKey(r.url) === principalKey(p));
    const address = self && addressesOf(self, searched)[0];
    if (address) out.set(principalKey(p), address);
  });
  return out;
}


/**
 * Looks the addresses up on the server, starting from `at` (the user's own principal: a resource
 * whose DAV:principal-collection-set names the principal collections). Addresses nobody holds
 * exactly are absent from `found`.
 */
export async function searchPeople(t: Transport, at: URL, emails: readonly string[], searched: QName = ADDRESS_SET, mailto = true): Promise<SearchResult> {
  const answers = await pool(emails, SEARCHES_AT_ONCE, async (email) => {
    const purpose = `looking up ${email}`;
    // Depth 0: RFC 3744 §9.4 defines the report for Depth 0 only (DAViCal answers 400 to Depth 1).
    const res = await t.send({
      method: 'REPORT',
      url: at,
      headers: { depth: '0', 'content-type': 'application/xml; charset=utf-8' },
      // Nextcloud 31 searches {http://sabredav.org/ns}email-address by the bare address (quirk 'people-by-search').
      body: searchBody(mailto ? `mailto:${email}` : email, searched),
      purpose,
    });
    return parseResponse(res.body, res.url, at, purpose);
  });
  return exactMatches(answers.flat(), emails, searched);
}
