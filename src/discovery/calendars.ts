// Listing the calendar home in one Depth-1 PROPFIND (RFC 4791 §4.2), asking at the same time for
// every property sharing-capability detection and sharee counting need, so neither costs a request.
// Servers that refuse the whole PROPFIND over one property they cannot answer get the same facts
// in more requests (propfindTolerant), and that property reads as absent.
import type { Transport } from '../transport/http.js';
import { NS, clark, qn, type QName } from '../xml/names.js';
import { stateProps } from '../sharing/registry.js';
import { child, children, textOf, type XmlElement } from '../xml/parse.js';
import { el, elWith, serialize, type XmlNode } from '../xml/build.js';
import { hrefUrl, prop, type MultiStatusResponse } from '../xml/multistatus.js';
import { parseResponse, propfind, propfindTolerant, isPropertyRefusal, sameResource, selfResponse } from './propfind.js';
import { AuthError, NetworkError, ServerRefusedError } from '../errors.js';
import type { Principal } from './discover.js';
import { serverOptionsOf } from './capabilities.js';
import { fingerprint } from '../servers/fingerprint.js';
import { quirksFor, quirksOf, type Quirk } from '../servers/quirks.js';
import type { DavResponse } from '../transport/http.js';
import { pool } from '../util/pool.js';

const D = (n: string) => qn(NS.DAV, n);

export const P = {
  resourcetype: D('resourcetype'),
  displayname: D('displayname'),
  owner: D('owner'),
  acl: D('acl'),
  supportedPrivileges: D('supported-privilege-set'),
  currentPrivileges: D('current-user-privilege-set'),
  invite: D('invite'), // draft-pot-webdav-resource-sharing §4.4.2
  shareAccess: D('share-access'), // draft-pot §4.4.1
  csInvite: qn(NS.CS, 'invite'), // caldav-sharing §5.2.2
  csSharingModes: qn(NS.CS, 'allowed-sharing-modes'), // caldav-sharing §5.1.1
  csSharedUrl: qn(NS.CS, 'shared-url'),
  color: qn(NS.ICAL, 'calendar-color'),
  description: qn(NS.CALDAV, 'calendar-description'),
  // RFC 6578 §4: any URI; Radicale's own (http://radicale.org/ns/sync/…) tells it apart when its
  // WSGI server does not name itself, so refusals can give Radicale's administrator advice.
  syncToken: D('sync-token'),
  // Nextcloud marks calendars shared with the user (shared/staging/NEXTCLOUD.md §5.4): whose, and
  // oc:read-only "1" for view-only; read by src/invitations/shared-with-me.ts.
  ocOwner: qn(NS.OC, 'owner-principal'),
  ocReadOnly: qn(NS.OC, 'read-only'),
  ncOwnerName: qn('http://nextcloud.com/ns', 'owner-displayname'),
  // RFC 3253 §3.1.5: reports are how some servers offer sharing (SOGo's acl-query, SOGO.md §2).
  supportedReports: D('supported-report-set'),
} as const;

/**
 * Every property one listing asks for: the calendar's own, plus each registered mechanism's state
 * properties (registry.ts), so sharees and capabilities cost no extra request. Servers answer 404
 * per property for what they lack.
 */
export const LISTING_PROPS: readonly QName[] = [...Object.values(P), ...stateProps()].filter(
  (q, i, all) => all.findIndex((x) => clark(x) === clark(q)) === i,
);

/**
 * What a read that needs only the sharing state asks for (sharees, a read-back after a change): the
 * listing's properties, less those the product's quirks call costly ('costly-props': Cyrus computes
 * the sharing state anew for each of them) and the state of mechanisms that mirror another's
 * ('mirrored-state': read from that one). Everything the listing carries for unknown products.
 */
export function statePropsFor(quirks: readonly Quirk[] | undefined, keep: readonly QName[] = []): readonly QName[] {
  const kept = new Set(keep.map(clark));
  const costly = new Set(quirksOf(quirks, 'costly-props').flatMap((q) => q.props.map(clark)).filter((c) => !kept.has(c)));
  if (costly.size === 0) return LISTING_PROPS;
  return LISTING_PROPS.filter((q) => !costly.has(clark(q)));
}

/**
 * What a read before a change asks for: the state, plus DAV:current-user-privilege-set, which tells
 * whether the ACL method is open to the user (RFC 3744 §5.4, §3.7 write-acl) when capabilities are judged.
 */
export const changePropsFor = (quirks: readonly Quirk[] | undefined): readonly QName[] => statePropsFor(quirks, [P.currentPrivileges]);

/**
 * Whether an answer is a calendar collection. RFC 4791 §4.2: DAV:resourcetype has DAV:collection and
 * C:calendar. Where a quirk left resourcetype out of the read as costly, the quirk's `calendarBy`
 * property answering tells a calendar instead.
 */
function isCalendarIn(r: MultiStatusResponse, quirks: readonly Quirk[] | undefined, asked: readonly QName[]): boolean {
  if (asked.some((q) => clark(q) === clark(P.resourcetype))) return isCalendar(r);
  const by = quirksOf(quirks, 'costly-props').find((q) => q.calendarBy)?.calendarBy;
  return by !== undefined && prop(r, by) !== undefined;
}

export interface Calendar {
  url: URL;
  displayName: string | undefined;
  color: string | undefined;
  description: string | undefined;
  /** Whether the signed-in user owns it; false when someone shared it with them. */
  owned: boolean;
  ownerHref: string | undefined;
  /** The raw answer, for capability detection and the sharing mechanisms. */
  props: MultiStatusResponse;
  /** The quirks of the product that answered the listing (servers/quirks.ts), when listed. */
  quirks?: readonly Quirk[];
}

/** The name people know a calendar by: its display name, else the last path segment. */
export function calendarName(c: Pick<Calendar, 'url' | 'displayName'>): string {
  if (c.displayName) return c.displayName;
  const seg = c.url.pathname.replace(/\/+$/, '').split('/').pop() ?? '';
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
}

function isCalendar(r: MultiStatusResponse): boolean {
  // RFC 4791 §4.2: a calendar collection has both DAV:collection and C:calendar in its resourcetype.
  // Inbox/outbox (C:schedule-inbox) and notification collections lack C:calendar.
  const rt = prop(r, P.resourcetype);
  return child(rt, qn(NS.CALDAV, 'calendar')) !== undefined && child(rt, D('collection')) !== undefined;
}

/** Ownership per draft-pot's DAV:share-access, else CS:shared-url's presence, else DAV:owner. */
function isOwned(r: MultiStatusResponse, principal: Principal): boolean {
  const accessEl = prop(r, P.shareAccess)?.children[0];
  const access = accessEl?.ns === NS.DAV ? accessEl.name : undefined;
  if (access === 'read' || access === 'read-write') return false;
  if (access === 'shared-owner' || access === 'not-shared') return true;
  if (prop(r, P.csSharedUrl)) return false;
  const owner = textOf(child(prop(r, P.owner), D('href')));
  return owner === undefined || sameResource(new URL(owner, r.url), principal.url);
}

export function toCalendar(r: MultiStatusResponse, principal: Principal): Calendar {
  return {
    url: r.url,
    displayName: textOf(prop(r, P.displayname)) || undefined,
    color: textOf(prop(r, P.color)) || undefined,
    description: textOf(prop(r, P.description)) || undefined,
    owned: isOwned(r, principal),
    ownerHref: textOf(child(prop(r, P.owner), D('href'))),
    props: r,
  };
}

/** A calendar href on another origin is refused here (url-policy.ts), before a command acts on it. */
async function confined(t: Transport, calendars: Calendar[]): Promise<Calendar[]> {
  for (const c of calendars) await t.policy?.check(c.url, `listing your calendar ${c.url.pathname}`);
  return calendars;
}

/** One listing of the calendar home: its calendars, and the home's own answer when it came in the same request. */
export interface HomeListing {
  calendars: Calendar[];
  /**
   * The home itself (RFC 4918 §9.1: a Depth-1 PROPFIND answers for the collection too) with every
   * LISTING_PROPS property, DAV:acl among them, so the home's ACL costs no request of its own.
   * Undefined when the server refused the full listing and calshare listed in several requests.
   */
  home: MultiStatusResponse | undefined;
}

export async function listCalendars(t: Transport, principal: Principal): Promise<Calendar[]> {
  return (await listHome(t, principal)).calendars;
}

/**
 * `props`: what to ask each calendar for; the whole listing by default. A read for the sharing state
 * only passes statePropsFor(the product's quirks).
 */
export async function listHome(t: Transport, principal: Principal, props: readonly QName[] = LISTING_PROPS, known?: readonly Quirk[]): Promise<HomeListing> {
  const purpose = 'listing your calendars';
  try {
    const { responses, headers, url } = await propfind(t, principal.homeUrl, props, '1', purpose);
    const quirks = quirksOfAnswer(headers, known);
    const calendars = responses.filter((r) => isCalendarIn(r, quirks, props) && !notCalendar(r.url, principal, quirks)).map((r) => ({ ...toCalendar(r, principal), quirks }));
    return { calendars: await confined(t, calendars), home: responses.find((r) => sameResource(r.url, url)) };
  } catch (e) {
    // SOGo 5.8 answers 501 to the whole Depth-1 PROPFIND because DAV:acl fails on the
    // personal.ics/personal.xml export views next to each calendar.
    if (!isPropertyRefusal(e)) throw e;
  }
  // Which calendars there are, with the one property every WebDAV server answers (RFC 4918 §15.9),
  // then each calendar's properties on their own, so a property that fails is one property less.
  const { responses, headers } = await propfind(t, principal.homeUrl, [P.resourcetype], '1', purpose);
  const quirks = quirksOfAnswer(headers);
  const found = responses.filter((r) => isCalendar(r) && !notCalendar(r.url, principal, quirks));
  const full = await pool(found, 4, async (r) => (await propfindTolerant(t, r.url, LISTING_PROPS, `reading calendar ${r.url.pathname}`, r)) ?? r);
  return { calendars: await confined(t, full.filter(isCalendar).map((r) => ({ ...toCalendar(r, principal), quirks }))), home: undefined };
}

/** Whether `url` is a direct member of the user's calendar home, where the listing would find it. */
export function inHome(url: URL, principal: Principal): boolean {
  const home = principal.homeUrl.pathname.replace(/\/*$/, '/');
  const path = url.pathname.replace(/\/*$/, '');
  return url.origin === principal.homeUrl.origin && path.startsWith(home) && !path.slice(home.length).includes('/') && path.length > home.length;
}

/** One calendar's Depth-0 answer to LISTING_PROPS (plus `extra`), with the quirks of the product that sent it. */
export interface CalendarAnswer {
  response: MultiStatusResponse;
  quirks: readonly Quirk[];
  /** The properties asked for (without `extra`): LISTING_PROPS, or statePropsFor's lean set. */
  asked: readonly QName[];
}

/**
 * One Depth-0 PROPFIND of a calendar with everything the listing carries (and `extra`, e.g.
 * DAV:current-user-principal so that the answer also says who the user is). Undefined when the URL
 * is refused or missing (SOGo's 501 over one property, a 404): the caller lists the home instead.
 * Sign-in and network failures stand.
 */
export async function readCalendarAnswer(t: Transport, url: URL, extra: readonly QName[] = [], props: readonly QName[] = LISTING_PROPS, known?: readonly Quirk[]): Promise<CalendarAnswer | undefined> {
  let answer: Awaited<ReturnType<typeof propfind>>;
  try {
    answer = await propfind(t, url, [...props, ...extra], '0', `reading calendar ${url.pathname}`);
  } catch (e) {
    if (e instanceof AuthError || e instanceof NetworkError) throw e;
    return undefined;
  }
  const response = selfResponse(answer.responses, answer.url) ?? selfResponse(answer.responses, url);
  return response ? { response, quirks: quirksOfAnswer(answer.headers, known), asked: props } : undefined;
}

/** The calendar in an answer, when it is one of the user's own home's calendars (as the listing would have it). */
export async function ownCalendarOf(t: Transport, principal: Principal, answer: CalendarAnswer | undefined): Promise<Calendar | undefined> {
  const r = answer?.response;
  if (!r || !inHome(r.url, principal) || !isCalendarIn(r, answer.quirks, answer.asked) || notCalendar(r.url, principal, answer.quirks)) return undefined;
  return (await confined(t, [{ ...toCalendar(r, principal), quirks: answer.quirks }]))[0];
}

/**
 * One of the user's calendars by URL, with everything the listing carries, in one Depth-0 PROPFIND
 * instead of the whole home's listing (issue 14: a command on one calendar reads only that
 * calendar). Only a direct member of the home, as the listing would have it; undefined when the
 * URL is no such calendar or any property is refused (SOGo's 501): the caller then lists the home.
 */
export async function readOwnCalendar(t: Transport, principal: Principal, url: URL, props: readonly QName[] = LISTING_PROPS, known?: readonly Quirk[]): Promise<Calendar | undefined> {
  if (!inHome(url, principal)) return undefined;
  return ownCalendarOf(t, principal, await readCalendarAnswer(t, url, [], props, known));
}

/**
 * A calendar named by URL and the signed-in user's principal in one request (issue 14: a cold share
 * by URL costs N + 4 on Cyrus): REPORT DAV:expand-property (RFC 3253 §3.8) on the calendar asks
 * every listing property of the calendar and, expanded through DAV:current-user-principal (RFC 5397
 * §3), the principal's calendar home, addresses and name (RFC 4791 §6.2.1, RFC 6638 §2.4.1).
 * Trusted only when complete, since a server may ignore what it does not implement: the calendar's
 * answer must account for every property asked (each with a status, as PROPFIND's would), and the
 * principal's must carry a home. Otherwise undefined, and the caller reads calendar and principal
 * with one PROPFIND each. The principal's URLs pass the origin policy like discovery's.
 */
export async function readCalendarExpanded(
  t: Transport,
  url: URL,
  props: readonly QName[] = LISTING_PROPS,
  known?: readonly Quirk[],
): Promise<{ answer: CalendarAnswer; principal?: Principal; principalUrl?: URL } | undefined> {
  const property = (q: QName, ...inner: XmlNode[]) => elWith(D('property'), { name: q.name, namespace: q.ns }, ...inner);
  const body = serialize(
    el(D('expand-property'), ...props.map((q) => property(q)), property(CUP, ...PRINCIPAL_PROPS.map((q) => property(q)))),
  );
  const purpose = `reading calendar ${url.pathname}`;
  let res: Awaited<ReturnType<Transport['send']>>;
  try {
    res = await t.send({ method: 'REPORT', url, headers: { depth: '0' }, body, purpose });
  } catch (e) {
    // A server that refuses the report (SOGo 5.8: 501) or the calendar (404) is asked by PROPFIND,
    // which explains a miss as before. Sign-in and network failures stand.
    if (e instanceof ServerRefusedError) return undefined;
    throw e;
  }
  if (res.status !== 207) return undefined;
  // An answer that cannot be read fails as a PROPFIND's would (BAD_RESPONSE): a broken or hostile
  // 207 is never a reason to ask again.
  const responses = parseResponse(res.body, res.url, url, purpose);
  const response = selfResponse(responses, res.url) ?? selfResponse(responses, url);
  if (!response || !props.every((q) => response.props.has(clark(q)))) return undefined;
  const answer: CalendarAnswer = { response, quirks: quirksOfAnswer(res.headers, known), asked: props };
  const inner = child(prop(response, CUP), D('response'));
  const me = inner && expandedPrincipal(inner, res.url);
  if (!me) {
    // DAViCal 1.1.12 answers the calendar completely but expands none of the principal's
    // properties: its href still says who the user is, and the principal is read on its own.
    const href = textOf(child(inner, D('href'))) ?? textOf(child(prop(response, CUP), D('href')));
    if (!href) return undefined;
    const principalUrl = hrefUrl(href, res.url);
    await t.policy?.check(principalUrl, 'following your principal');
    return { answer, principalUrl };
  }
  await t.policy?.check(me.url, 'following your principal');
  await t.policy?.check(me.homeUrl, 'following your calendar home');
  return { answer, principal: me };
}

const CUP = D('current-user-principal');
const PRINCIPAL_PROPS: readonly QName[] = [qn(NS.CALDAV, 'calendar-home-set'), qn(NS.CALDAV, 'calendar-user-address-set'), D('displayname')];

/** The principal in an expanded DAV:response element (RFC 3253 §3.8), when it names a home. */
function expandedPrincipal(r: XmlElement, base: URL): Principal | undefined {
  const href = textOf(child(r, D('href')));
  if (!href) return undefined;
  const found = new Map<string, XmlElement>();
  for (const ps of children(r, D('propstat'))) {
    const status = textOf(child(ps, D('status'))) ?? '';
    if (!/^HTTP\/\d(\.\d)? 2\d\d\b/.test(status)) continue;
    for (const p of child(ps, D('prop'))?.children ?? []) found.set(clark(p), p);
  }
  const [HOME, ADDRESSES, NAME] = PRINCIPAL_PROPS as [QName, QName, QName];
  const homeHref = textOf(child(found.get(clark(HOME)), D('href')));
  if (!homeHref) return undefined;
  try {
    return {
      url: hrefUrl(href, base),
      homeUrl: hrefUrl(homeHref, base),
      displayName: textOf(found.get(clark(NAME))) || undefined,
      addresses: children(found.get(clark(ADDRESSES)), D('href')).flatMap((h) => textOf(h) || []),
    };
  } catch {
    return undefined;
  }
}

/** A calendar as a name needs it: where it is and what it is called. */
export interface NamedCalendar {
  url: URL;
  displayName: string | undefined;
}

/** What resolving a name reads of each member of the home (issue 14): not the sharing state. */
const NAME_PROPS: readonly QName[] = [P.resourcetype, P.displayname];

/**
 * The home's calendars with just what a name needs (a Depth-1 PROPFIND of resourcetype and
 * displayname, RFC 4791 §4.2), and the quirks of the product that answered. Undefined when the
 * server refuses even that; the caller then uses the full listing, which copes.
 */
export async function listNames(t: Transport, principal: Principal): Promise<{ calendars: NamedCalendar[]; quirks: readonly Quirk[] } | undefined> {
  let answer: Awaited<ReturnType<typeof propfind>>;
  try {
    answer = await propfind(t, principal.homeUrl, NAME_PROPS, '1', 'listing your calendars by name');
  } catch (e) {
    if (!isPropertyRefusal(e)) throw e;
    return undefined;
  }
  const quirks = quirksOfAnswer(answer.headers);
  const found = answer.responses.filter((r) => isCalendar(r) && !notCalendar(r.url, principal, quirks));
  for (const r of found) await t.policy?.check(r.url, `listing your calendar ${r.url.pathname}`);
  return { calendars: found.map((r) => ({ url: r.url, displayName: textOf(prop(r, P.displayname)) || undefined })), quirks };
}

/** One calendar found by name, read with its sharing state (Depth 0, property by property where refused). */
export async function readNamedCalendar(t: Transport, principal: Principal, url: URL, quirks: readonly Quirk[]): Promise<Calendar | undefined> {
  const r = await propfindTolerant(t, url, LISTING_PROPS, `reading calendar ${url.pathname}`);
  return r && isCalendar(r) ? { ...toCalendar(r, principal), quirks } : undefined;
}

/**
 * The quirks of the product that sent an answer (the listing needs no OPTIONS for this); where the
 * answer does not name it (Cyrus names itself only on OPTIONS), those already `known` for the server.
 */
const quirksOfAnswer = (headers: DavResponse['headers'], known?: readonly Quirk[]): readonly Quirk[] => {
  const id = fingerprint(serverOptionsOf(headers)).id;
  return id === 'other' && known ? known : quirksFor(id);
};

/**
 * A member of the calendar home that a server quirk says is no calendar people share, although its
 * resourcetype says calendar (RFC 4791 §4.2): DAViCal's scheduling inbox and outbox, .in/ and .out/,
 * which RFC 6638 §2.1-2.2 would mark with C:schedule-inbox/-outbox instead. Matched by the path
 * segment right under the home.
 */
export function notCalendar(url: URL, principal: Principal, quirks: readonly Quirk[]): boolean {
  const segments = quirks.flatMap((q) => (q.kind === 'not-calendars' ? q.segments : []));
  const home = principal.homeUrl.pathname.replace(/\/*$/, '/');
  if (segments.length === 0 || !url.pathname.startsWith(home)) return false;
  const rest = url.pathname.slice(home.length).replace(/\/+$/, '');
  return segments.includes(rest);
}

/**
 * Re-reads one calendar's properties (Depth 0), e.g. to verify a sharing change. With the quirks of
 * the product that answered before, only what the sharing state needs (statePropsFor).
 */
export async function readCalendar(t: Transport, principal: Principal, url: URL, purpose: string, quirks?: readonly Quirk[]): Promise<Calendar | undefined> {
  const props = statePropsFor(quirks);
  const r = await propfindTolerant(t, url, props, purpose);
  return r && isCalendarIn(r, quirks, props) ? { ...toCalendar(r, principal), ...(quirks ? { quirks } : {}) } : undefined;
}


/** Privileges the user holds on a resource (RFC 3744 §5.4), as Clark names. */
export function currentPrivileges(r: MultiStatusResponse): Set<string> {
  return new Set(
    children(prop(r, P.currentPrivileges), D('privilege')).flatMap((p) => p.children.map((c) => `{${c.ns}}${c.name}`)),
  );
}
