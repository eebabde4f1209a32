// Which product answered, from what it shows on the wire: the Server header, product headers, DAV:
// compliance classes and the form of its sync tokens. Only quirks.ts and advice.ts act on the
// answer; the sharing engine never sees a product name. Unknown servers are "other" and get RFC
// behaviour, so a wrong guess here costs a quirk, never a refusal.
import type { Calendar } from '../discovery/calendars.js';
import type { ServerOptions } from '../discovery/capabilities.js';
import { NS, qn } from '../xml/names.js';
import { prop } from '../xml/multistatus.js';
import { textOf } from '../xml/parse.js';

export const SERVER_IDS = ['cyrus', 'radicale', 'xandikos', 'davical', 'sogo', 'sabredav', 'nextcloud', 'other'] as const;
export type ServerId = (typeof SERVER_IDS)[number];

export interface Fingerprint {
  id: ServerId;
  /** What gave it away, for `capabilities` evidence: 'Server header "Cyrus-HTTP/3.6.1 …"'. */
  evidence: string;
}

const SYNC_TOKEN = qn(NS.DAV, 'sync-token'); // RFC 6578 §4

interface Rule {
  id: ServerId;
  test: (s: ServerOptions, syncToken: string) => string | undefined;
}

const serverHeader = (re: RegExp) => (s: ServerOptions) => (s.server && re.test(s.server) ? `Server header "${s.server.split(' ')[0]}"` : undefined);
const productHeader = (name: string) => (s: ServerOptions) => (s.headers?.[name] ? `${name} header "${s.headers[name]}"` : undefined);
const davClass = (cls: string) => (s: ServerOptions) => (s.dav.includes(cls) ? `DAV header class "${cls}"` : undefined);
const first = (...tests: ((s: ServerOptions, t: string) => string | undefined)[]) => (s: ServerOptions, t: string) =>
  tests.reduce<string | undefined>((hit, f) => hit ?? f(s, t), undefined);

// Order matters: Nextcloud is built on sabre/dav, so it is asked before plain SabreDAV.
const RULES: readonly Rule[] = [
  { id: 'cyrus', test: serverHeader(/^Cyrus-HTTP\//i) },
  // Radicale behind a WSGI server may not name itself; its sync tokens do (RFC 6578 §3.2 wants a URI).
  {
    id: 'radicale',
    test: first(serverHeader(/radicale/i), (_s, t) => (t.startsWith('http://radicale.org/ns/sync/') ? 'sync token http://radicale.org/ns/sync/…' : undefined)),
  },
  // Xandikos names itself nowhere on the wire (aiohttp answers), but uses bare git object ids as sync
  // tokens and advertises RFC 5995 add-member.
  {
    id: 'xandikos',
    test: first(serverHeader(/xandikos/i), (s, t) => (/^[0-9a-f]{40}$/.test(t) && s.dav.includes('add-member') ? 'git object id as sync token, DAV add-member' : undefined)),
  },
  // DAViCal 1.1.12 sends X-DAViCal-Version on every answer but 401s (staging/DAVICAL.md).
  { id: 'davical', test: first(productHeader('x-davical-version'), serverHeader(/davical/i)) },
  // SOGo 5.8 answers as "SOPE 4.9.37/WebDAV" (staging/SOGO.md), but its OPTIONS answer has no Server
  // header; every answer carries Sogo-Request-Duration.
  { id: 'sogo', test: first(productHeader('sogo-request-duration'), serverHeader(/^SOPE\b|sogo/i)) },
  { id: 'nextcloud', test: first(davClass('nextcloud-checksum-update'), davClass('nc-calendar-search'), davClass('oc-resource-sharing')) },
  { id: 'sabredav', test: first(productHeader('x-sabre-version'), serverHeader(/sabre/i)) },
];

/** Response headers that name a product; options() keeps these for fingerprint(). */
export const PRODUCT_HEADERS = ['x-davical-version', 'x-sabre-version', 'sogo-request-duration'] as const;

export function fingerprint(server: ServerOptions, cal?: Calendar): Fingerprint {
  const syncToken = (cal && textOf(prop(cal.props, SYNC_TOKEN))) ?? '';
  for (const r of RULES) {
    const evidence = r.test(server, syncToken);
    if (evidence) return { id: r.id, evidence };
  }
  return { id: 'other', evidence: 'no product recognised; RFC behaviour assumed' };
}
