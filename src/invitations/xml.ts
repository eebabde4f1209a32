// The sharee's wire formats, as pure functions: notification bodies in, reply bodies out. Nothing
// here sends a request (the inbox and reply modules do), so each shape is unit-tested on its own.
//
// Two dialects carry an invitation to the sharee:
//  - CalendarServer (caldav-sharing.txt §5.5.1): GET of a notification resource gives
//    <CS:notification><CS:invite-notification> with CS:uid, the sharee's href, an invite status,
//    CS:access, CS:hosturl (the owner's calendar), CS:organizer and CS:summary. The reply is a
//    CS:invite-reply POSTed to the sharee's calendar home (§5.5.2), answered with CS:shared-as.
//  - draft-pot-webdav-resource-sharing §5.3 (DAV:invite-notification, DAV:sharer-resource-uri,
//    DAV:share-access) with the reply POSTed to the notification resource itself (§5.4.3,
//    DAV:invite-reply with DAV:create-in), answered 201 with the new URL in Location.
import { el, serialize } from '../xml/build.js';
import { NS, qn } from '../xml/names.js';
import { child, children, parseXml, textOf, type XmlElement } from '../xml/parse.js';
import { hrefUrl } from '../xml/multistatus.js';
import type { Level } from '../sharing/types.js';

const CS = (n: string) => qn(NS.CS, n);
const D = (n: string) => qn(NS.DAV, n);

export const INVERSE_DAV = 'urn:inverse:params:xml:ns:inverse-dav';

export type ReplyStatus = 'pending' | 'accepted' | 'declined';
export type OfferedLevel = Level | 'other' | 'none';

/** One invitation as its notification resource tells it (the status there is not to be trusted: see inbox.ts). */
export interface InviteNotice {
  form: 'cs' | 'dav';
  /** CS:uid: what CS:in-reply-to must name; the resource name when the body has none. */
  uid: string | undefined;
  /** The owner's calendar: CS:hosturl or DAV:sharer-resource-uri. */
  calendarHref: string;
  ownerHref: string | undefined;
  ownerName: string | undefined;
  summary: string | undefined;
  level: OfferedLevel;
  status: ReplyStatus | undefined;
  /** CS:dtstamp / DAV:dtstamp as ISO 8601, when it parses. */
  sent: string | undefined;
}

const STATUS: Record<string, ReplyStatus> = {
  'invite-noresponse': 'pending',
  'invite-accepted': 'accepted',
  'invite-declined': 'declined',
};

/** Invite status element (same local names in CS and DAV, caldav-sharing §5.2.2, draft-pot §4.4.2). */
export function statusIn(entry: XmlElement, ns: string): ReplyStatus | undefined {
  const s = entry.children.find((c) => c.ns === ns && Object.hasOwn(STATUS, c.name));
  return s && STATUS[s.name];
}

/** CS:access or DAV:share-access content as a level; "no-access" is a withdrawn share (Cyrus after a revoke). */
export function levelIn(access: XmlElement | undefined): OfferedLevel {
  const name = access?.children[0]?.name;
  return name === 'read-write' ? 'edit' : name === 'read' ? 'read' : name === 'no-access' ? 'none' : 'other';
}

/** "20261207T004135Z" (iCalendar form, RFC 5545 §3.3.5) or an ISO string → ISO 8601; else undefined. */
export function isoStamp(s: string | undefined): string | undefined {
  if (!s) return undefined;
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(s);
  const d = m ? new Date(Date.UTC(+m[1]!, +m[2]! - 1, +m[3]!, +m[4]!, +m[5]!, +m[6]!)) : new Date(s);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

/** A notification body → the invitation it carries; undefined for other notification types (share replies, …). */
export function parseNotification(body: string): InviteNotice | undefined {
  const root = parseXml(body);
  if (root.name !== 'notification' || (root.ns !== NS.CS && root.ns !== NS.DAV)) return undefined;
  const ns = root.ns;
  const inv = child(root, qn(ns, 'invite-notification'));
  if (!inv) return undefined;
  const sent = isoStamp(textOf(child(root, qn(ns, 'dtstamp'))));
  if (ns === NS.CS) {
    const calendarHref = textOf(child(child(inv, CS('hosturl')), D('href')));
    if (!calendarHref) return undefined;
    const org = child(inv, CS('organizer'));
    return {
      form: 'cs',
      uid: textOf(child(inv, CS('uid'))) || undefined,
      calendarHref,
      ownerHref: textOf(child(org, D('href'))) || undefined,
      ownerName: textOf(child(org, CS('common-name'))) || undefined,
      summary: textOf(child(inv, CS('summary'))) || undefined,
      level: levelIn(child(inv, CS('access'))),
      status: statusIn(inv, NS.CS),
      sent,
    };
  }
  // draft-pot §5.3.1: DAV:sharer-resource-uri names the shared resource; DAV:principal the sharer.
  const calendarHref = textOf(child(child(inv, D('sharer-resource-uri')), D('href')));
  if (!calendarHref) return undefined;
  const sharer = child(inv, D('principal'));
  return {
    form: 'dav',
    uid: textOf(child(inv, D('uid'))) || undefined,
    calendarHref,
    ownerHref: textOf(child(sharer, D('href'))) || undefined,
    ownerName: textOf(child(child(sharer, D('prop')), D('displayname'))) || undefined,
    summary: textOf(child(inv, D('comment'))) || undefined,
    level: levelIn(child(inv, D('share-access'))),
    status: statusIn(inv, NS.DAV),
    sent,
  };
}

/**
 * caldav-sharing §5.5.2: the CS:invite-reply the sharee POSTs to their own calendar home. Cyrus
 * requires CS:in-reply-to (the notification's CS:uid; an unknown one is 404) and CS:hosturl.
 */
export function csReplyBody(n: { ownerHref: string; calendarHref: string; uid: string }, accept: boolean, summary?: string): string {
  return serialize(
    el(
      CS('invite-reply'),
      el(D('href'), n.ownerHref),
      el(CS(accept ? 'invite-accepted' : 'invite-declined')),
      el(CS('hosturl'), el(D('href'), n.calendarHref)),
      el(CS('in-reply-to'), n.uid),
      summary ? el(CS('summary'), summary) : undefined,
    ),
  );
}

/** draft-pot §5.4.3: DAV:invite-reply POSTed to the notification; DAV:create-in says which home gets the calendar. */
export function davReplyBody(accept: boolean, homeHref: string): string {
  return serialize(
    el(D('invite-reply'), el(D(accept ? 'invite-accepted' : 'invite-declined')), accept ? el(D('create-in'), el(D('href'), homeHref)) : undefined),
  );
}

/** The CS:shared-as href of a CS:invite-reply answer (caldav-sharing §5.5.2), if any. */
export function sharedAsHref(body: string): string | undefined {
  if (!body.trim()) return undefined;
  const root = parseXml(body);
  const sharedAs = root.ns === NS.CS && root.name === 'shared-as' ? root : child(root, CS('shared-as'));
  return textOf(child(sharedAs, D('href'))) || undefined;
}

/** SOGo's own subscription request (inverse-dav), sent by the sharee to the owner's calendar URL. */
export const subscribeBody = (): string => serialize(el(qn(INVERSE_DAV, 'subscribe')));
export const unsubscribeBody = (): string => serialize(el(qn(INVERSE_DAV, 'unsubscribe')));

/** RFC 5842 §4: BIND SEGMENT in the request URL's collection to HREF. */
export const bindBody = (segment: string, href: string): string => serialize(el(D('bind'), el(D('segment'), segment), el(D('href'), href)));

/**
 * A binding segment that says whose calendar it is: "<owner>.<calendar>", the shape Cyrus gives an
 * accepted share (alice.Default). Only characters safe in a path segment and in a file name.
 */
export function bindingSegment(ownerUser: string, calendarSegment: string): string {
  const clean = (s: string) => s.normalize('NFKC').replace(/[^A-Za-z0-9_-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 40) || 'x';
  return `${clean(ownerUser)}.${clean(calendarSegment)}`;
}

/** The last non-empty path segment, decoded. */
export function lastSegment(url: URL): string {
  const seg = url.pathname.replace(/\/+$/, '').split('/').pop() ?? '';
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
}

/** My entry in a calendar's CS:invite / DAV:invite, as the sharee reads it: addresses or principal. */
export function myInviteStatus(
  invite: XmlElement | undefined,
  ns: string,
  me: { addresses: readonly string[]; principal: URL },
  base: URL,
): ReplyStatus | undefined {
  const entries = children(invite, qn(ns, ns === NS.CS ? 'user' : 'sharee'));
  const mine = new Set(me.addresses.map((a) => a.toLowerCase()));
  const isMe = (e: XmlElement) => {
    const href = textOf(child(e, D('href'))) ?? '';
    if (mine.has(href.toLowerCase())) return true;
    try {
      const u = hrefUrl(href, base);
      return u.origin === me.principal.origin && u.pathname.replace(/\/+$/, '') === me.principal.pathname.replace(/\/+$/, '');
    } catch {
      return false;
    }
  };
  // A sharee sees only their own entry on Cyrus; where several are listed, only an exact match counts.
  const entry = entries.find(isMe) ?? (entries.length === 1 ? entries[0] : undefined);
  return entry && statusIn(entry, ns);
}
