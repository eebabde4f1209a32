// The signed-in user's invitations: the notification collection named by the principal's
// CS:notification-URL (caldav-sharing §5.1) or DAV:notification-URL (draft-pot §4.1), one GET per
// invite notification, and one PROPFIND of each shared calendar as the sharee for the real state.
//
// Why the extra PROPFIND: Cyrus 3.6 keeps <CS:invite-noresponse/> in the notification after any
// reply, and the notification outlives a revoke (its access turns to no-access). The sharee's own
// entry in the calendar's DAV:invite / CS:invite is the state the owner sees too.
import type { Session } from '../session.js';
import { header, type Transport } from '../transport/http.js';
import { NS, qn, type QName } from '../xml/names.js';
import { child, textOf } from '../xml/parse.js';
import { hrefUrl, prop } from '../xml/multistatus.js';
import { parseResponse, propfind, propfindBody, sameResource, selfResponse } from '../discovery/propfind.js';
import { emailFor, learnLayout, type Layout } from '../sharing/identity.js';
import type { Principal } from '../discovery/discover.js';
import { UsageError } from '../errors.js';
import { inertLine } from '../util/inert.js';
import { lastSegment, levelIn, myInviteStatus, parseNotification, type InviteNotice, type OfferedLevel, type ReplyStatus } from './xml.js';
import { shareeStepFor, type ServerTraits, type ShareeStep } from './steps.js';

const D = (n: string) => qn(NS.DAV, n);
const CS = (n: string) => qn(NS.CS, n);

export interface Invitation {
  /** What a reply names (CS:uid), also accepted as INVITE on the command line. */
  id: string;
  /** The notification resource. */
  url: URL;
  form: InviteNotice['form'];
  owner: { href: string | undefined; name: string | undefined; email: string | undefined };
  /** The owner's calendar (CS:hosturl), and its name as the sharee sees it. */
  calendar: { url: URL; name: string };
  summary: string | undefined;
  level: OfferedLevel;
  status: ReplyStatus;
  sent: string | undefined;
  /** Where the calendar is in the sharee's home, once accepted. */
  sharedAs: URL | undefined;
}

export interface Inbox {
  /** The notification collection, when the server has one. */
  collection: URL | undefined;
  invitations: Invitation[];
  /** Invitations whose share the owner has since taken back (not listed). */
  withdrawn: number;
  /** How calendars shared with this user reach them on this server. */
  step: ShareeStep;
}

const NOTIFICATION_URLS: readonly QName[] = [CS('notification-URL'), D('notification-URL')];
const LIST_PROPS: readonly QName[] = [CS('notificationtype'), D('notificationtype'), D('getcontenttype'), D('resourcetype')];
const STATE_PROPS: readonly QName[] = [D('invite'), CS('invite'), D('displayname'), D('share-access'), CS('shared-url')];

/** The notification collection from the principal, or undefined where the server keeps none. */
export async function notificationCollection(t: Transport, me: Principal): Promise<URL | undefined> {
  const { responses, url } = await propfind(t, me.url, NOTIFICATION_URLS, '0', 'looking for your invitations');
  const r = selfResponse(responses, url);
  for (const q of NOTIFICATION_URLS) {
    const href = r && textOf(child(prop(r, q), D('href')));
    if (href) return hrefUrl(href, url);
  }
  return undefined;
}

/** Members of the collection that are invitations (by CS:notificationtype or the content type). */
async function inviteResources(t: Transport, collection: URL): Promise<URL[]> {
  const { responses } = await propfind(t, collection, LIST_PROPS, '1', 'listing your invitations');
  return responses
    .filter((r) => !sameResource(r.url, collection))
    .filter((r) => {
      const type = prop(r, CS('notificationtype')) ?? prop(r, D('notificationtype'));
      if (type) return type.children.some((c) => c.name === 'invite-notification');
      // No type property: keep what is not a collection and let the body decide.
      return !child(prop(r, D('resourcetype')), D('collection'));
    })
    .map((r) => r.url);
}

export function ownerEmail(n: Pick<InviteNotice, 'ownerHref'>, base: URL, layout: Layout | undefined): string | undefined {
  const href = n.ownerHref;
  if (!href) return undefined;
  if (/^mailto:/i.test(href)) return href.slice(7).toLowerCase();
  try {
    return emailFor(layout, hrefUrl(href, base));
  } catch {
    return undefined;
  }
}

interface SeenAsSharee {
  status: ReplyStatus | undefined;
  name: string | undefined;
  /** The URL that answered after redirects: the sharee's own copy on Cyrus. */
  url: URL;
  access: OfferedLevel | undefined;
}

/** The calendar as the sharee sees it; undefined when the sharee has no access (withdrawn). */
export async function readAsSharee(t: Transport, me: Principal, calendar: URL): Promise<SeenAsSharee | undefined> {
  const res = await t.send({
    method: 'PROPFIND',
    url: calendar,
    headers: { depth: '0' },
    body: propfindBody(STATE_PROPS),
    purpose: 'reading the state of an invitation',
    accept: [403, 404],
  });
  if (res.status !== 207) return undefined;
  const r = selfResponse(parseResponse(res.body, res.url, calendar, 'reading the state of an invitation'), res.url);
  if (!r) return undefined;
  const who = { addresses: me.addresses, principal: me.url };
  const status = myInviteStatus(prop(r, D('invite')), NS.DAV, who, r.url) ?? myInviteStatus(prop(r, CS('invite')), NS.CS, who, r.url);
  const shareAccess = prop(r, D('share-access'));
  return { status, name: textOf(prop(r, D('displayname'))) || undefined, url: r.url, access: shareAccess ? levelIn(shareAccess) : undefined };
}

const under = (url: URL, home: URL) => url.origin === home.origin && url.pathname.startsWith(home.pathname.replace(/\/?$/, '/'));

async function toInvitation(t: Transport, me: Principal, layout: Layout | undefined, url: URL): Promise<Invitation | 'withdrawn' | undefined> {
  const res = await t.send({ method: 'GET', url, purpose: 'reading an invitation', accept: [404] });
  if (res.status === 404) return undefined; // removed between the listing and now
  let n: InviteNotice | undefined;
  try {
    n = parseNotification(res.body);
  } catch {
    return undefined; // not XML: not an invitation calshare can answer
  }
  if (!n) return undefined;
  if (n.level === 'none') return 'withdrawn';
  const calUrl = hrefUrl(n.calendarHref, res.url);
  const seen = await readAsSharee(t, me, calUrl);
  if (!seen) return 'withdrawn';
  const status = seen.status ?? n.status ?? 'pending';
  return {
    id: n.uid ?? lastSegment(url),
    url,
    form: n.form,
    owner: { href: n.ownerHref, name: n.ownerName, email: ownerEmail(n, res.url, layout) },
    calendar: { url: calUrl, name: seen.name ?? lastSegment(calUrl) },
    summary: n.summary,
    level: n.level,
    status,
    sent: n.sent,
    sharedAs: status === 'accepted' && under(seen.url, me.homeUrl) ? seen.url : undefined,
  };
}

/**
 * Server traits the sharee's side depends on: DAV classes from OPTIONS (cached), plus the Server
 * header and supported reports from a PROPFIND of `at` (SOGo names itself only on PROPFIND answers).
 */
export async function serverTraits(s: Session, at?: URL): Promise<ServerTraits> {
  const me = await s.principal();
  const url = at ?? me.homeUrl;
  const [o, res] = await Promise.all([
    s.serverOptions(me.homeUrl),
    s.transport.send({ method: 'PROPFIND', url, headers: { depth: '0' }, body: propfindBody([D('supported-report-set')]), purpose: 'asking which reports the server offers', accept: [403, 404] }),
  ]);
  let reports: string[] = [];
  if (res.status === 207) {
    const r = safeParse(res.body, res.url, url);
    const set = r && prop(r, D('supported-report-set'));
    // RFC 3253 §3.1.5: supported-report / report / <the report element>.
    reports = (set?.children ?? []).flatMap((sr) => child(sr, D('report'))?.children ?? []).map((e) => `{${e.ns}}${e.name}`);
  }
  return { dav: o.dav, allow: o.allow, server: header(res.headers, 'server') ?? o.server, reports };
}

function safeParse(body: string, base: URL, url: URL) {
  try {
    return selfResponse(parseResponse(body, base, url, 'asking which reports the server offers'), base);
  } catch {
    return undefined; // a server that cannot answer this still shares: traits are only hints
  }
}

export async function listInvitations(s: Session): Promise<Inbox> {
  const t = s.transport;
  const me = await s.principal();
  const layout = learnLayout(me, t.user);
  const [collection, traits] = await Promise.all([notificationCollection(t, me), serverTraits(s)]);
  const step = shareeStepFor(traits, collection !== undefined);
  if (!collection) return { collection, invitations: [], withdrawn: 0, step };
  const urls = await inviteResources(t, collection);
  const found = await Promise.all(urls.map((u) => toInvitation(t, me, layout, u)));
  const invitations = found.filter((x): x is Invitation => typeof x === 'object');
  invitations.sort((a, b) => (b.sent ?? '').localeCompare(a.sent ?? '') || a.calendar.name.localeCompare(b.calendar.name));
  return { collection, invitations, withdrawn: found.filter((x) => x === 'withdrawn').length, step };
}

/** The INVITE a person typed: an id, a calendar name, an owner's address or name, or a calendar URL/path. */
export function pickInvitation(list: readonly Invitation[], ref: string, base: URL): Invitation {
  const r = ref.trim();
  const lower = r.toLowerCase();
  const tests: ((i: Invitation) => boolean)[] = [
    (i) => i.id === r || i.id.replace(/\.xml$/, '') === r || lastSegment(i.url) === r,
    (i) => {
      if (!r.startsWith('/') && !/^https?:\/\//i.test(r)) return false;
      try {
        const u = hrefUrl(r, base);
        return sameResource(u, i.calendar.url) || (i.sharedAs !== undefined && sameResource(u, i.sharedAs));
      } catch {
        return false;
      }
    },
    (i) => i.calendar.name === r,
    (i) => i.calendar.name.toLowerCase() === lower,
    (i) => i.owner.email === lower.replace(/^mailto:/, '') || (i.owner.name ?? '').toLowerCase() === lower,
  ];
  for (const test of tests) {
    const hits = list.filter(test);
    if (hits.length === 1) return hits[0]!;
    // Among several from one owner, the one still waiting for an answer is the one meant.
    const pending = hits.filter((i) => i.status === 'pending');
    if (hits.length > 1 && pending.length === 1) return pending[0]!;
    if (hits.length > 1) {
      throw new UsageError(
        `"${inertLine(r)}" matches ${hits.length} invitations:\n${hits.map((i) => `  ${describe(i)}`).join('\n')}`,
        'Name the invitation by its id (the first column of `calshare invites`).',
      );
    }
  }
  throw new UsageError(
    `no invitation "${inertLine(r)}"${list.length ? `; there are:\n${list.map((i) => `  ${describe(i)}`).join('\n')}` : ' (you have none)'}`,
    'Name an invitation by calendar name, owner address or id; `calshare invites` lists them.',
  );
}

export const describe = (i: Invitation): string =>
  `${i.id}  ${inertLine(i.calendar.name)} from ${inertLine(i.owner.email ?? i.owner.name ?? i.owner.href ?? '?')} (${i.status})`;
