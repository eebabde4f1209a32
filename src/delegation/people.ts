// From a delegate's principal to an address and a name, for listings. Finding a principal by
// address is not done here: delegation uses the one people lookup sharing uses
// (sharing/identity.ts resolveIdentities, people/search.ts).
import type { Transport } from '../transport/http.js';
import { parseResponse, propfindBody } from '../discovery/propfind.js';
import { NS, qn, type QName } from '../xml/names.js';
import { children, textOf } from '../xml/parse.js';
import { prop, type MultiStatusResponse } from '../xml/multistatus.js';

const D = (n: string) => qn(NS.DAV, n);
const SABRE = 'http://sabredav.org/ns';

/** Address properties read from a principal: the CalDAV one, CalendarServer's, SabreDAV's own. */
export const ADDRESS_PROPS: readonly QName[] = [
  qn(NS.CALDAV, 'calendar-user-address-set'), // RFC 6638 §2.4.1
  qn(NS.CS, 'email-address-set'), // CalendarServer extension (SOGo)
  qn(SABRE, 'email-address'), // SabreDAV's principal backend
];

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
