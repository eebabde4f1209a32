// From "a URL on the server" to the user's principal and calendar home:
// RFC 6764 §5 (/.well-known/caldav), RFC 5397 (DAV:current-user-principal), RFC 4791 §6.2.1
// (C:calendar-home-set). Two or three requests, all on the transport's kept-alive pool.
import type { Transport } from '../transport/http.js';
import { NS, qn } from '../xml/names.js';
import { child, children, textOf } from '../xml/parse.js';
import { hrefUrl, prop } from '../xml/multistatus.js';
import { propfind, selfResponse } from './propfind.js';
import { ServerRefusedError, UnsupportedError, NetworkError } from '../errors.js';
import type { ServerId } from '../servers/fingerprint.js';

export interface Principal {
  url: URL;
  homeUrl: URL;
  displayName: string | undefined;
  /** C:calendar-user-address-set hrefs (RFC 6638 §2.4.1), e.g. "mailto:alice@example.test". */
  addresses: string[];
  /**
   * The product behind the account's origin (servers/fingerprint.ts), when an OPTIONS named it;
   * kept in the discovery cache so a warm `sharees` needs no OPTIONS to know its quirks.
   */
  product?: ServerId;
}

export const CURRENT_USER_PRINCIPAL = qn(NS.DAV, 'current-user-principal');

async function findPrincipal(t: Transport, at: URL): Promise<URL | undefined> {
  let result;
  try {
    result = await propfind(t, at, [CURRENT_USER_PRINCIPAL], '0', 'looking up your principal');
  } catch (e) {
    // A missing or non-DAV well-known path is normal (RFC 6764 §5 is optional); try elsewhere.
    // A 5xx is the server failing, not a missing path: it stays exit 5, never "unsupported".
    if ((e instanceof ServerRefusedError && e.status !== 403 && e.status < 500) || (e instanceof NetworkError && e.code === 'BAD_RESPONSE')) return undefined;
    throw e;
  }
  const r = selfResponse(result.responses, result.url) ?? result.responses[0];
  const href = r && textOf(child(prop(r, CURRENT_USER_PRINCIPAL), qn(NS.DAV, 'href')));
  if (!href) return undefined;
  const principal = hrefUrl(href, result.url);
  await t.policy?.check(principal, 'following your principal');
  return principal;
}

export async function discover(t: Transport, start: URL): Promise<Principal> {
  const wellKnown = new URL('/.well-known/caldav', start);
  // A bare server address goes through the well-known URL first; a path the user chose is tried as given.
  const order = start.pathname === '/' ? [wellKnown, start] : [start, wellKnown];
  let principalUrl: URL | undefined;
  for (const at of order) {
    principalUrl = await findPrincipal(t, at);
    if (principalUrl) break;
  }
  if (!principalUrl) {
    throw new UnsupportedError(
      `${start.host} did not say who you are (no DAV:current-user-principal at ${order.map((u) => u.pathname).join(' or ')})`,
      'Check that --url points at a CalDAV server; some servers need the full CalDAV path, e.g. https://host/dav/.',
    );
  }
  return readPrincipal(t, principalUrl, start);
}

/**
 * The principal's home, addresses and name in one Depth-0 PROPFIND, once its URL is known: from
 * discovery above, or from DAV:current-user-principal in any answer (RFC 5397 §3: every resource
 * may report it), e.g. the calendar a command names by URL.
 */
export async function readPrincipal(t: Transport, principalUrl: URL, start: URL): Promise<Principal> {
  const HOME = qn(NS.CALDAV, 'calendar-home-set');
  const ADDRESSES = qn(NS.CALDAV, 'calendar-user-address-set');
  const NAME = qn(NS.DAV, 'displayname');
  const { responses, url } = await propfind(t, principalUrl, [HOME, ADDRESSES, NAME], '0', 'reading your principal');
  const r = selfResponse(responses, url);
  const homeHref = r && textOf(child(prop(r, HOME), qn(NS.DAV, 'href')));
  if (!r || !homeHref) {
    throw new UnsupportedError(
      `${start.host} has no calendar home for "${t.user}" (no C:calendar-home-set on ${principalUrl.pathname})`,
      'This account may not have calendars enabled; ask the server administrator.',
    );
  }
  // The principal and home hrefs are the server's word; they pass the same origin policy as --url
  // before anything relies on them (a login must not save an account that points elsewhere).
  const homeUrl = hrefUrl(homeHref, url);
  await t.policy?.check(homeUrl, 'following your calendar home');
  return {
    url,
    homeUrl,
    displayName: textOf(prop(r, NAME)) || undefined,
    addresses: children(prop(r, ADDRESSES), qn(NS.DAV, 'href')).flatMap((h) => textOf(h) || []),
  };
}
