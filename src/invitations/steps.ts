// How a calendar shared with someone reaches *their* calendar app, per mechanism and server, as
// data: apps (Thunderbird, DAVx⁵, Apple Calendar, python-caldav) find calendars only by listing
// the user's own calendar home, and servers differ in when (or whether) a share appears there.
// Each rule carries the observation behind it (shared/staging/*.md).
import type { MechanismId } from '../discovery/capabilities.js';

export type ShareeStepKind =
  /** An invitation waits; the calendar is listed in the sharee's home once they accept. */
  | 'accept-invitation'
  /** The server already lists it in the sharee's home. */
  | 'in-home'
  /** Listed after the sharee subscribes (SOGo's inverse-dav <subscribe/>). */
  | 'subscribe'
  /** Listed after the sharee BINDs it into their own home (RFC 5842). */
  | 'bind'
  /** Nothing puts it in the sharee's home: it works only at the owner's URL. */
  | 'open-url';

export interface ShareeStep {
  kind: ShareeStepKind;
  seen: string;
}

export interface ServerTraits {
  /** DAV: compliance classes, lower-cased. */
  dav: readonly string[];
  /** Allow methods, upper-cased. */
  allow: readonly string[];
  /** The Server header (SOGo sends it on PROPFIND answers, not on OPTIONS). */
  server: string | undefined;
  /** Reports in DAV:supported-report-set (RFC 3253 §3.1.5), as Clark names. */
  reports?: readonly string[];
}

export const SOGO_ACL_QUERY = '{urn:inverse:params:xml:ns:inverse-dav}acl-query';

interface Rule {
  when: {
    mechanism?: MechanismId | 'oc-share' | 'acl-query';
    davClass?: string;
    allows?: string;
    server?: RegExp;
    report?: string;
    notifications?: boolean;
  };
  step: ShareeStep;
}

/** First match wins. Server-side facts only; the owner's side adds what the read-back shows (see ownerStep). */
export const SHAREE_STEPS: readonly Rule[] = [
  {
    when: { davClass: 'oc-resource-sharing' },
    step: { kind: 'in-home', seen: 'Nextcloud 31: a share appears in the sharee\'s home at once, as <calendar>_shared_by_<owner>' },
  },
  {
    when: { mechanism: 'oc-share' },
    step: { kind: 'in-home', seen: 'Nextcloud 31: a share appears in the sharee\'s home at once, as <calendar>_shared_by_<owner>' },
  },
  {
    when: { server: /\bSOPE\b/i },
    step: { kind: 'subscribe', seen: 'SOGo 5.8: nothing appears in the sharee\'s home until they POST <subscribe/> (inverse-dav) to the calendar; then <owner>_<calendar>' },
  },
  {
    when: { report: SOGO_ACL_QUERY },
    step: { kind: 'subscribe', seen: 'SOGo 5.8: its collections offer the inverse-dav acl-query report, and a sharee subscribes with <subscribe/> of the same namespace' },
  },
  {
    when: { mechanism: 'acl-query' },
    step: { kind: 'subscribe', seen: 'SOGo 5.8: nothing appears in the sharee\'s home until they POST <subscribe/> (inverse-dav) to the calendar' },
  },
  {
    when: { mechanism: 'cs' },
    step: { kind: 'accept-invitation', seen: 'Cyrus 3.6: the share is listed in the sharee\'s home (as <owner>.<calendar>) only after an invite reply' },
  },
  {
    when: { mechanism: 'resource-sharing' },
    step: { kind: 'accept-invitation', seen: 'Cyrus 3.6: the share is listed in the sharee\'s home only after an invite reply' },
  },
  {
    when: { notifications: true },
    step: { kind: 'accept-invitation', seen: 'caldav-sharing §5.5: invitations arrive in the notification collection and are answered with CS:invite-reply' },
  },
  {
    // RFC 5842 §8.1: "bind" in DAV: is the claim; BIND is allowed on the home, not on the calendar.
    when: { davClass: 'bind' },
    step: { kind: 'bind', seen: 'DAViCal 1.1.12: a grant never shows in the sharee\'s home; a BIND of the calendar into their home makes it appear, and it vanishes on revoke' },
  },
  {
    when: {},
    step: { kind: 'open-url', seen: 'RFC 3744: an ACL grant gives access at the owner\'s URL and lists nothing in the sharee\'s home' },
  },
];

export interface StepQuery {
  traits: ServerTraits;
  mechanism?: string;
  notifications?: boolean;
}

export function ruleMatches(r: Rule, q: StepQuery): boolean {
  const w = r.when;
  if (w.mechanism !== undefined && w.mechanism !== q.mechanism) return false;
  if (w.davClass !== undefined && !q.traits.dav.includes(w.davClass)) return false;
  // An empty Allow proves nothing either way (Nextcloud omits POST yet handles it).
  if (w.allows !== undefined && q.traits.allow.length > 0 && !q.traits.allow.includes(w.allows)) return false;
  if (w.server !== undefined && !w.server.test(q.traits.server ?? '')) return false;
  if (w.report !== undefined && !(q.traits.reports ?? []).includes(w.report)) return false;
  if (w.notifications !== undefined && w.notifications !== Boolean(q.notifications)) return false;
  return true;
}

export function stepFor(q: StepQuery): ShareeStep {
  return SHAREE_STEPS.find((r) => ruleMatches(r, q))!.step;
}

/** The sharee's side: what their server does with calendars shared with them. */
export const shareeStepFor = (traits: ServerTraits, notifications: boolean): ShareeStep => stepFor({ traits, notifications });

/**
 * The owner's side, per person after a verified share: the server's rule, corrected by what the
 * read-back shows. An invitation already accepted (the server accepted on the sharee's behalf, as
 * sabre/dav 4 does, or Cyrus remembering an earlier answer across a re-share) means it is listed.
 */
export function ownerStep(mechanism: string, traits: ServerTraits, status: string | undefined): ShareeStepKind | 'declined' {
  const kind = stepFor({ traits, mechanism }).kind;
  if (kind !== 'accept-invitation') return kind;
  return status === 'accepted' ? 'in-home' : status === 'declined' ? 'declined' : 'accept-invitation';
}

const quoteArg = (s: string) => (/^[A-Za-z0-9@._:/+-]+$/.test(s) ? s : `'${s.replace(/'/g, `'\\''`)}'`);

export interface Guidance {
  step: ShareeStepKind | 'declined';
  /** The command the sharee runs, when there is one. */
  command: string | undefined;
  /** Where the sharee's app finds the calendar now, if anywhere but their own home. */
  url: string;
  text: string;
}

/** One person's next step, in words for the owner to pass on. */
export function guidance(kind: ShareeStepKind | 'declined', who: string, calendar: { name: string; url: string }): Guidance {
  const byName = `calshare accept ${quoteArg(calendar.name)}`;
  const byUrl = `calshare accept ${quoteArg(calendar.url)}`;
  switch (kind) {
    case 'accept-invitation':
      return { step: kind, command: byName, url: calendar.url, text: `${who} must accept the invitation first: \`${byName}\` as ${who}, or in any app that shows invitations; then it is in their calendar list` };
    case 'declined':
      return { step: kind, command: byName, url: calendar.url, text: `${who} declined this invitation earlier; they keep the access, and \`${byName}\` as ${who} puts it in their calendar list` };
    case 'in-home':
      return { step: kind, command: undefined, url: calendar.url, text: `${who} finds it in their calendar list already: the server added it` };
    case 'subscribe':
      return { step: kind, command: byUrl, url: calendar.url, text: `${who} must add it to their calendar list: \`${byUrl}\` as ${who} (a subscription); until then it works only at ${calendar.url}` };
    case 'bind':
      return { step: kind, command: byUrl, url: calendar.url, text: `${who} can add it to their calendar list with \`${byUrl}\` as ${who}; until then their app finds it only at ${calendar.url}` };
    case 'open-url':
      return { step: kind, command: undefined, url: calendar.url, text: `${who} can open it at ${calendar.url}; this server does not list it in their own calendars` };
  }
}

/** Per person with access after a change: what they do to see the calendar in their own app. */
export function guidanceFor(
  o: { mechanism: string; used?: readonly string[]; calendar: { url: URL }; results: readonly { email: string; after: string; status?: string | undefined }[] },
  calendarName: string,
  traits: ServerTraits,
): Map<string, Guidance> {
  const out = new Map<string, Guidance>();
  for (const r of o.results) {
    if (r.after !== 'read' && r.after !== 'edit') continue;
    out.set(r.email, guidance(ownerStep(o.mechanism, traits, r.status), r.email, { name: calendarName, url: o.calendar.url.href }));
  }
  return out;
}
