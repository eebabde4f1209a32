// Which sharing mechanisms a calendar really offers. The DAV: header is only a claim (SabreDAV 1.8
// advertises sharing it does not implement; Xandikos claims nothing yet answers 2xx to any POST),
// so every mechanism must also be confirmed by the properties that carry its state.
import type { Transport } from '../transport/http.js';
import { header } from '../transport/http.js';
import { NS } from '../xml/names.js';
import { prop, propStatus } from '../xml/multistatus.js';
import { P, currentPrivileges, type Calendar } from './calendars.js';

export type MechanismId = 'cs' | 'resource-sharing' | 'acl';

export interface ServerOptions {
  /** Compliance classes from the DAV: header (RFC 4918 §10.1), lower-cased. */
  dav: string[];
  /** Methods from Allow, upper-cased; empty when the server sent none. */
  allow: string[];
  server: string | undefined;
}

export async function options(t: Transport, url: URL): Promise<ServerOptions> {
  const res = await t.send({ method: 'OPTIONS', url, purpose: 'asking what the server supports' });
  const list = (v: string | undefined) => (v ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  return {
    dav: list(header(res.headers, 'dav')).map((s) => s.toLowerCase()),
    allow: list(header(res.headers, 'allow')).map((s) => s.toUpperCase()),
    server: header(res.headers, 'server'),
  };
}

export interface MechanismReport {
  id: MechanismId;
  name: string;
  spec: string;
  /** What a change sends: the HTTP method and the root element of its body. */
  request: { method: 'POST' | 'ACL'; body: string; contentType: string };
  available: boolean;
  /** Why it is or is not available, in terms of what the server showed. */
  evidence: string[];
}

export interface Capabilities {
  calendar: Calendar;
  server: ServerOptions;
  mechanisms: MechanismReport[];
  /** The mechanism calshare uses by default: the sharing extension when there is one, else ACL. */
  preferred: MechanismId | undefined;
  scheduling: { advertised: string[]; neededForSharing: false; note: string };
}

const MECHANISMS: Record<MechanismId, Omit<MechanismReport, 'available' | 'evidence'>> = {
  cs: {
    id: 'cs',
    name: 'CalendarServer sharing',
    spec: 'Apple caldav-sharing.txt',
    request: { method: 'POST', body: 'CS:share (http://calendarserver.org/ns/)', contentType: 'application/davsharing+xml' },
  },
  'resource-sharing': {
    id: 'resource-sharing',
    name: 'WebDAV resource sharing',
    spec: 'draft-pot-webdav-resource-sharing',
    request: { method: 'POST', body: 'DAV:share-resource', contentType: 'application/davsharing+xml' },
  },
  acl: {
    id: 'acl',
    name: 'WebDAV ACL',
    spec: 'RFC 3744',
    request: { method: 'ACL', body: 'DAV:acl (the whole new ACL)', contentType: 'application/xml' },
  },
};

function answered(cal: Calendar, q: Parameters<typeof prop>[1], label: string): string {
  const s = propStatus(cal.props, q);
  return s === undefined ? `${label}: not returned` : `${label}: ${s}`;
}

export function detect(cal: Calendar, server: ServerOptions): Capabilities {
  const claims = (cls: string) => server.dav.includes(cls);
  const allows = (m: string) => server.allow.length === 0 || server.allow.includes(m);
  const privs = currentPrivileges(cal.props);
  const has = (p: string) => privs.has(`{${NS.DAV}}all`) || privs.has(`{${NS.DAV}}${p}`);
  const owner = cal.owned ? [] : ['you are not the owner of this calendar; only the owner can share it'];

  const report = (id: MechanismId, cls: string, method: string, props: [Parameters<typeof prop>[1], string][], extra: string[] = []) => {
    const confirmed = props.filter(([q]) => prop(cal.props, q) !== undefined);
    const evidence = [
      `DAV header ${claims(cls) ? 'advertises' : 'does not advertise'} "${cls}"`,
      ...props.map(([q, label]) => answered(cal, q, label)),
      ...(server.allow.length ? [`Allow ${allows(method) ? 'includes' : 'lacks'} ${method}`] : []),
      ...extra,
      ...owner,
    ];
    const available = claims(cls) && confirmed.length > 0 && allows(method) && owner.length === 0 && extra.length === 0;
    if (claims(cls) && confirmed.length === 0) {
      evidence.push(`the server advertises ${cls} but answers none of its properties, so it cannot really share this way`);
    }
    return { ...MECHANISMS[id], available, evidence };
  };

  // An ACL change rewrites the whole ACL (RFC 3744 §8.1): without the current one it would drop every ACE.
  const aclExtra = !prop(cal.props, P.acl)
    ? ['DAV:acl is not readable, and an ACL change must rewrite it whole']
    : !has('write-acl') ? ['current-user-privilege-set lacks DAV:write-acl'] : [];
  const mechanisms = [
    report('cs', 'calendarserver-sharing', 'POST', [[P.csSharingModes, 'CS:allowed-sharing-modes'], [P.csInvite, 'CS:invite']]),
    report('resource-sharing', 'resource-sharing', 'POST', [[P.shareAccess, 'DAV:share-access'], [P.invite, 'DAV:invite']]),
    report('acl', 'access-control', 'ACL', [[P.acl, 'DAV:acl'], [P.supportedPrivileges, 'DAV:supported-privilege-set']], aclExtra),
  ];
  // Default: a sharing extension, because the sharee's client then shows an invitation; ACL otherwise.
  const preferred = (['cs', 'resource-sharing', 'acl'] as const).find((id) => mechanisms.find((m) => m.id === id)?.available);
  const advertised = server.dav.filter((c) => c.startsWith('calendar-schedule') || c === 'calendar-auto-schedule');
  return {
    calendar: cal,
    server,
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
