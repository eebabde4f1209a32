// Answering an invitation, and putting a calendar shared with you into your own calendar home
// where the server has no invitations. Every step is proven by reading back: the invitation's
// state as the owner sees it, and the calendar listed in the sharee's home at the URL the server
// gives. A 2xx alone proves nothing.
import type { Session } from '../session.js';
import { header, type DavResponse } from '../transport/http.js';
import type { Calendar } from '../discovery/calendars.js';
import { currentPrivileges, readCalendar } from '../discovery/calendars.js';
import { sameResource } from '../discovery/propfind.js';
import { hrefUrl, prop } from '../xml/multistatus.js';
import { NS, qn } from '../xml/names.js';
import { child, textOf } from '../xml/parse.js';
import { UnsupportedError, UsageError, VerificationError } from '../errors.js';
import { inertLine } from '../util/inert.js';
import { readAsSharee, serverTraits, type Invitation } from './inbox.js';
import { ownerOf } from './shared-with-me.js';
import { learnLayout } from '../sharing/identity.js';
import { bindBody, bindingSegment, csReplyBody, davReplyBody, lastSegment, sharedAsHref, subscribeBody, unsubscribeBody, type ReplyStatus } from './xml.js';
import { shareeStepFor, type ShareeStepKind } from './steps.js';

export type Answer = 'accept' | 'decline';

export interface ReplyOutcome {
  /** What was done: an invitation reply, a subscription, a binding, or nothing needed. */
  action: 'invite-reply' | 'subscribe' | 'bind' | 'unbind' | 'unsubscribe' | 'none';
  answer: Answer;
  calendar: { name: string; ownerUrl: string };
  owner: string | undefined;
  /** The invitation state read back after the reply (as the owner sees it), when there is one. */
  status: ReplyStatus | undefined;
  /** Where the calendar is listed in the sharee's home, read back; undefined when it is not. */
  inHome: string | undefined;
  note: string;
}

const found = (cals: Calendar[], url: URL | undefined) => (url ? cals.find((c) => sameResource(c.url, url)) : undefined);

/**
 * The entry in the sharee's home that shows the owner's calendar: by CS:shared-url (Cyrus), by the
 * URL itself, or by the name the server gives it: "<owner>.<calendar>" (Cyrus's accepted shares,
 * calshare's DAViCal bindings) or "<owner>_<calendar>" (SOGo 5.8 subscriptions).
 */
export function homeEntryFor(cals: readonly Calendar[], ownerUrl: URL): Calendar | undefined {
  const segs = ownerUrl.pathname.split('/').filter(Boolean).map(decodeSafe);
  const calSeg = segs.at(-1) ?? '';
  // The owner's user name: /dav/calendars/user/alice/X/, /caldav.php/alice/X/, /SOGo/dav/alice/Calendar/X/.
  const owners = segs.slice(0, -1).filter((x) => x !== 'Calendar');
  const names = new Set(owners.length ? [owners.at(-1)!].flatMap((o) => [`${o}.${calSeg}`, `${o}_${calSeg}`, bindingSegment(o, calSeg)]) : []);
  return cals.find((c) => {
    if (c.owned && !sameResource(c.url, ownerUrl)) return false;
    const shared = textOf(child(prop(c.props, qn(NS.CS, 'shared-url')), qn(NS.DAV, 'href')));
    if (shared !== undefined && safe(() => sameResource(hrefUrl(shared, c.url), ownerUrl))) return true;
    return sameResource(c.url, ownerUrl) || names.has(lastSegment(c.url));
  });
}

function verify(ok: boolean, message: string, hint: string, expected: string, seen: string, who: string): void {
  if (!ok) throw new VerificationError(message, hint, [{ email: who, expected, seen }]);
}

/** caldav-sharing §5.5.2 / draft-pot §5.4.3, then the read-back. */
export async function replyToInvitation(s: Session, inv: Invitation, answer: Answer): Promise<ReplyOutcome> {
  const t = s.transport;
  const me = await s.principal();
  const accept = answer === 'accept';
  let res: DavResponse;
  if (inv.form === 'cs') {
    if (!inv.owner.href && !inv.owner.email) throw new UnsupportedError('the invitation names no owner, so no reply can be addressed', 'Answer it in another calendar app.');
    res = await t.send({
      method: 'POST',
      url: me.homeUrl,
      headers: { 'content-type': 'application/xml; charset=utf-8' },
      body: csReplyBody({ ownerHref: inv.owner.email ? `mailto:${inv.owner.email}` : inv.owner.href!, calendarHref: inv.calendar.url.pathname, uid: inv.id }, accept),
      purpose: `${accept ? 'accepting' : 'declining'} the invitation (CS:invite-reply)`,
    });
  } else {
    res = await t.send({
      method: 'POST',
      url: inv.url,
      headers: { 'content-type': 'application/davsharing+xml; charset=utf-8' },
      body: davReplyBody(accept, me.homeUrl.pathname),
      purpose: `${accept ? 'accepting' : 'declining'} the invitation (DAV:invite-reply)`,
    });
  }
  // Where the server says it put the calendar: CS:shared-as in the body, or Location (draft-pot 201).
  let given: URL | undefined;
  const href = inv.form === 'cs' ? safe(() => sharedAsHref(res.body)) : header(res.headers, 'location');
  if (href) given = safe(() => hrefUrl(href, res.url));

  s.invalidate();
  const [seen, cals] = await Promise.all([readAsSharee(t, me, inv.calendar.url), s.calendars()]);
  const status = seen?.status;
  const who = t.user;
  const wanted: ReplyStatus = accept ? 'accepted' : 'declined';
  verify(
    status === wanted || (status === undefined && seen !== undefined),
    `the server took the reply, but the invitation reads "${status ?? 'gone'}" afterwards, not "${wanted}"`,
    'Run `calshare invites` to see its state; the owner may have withdrawn the share meanwhile.',
    wanted,
    status ?? 'gone',
    who,
  );
  const entry = found(cals, given) ?? homeEntryFor(cals, inv.calendar.url);
  if (accept) {
    verify(
      entry !== undefined,
      `the invitation reads accepted, but "${inertLine(inv.calendar.name)}" is not listed in your calendar home${given ? ` at ${given.pathname}, where the server said it put it` : ''}`,
      'Run `calshare calendars`; if it is missing, the server may need a moment or its administrator.',
      'listed in your home',
      'not listed',
      who,
    );
  }
  return {
    action: 'invite-reply',
    answer,
    calendar: { name: inv.calendar.name, ownerUrl: inv.calendar.url.href },
    owner: inv.owner.email ?? inv.owner.name,
    status: status ?? wanted,
    inHome: entry?.url.href,
    note: accept
      ? `accepted; it is in your calendar list at ${entry!.url.pathname}`
      : `declined; ${entry ? `it is still listed at ${entry.url.pathname}` : 'it is not in your calendar list'}. Declining does not take the access away: only the owner can`,
  };
}

function safe<T>(f: () => T): T | undefined {
  try {
    return f();
  } catch {
    return undefined;
  }
}

/** The owner's user name as a path segment of their principal (DAV:owner), else of the calendar URL. */
function ownerSegment(cal: Calendar | undefined, url: URL): string {
  if (cal?.ownerHref) {
    const seg = lastSegment(hrefUrl(cal.ownerHref, url));
    if (seg) return seg;
  }
  const segs = url.pathname.split('/').filter(Boolean);
  return segs.length >= 2 ? decodeSafe(segs[segs.length - 2]!) : 'shared';
}

const decodeSafe = (s: string) => safe(() => decodeURIComponent(s)) ?? s;

const canRead = (cal: Calendar) => {
  const p = currentPrivileges(cal.props);
  return p.size === 0 || p.has(`{${NS.DAV}}read`) || p.has(`{${NS.DAV}}all`);
};

/**
 * For servers without invitations: the owner's calendar URL → listed in the sharee's home.
 * SOGo: <subscribe/> as the sharee (declining: <unsubscribe/>); DAViCal: BIND into the sharee's
 * home (declining: DELETE of the binding), but only once a PROPFIND as the sharee proves the
 * grant, because DAViCal 1.1.12's BIND checks no privilege on the source (a binding made without
 * a grant leaks events through REPORT).
 */
export async function addSharedCalendar(s: Session, ownerUrl: URL, answer: Answer): Promise<ReplyOutcome> {
  const t = s.transport;
  const me = await s.principal();
  const traits = await serverTraits(s, ownerUrl);
  const kind: ShareeStepKind = shareeStepFor(traits, false).kind;
  const before = await s.calendars();
  const existing = homeEntryFor(before, ownerUrl);
  const cal = await readCalendar(t, me, ownerUrl, 'checking that the calendar is shared with you').catch((e: unknown) => {
    if (e instanceof Error && 'status' in e && [403, 404].includes((e as { status: number }).status)) return undefined;
    throw e;
  });
  const name = cal?.displayName ?? existing?.displayName ?? lastSegment(ownerUrl);
  const owner = cal ? ownerOf(cal, learnLayout(me, t.user)) : undefined;
  const base = { answer, calendar: { name, ownerUrl: ownerUrl.href }, owner, status: undefined };
  if (answer === 'accept' && (!cal || !canRead(cal))) {
    throw new UsageError(
      `${t.user} has no access to ${ownerUrl.href}: it is not shared with you (or no longer)`,
      'Ask the owner to share it again, and to send you the URL `calshare share` shows them.',
    );
  }
  if (cal?.owned) throw new UsageError(`${ownerUrl.href} is your own calendar`, 'Nothing to accept: it is already in your calendar list.');

  if (answer === 'decline') {
    if (!existing) return { ...base, action: 'none', inHome: undefined, note: 'not in your calendar list; nothing to do (only the owner can take the access away)' };
    if (kind === 'bind' && prop(existing.props, qn(NS.DAV, 'resourcetype'))?.children.some((c) => c.name === 'webdav-binding')) {
      // RFC 5842 §3: DELETE of a binding removes the binding, not the calendar it points to.
      await t.send({ method: 'DELETE', url: existing.url, purpose: 'removing the calendar from your list (the binding only)' });
      return readBackGone(s, ownerUrl, { ...base, action: 'unbind' });
    }
    if (kind === 'subscribe') {
      // SOGo 5.8 (SOGoGCSFolder -davUnsubscribe): the inverse of <subscribe/>, POSTed by the sharee
      // to the calendar; it drops the calendar from the sharee's subscriptions and leaves the
      // owner's roles alone. It answers 200 whether or not anything was subscribed: the read-back decides.
      await t.send({ method: 'POST', url: ownerUrl, headers: { 'content-type': 'application/xml; charset=utf-8' }, body: unsubscribeBody(), purpose: 'removing the calendar from your list (inverse-dav unsubscribe)' });
      return readBackGone(s, ownerUrl, { ...base, action: 'unsubscribe' });
    }
    throw new UnsupportedError(`this server offers no way to remove ${existing.url.pathname} from your list`, 'Hide it in your calendar app, or ask the owner to stop sharing it.');
  }

  if (existing) return { ...base, action: 'none', inHome: existing.url.href, note: `already in your calendar list at ${existing.url.pathname}; nothing to do` };
  let given: URL | undefined;
  if (kind === 'subscribe') {
    await t.send({ method: 'POST', url: ownerUrl, headers: { 'content-type': 'application/xml; charset=utf-8' }, body: subscribeBody(), purpose: 'subscribing to the calendar (inverse-dav subscribe)' });
  } else if (kind === 'bind') {
    const segment = bindingSegment(ownerSegment(cal, ownerUrl), lastSegment(ownerUrl));
    const res = await t.send({
      method: 'BIND',
      url: me.homeUrl,
      headers: { 'content-type': 'application/xml; charset=utf-8' },
      body: bindBody(segment, ownerUrl.pathname),
      purpose: 'adding the calendar to your home (BIND)',
    });
    const loc = header(res.headers, 'location');
    given = loc ? safe(() => hrefUrl(loc, res.url)) : new URL(encodeURIComponent(segment) + '/', me.homeUrl.href.replace(/\/?$/, '/'));
  } else if (kind === 'in-home') {
    throw new UsageError(
      `${ownerUrl.href} is not in your calendar list, although this server lists shared calendars by itself`,
      'The share may have been taken back; `calshare calendars` shows what is shared with you.',
    );
  } else {
    throw new UnsupportedError(
      `this server cannot list a calendar shared with you in your own calendar home (it has no invitations, subscriptions or BIND)`,
      `Add ${ownerUrl.href} to your calendar app by that URL.`,
    );
  }
  s.invalidate();
  const after = await s.calendars();
  const entry = found(after, given) ?? homeEntryFor(after, ownerUrl) ?? after.find((c) => !c.owned && !before.some((b) => sameResource(b.url, c.url)));
  verify(entry !== undefined, `the server answered yes, but "${inertLine(name)}" is not listed in your calendar home afterwards`, 'Run `calshare calendars` to see your list.', 'listed in your home', 'not listed', t.user);
  return { ...base, action: kind, inHome: entry!.url.href, note: `added to your calendar list at ${entry!.url.pathname}` };
}

async function readBackGone(s: Session, ownerUrl: URL, base: Omit<ReplyOutcome, 'inHome' | 'note'>): Promise<ReplyOutcome> {
  s.invalidate();
  const still = homeEntryFor(await s.calendars(), ownerUrl);
  verify(!still, `the server answered yes, but the calendar is still listed at ${still?.url.pathname}`, 'Run `calshare calendars`.', 'not listed', 'listed', s.transport.user);
  return { ...base, inHome: undefined, note: 'removed from your calendar list; the owner\'s calendar and your access are unchanged' };
}
