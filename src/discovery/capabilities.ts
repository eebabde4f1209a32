// Which sharing mechanisms a calendar really offers. The DAV: header is only a claim (SabreDAV 1.8
// advertises sharing it does not implement; Xandikos claims nothing yet answers 2xx to any POST), so
// a mechanism counts when (1) the DAV: header claims it, (2) the properties that carry its state
// answer (or its own detect() brings proof), and (3) nothing rules it out: its own detect(), a server
// quirk (servers/quirks.ts), ownership, or an Allow header that lacks its method. A missing POST in
// Allow is not a "no": POST's meaning is the resource's (RFC 9110 §9.3.3), and servers that handle
// sharing POSTs in a plugin leave it out (Nextcloud, DAViCal). Everything here derives from the
// registry: a new mechanism needs no edit in this file.
import type { Transport } from '../transport/http.js';
import { header, type DavResponse } from '../transport/http.js';
import { propStatus } from '../xml/multistatus.js';
import { prop } from '../xml/multistatus.js';
import type { Calendar } from './calendars.js';
import { MECHANISMS } from '../sharing/registry.js';
import type { Mechanism, MechanismId } from '../sharing/types.js';
import { PRODUCT_HEADERS, fingerprint, type Fingerprint } from '../servers/fingerprint.js';
import { quirksFor, quirksOf, type Quirk } from '../servers/quirks.js';

export type { MechanismId };

export interface ServerOptions {
  /** Compliance classes from the DAV: header (RFC 4918 §10.1), lower-cased. */
  dav: string[];
  /** Methods from Allow, upper-cased; empty when the server sent none. */
  allow: string[];
  server: string | undefined;
  /** Headers that name a product (fingerprint.ts PRODUCT_HEADERS), lower-cased names. */
  headers?: Record<string, string>;
}

export async function options(t: Transport, url: URL): Promise<ServerOptions> {
  const res = await t.send({ method: 'OPTIONS', url, purpose: 'asking what the server supports' });
  return serverOptionsOf(res.headers);
}

/** What any answer's headers say about the server (the product headers come on every answer). */
export function serverOptionsOf(answer: DavResponse['headers']): ServerOptions {
  const res = { headers: answer };
  const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const headers: Record<string, string> = {};
  for (const h of PRODUCT_HEADERS) {
    const v = header(res.headers, h);
    if (v !== undefined) headers[h] = v;
  }
  return {
    dav: list(header(res.headers, 'dav')).map((s) => s.toLowerCase()),
    allow: list(header(res.headers, 'allow')).map((s) => s.toUpperCase()),
    server: header(res.headers, 'server'),
    headers,
  };
}

export interface MechanismReport {
  id: MechanismId;
  name: string;
  spec: string;
  /** What a change sends: the HTTP method, the root element of its body and its Content-Type. */
  request: { method: 'POST' | 'ACL'; body: string; contentType: string };
  available: boolean;
  /** Why it is or is not available, in terms of what the server showed. */
  evidence: string[];
}

export interface Capabilities {
  calendar: Calendar;
  server: ServerOptions;
  /** Which product answered, and what gave it away. */
  product: Fingerprint;
  /** That product's quirks (servers/quirks.ts), for the engine and mechanisms. */
  quirks: readonly Quirk[];
  mechanisms: MechanismReport[];
  /** The mechanism calshare uses by default: the first available in registry order. */
  preferred: MechanismId | undefined;
  scheduling: { advertised: string[]; neededForSharing: false; note: string };
}

function answered(cal: Calendar, q: Parameters<typeof prop>[1], label: string): string {
  const s = propStatus(cal.props, q);
  return s === undefined ? `${label}: not returned` : `${label}: ${s}`;
}

/** One mechanism judged by the rule at the top of this file. */
export function judge(m: Mechanism, cal: Calendar, server: ServerOptions, quirks: readonly Quirk[]): MechanismReport {
  const claimed = m.davToken === undefined || server.dav.includes(m.davToken);
  const method = m.request.method;
  const omits = quirksOf(quirks, 'allow-omits').some((q) => q.methods.includes(method));
  const allowSays = server.allow.length === 0 ? undefined : server.allow.includes(method);
  const allowBlocks = allowSays === false && method !== 'POST' && !omits;
  const own = m.detect?.(cal, server) ?? { for: [], against: [] };
  const broken = quirksOf(quirks, 'broken').filter((q) => q.mechanism === m.id);
  const owner = cal.owned ? [] : ['you are not the owner of this calendar; only the owner can share it'];
  // A mirror left out of the read (quirks 'costly-props', 'mirrored-state') is as confirmed as its original.
  const mirror = quirksOf(quirks, 'mirrored-state').find((q) => q.mechanism === m.id);
  const of = mirror && !m.stateProps.some((p) => propStatus(cal.props, p.name) !== undefined) ? MECHANISMS.find((x) => x.id === mirror.of) : undefined;
  const confirmed = (of ?? m).stateProps.some((p) => prop(cal.props, p.name) !== undefined) || own.for.length > 0;
  const evidence = [
    ...(m.davToken ? [`DAV header ${claimed ? 'advertises' : 'does not advertise'} "${m.davToken}"`] : []),
    ...(of
      ? [`${m.stateProps.map((p) => p.label).join(', ')}: not asked, the server renders this state from ${of.name}'s (${mirror!.seen})`, ...of.stateProps.map((p) => answered(cal, p.name, p.label))]
      : m.stateProps.map((p) => answered(cal, p.name, p.label))),
    ...own.for,
    ...(allowSays === undefined ? [] : [`Allow ${allowSays ? 'includes' : 'lacks'} ${method}${allowSays || allowBlocks ? '' : ' (not held against it: servers handle POST without listing it)'}`]),
    ...own.against,
    ...broken.map((q) => `${q.why} (${q.seen})`),
    ...owner,
  ];
  if (m.davToken && claimed && !confirmed) {
    evidence.push(`the server advertises ${m.davToken} but answers none of its properties, so it cannot really share this way`);
  }
  const available = claimed && confirmed && !allowBlocks && own.against.length === 0 && broken.length === 0 && owner.length === 0;
  return { id: m.id, name: m.name, spec: m.spec, request: { ...m.request, contentType: m.contentType.split(';')[0]! }, available, evidence };
}

export function detect(cal: Calendar, server: ServerOptions): Capabilities {
  const product = fingerprint(server, cal);
  const quirks = quirksFor(product.id);
  const mechanisms = MECHANISMS.map((m) => judge(m, cal, server, quirks));
  // Default: the first available in registry order (sharing extensions before the raw ACL).
  const preferred = mechanisms.find((m) => m.available)?.id;
  const advertised = server.dav.filter((c) => c.startsWith('calendar-schedule') || c === 'calendar-auto-schedule');
  return {
    calendar: cal,
    server,
    product,
    quirks,
    mechanisms,
    preferred,
    scheduling: {
      advertised,
      neededForSharing: false,
      note:
        'Scheduling (RFC 6638 calendar-auto-schedule) delivers meeting invitations and replies between attendees; ' +
        'sharing a calendar does not use it, so calshare neither needs nor changes it.',
    },
  };
}
