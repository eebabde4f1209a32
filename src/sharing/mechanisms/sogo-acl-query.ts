// SOGo's acl-query (namespace urn:inverse:params:xml:ns:inverse-dav): SOGo 5.8 has none of the
// standard sharing protocols (ACL → 405, CS:share and DAV:share-resource POSTs → 500) and shares
// through this extension instead, POSTed or REPORTed to the calendar as its owner. It names people
// by SOGo uid, never by address or principal URL: a uid it does not know is stored and grants
// nothing, and every write answers 204 whatever it stored, so the engine's read-back is the proof.
// Observed behaviour: ../shared/staging/SOGO.md §4-§7 (SOGo 5.8.0, Debian 12).
import type { Calendar } from '../../discovery/calendars.js';
import type { ServerOptions } from '../../discovery/capabilities.js';
import { UnsupportedError } from '../../errors.js';
import { el, elWith, serialize } from '../../xml/build.js';
import { NS, qn } from '../../xml/names.js';
import { prop } from '../../xml/multistatus.js';
import { child, children, parseXml, textOf, type XmlElement } from '../../xml/parse.js';
import type { Change, Evidence, Grant, Level, Mechanism, MechanismContext, PlannedRequest } from '../types.js';

const I = (n: string) => qn(NS.INVERSE, n);
const SUPPORTED_REPORTS = qn(NS.DAV, 'supported-report-set'); // RFC 3253 §3.1.5
const ACL_QUERY = I('acl-query');
const CONTENT_TYPE = 'application/xml; charset=utf-8'; // SOGo: any other type → 500, nothing applied

/**
 * The role sets that give exactly the two levels (SOGO.md §7, proven as the sharee there and in
 * test/integration/sharing-sogo.test.ts): view-only = read every event, public, confidential and
 * private; edit = also change, create and delete them (the web UI's "all rights", calendar-proxy-write).
 * Responder/DAndTViewer roles grant less or other than these and read as "other".
 */
export const ROLES: Record<Level, readonly string[]> = {
  read: ['PublicViewer', 'ConfidentialViewer', 'PrivateViewer'],
  edit: ['PublicModifier', 'ConfidentialModifier', 'PrivateModifier', 'ObjectCreator', 'ObjectEraser'],
};
/** Roles that let the holder write; view-only is the three viewers and none of these. */
const WRITE_ROLE = /Modifier$|Responder$|^ObjectCreator$|^ObjectEraser$/;

/** A stored role set as a level; undefined = no access at all (no roles, or only SOGo's "None"). */
export function levelOfRoles(roles: readonly string[]): Level | 'other' | undefined {
  const set = new Set(roles.filter((r) => r !== 'None'));
  if (set.size === 0) return undefined;
  if (ROLES.edit.every((r) => set.has(r))) return 'edit';
  if (ROLES.read.every((r) => set.has(r)) && ![...set].some((r) => WRITE_ROLE.test(r))) return 'read';
  return 'other';
}

// SOGo puts uids into SQL by string formatting and splits `users="a,b"` at commas: only plain ones.
const UID = /^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$/;

/** The principal collection: the parent of the user's principal (SOGo spells it with or without a final slash). */
const collectionOf = (me: URL): URL => new URL('..', new URL(me.pathname.replace(/\/*$/, '/'), me));

/**
 * The SOGo uid of a principal URL: the one path segment under the principal collection the signed-in
 * user's own principal sits in (/SOGo/dav/bob/ → "bob"). Undefined when the URL is elsewhere.
 */
export function uidOf(principal: URL, me: URL): string | undefined {
  const base = collectionOf(me);
  if (principal.origin !== me.origin || !principal.pathname.startsWith(base.pathname)) return undefined;
  const rest = principal.pathname.slice(base.pathname.length).replace(/\/$/, '');
  let uid: string;
  try {
    uid = decodeURIComponent(rest);
  } catch {
    return undefined;
  }
  return UID.test(uid) ? uid : undefined;
}

const query = (...body: Parameters<typeof el>[1][]) => serialize(el(ACL_QUERY, ...body));

/** Writes are POSTs; reads are REPORTs (SOGo treats both alike), so a trace tells them apart. */
function request(cal: Calendar, body: string, purpose: string, method: 'POST' | 'REPORT' = 'POST'): PlannedRequest {
  const headers: Record<string, string> = { 'content-type': CONTENT_TYPE, ...(method === 'REPORT' ? { depth: '0' } : {}) };
  return { method, url: cal.url, headers, body, purpose };
}

/** Whether the calendar's listing shows acl-query among its reports: the reliable sign (SOGO.md §2). */
function offersAclQuery(cal: Calendar): boolean {
  const reports = children(prop(cal.props, SUPPORTED_REPORTS), qn(NS.DAV, 'supported-report'));
  return reports.some((r) => child(child(r, qn(NS.DAV, 'report')), ACL_QUERY) !== undefined);
}

function detect(cal: Calendar, _server: ServerOptions): Evidence {
  return offersAclQuery(cal)
    ? { for: ['DAV:supported-report-set lists acl-query (urn:inverse:params:xml:ns:inverse-dav)'], against: [] }
    : { for: [], against: ['DAV:supported-report-set does not list acl-query'] };
}

interface Listed {
  uid: string;
  name: string | undefined;
  email: string | undefined;
}

/**
 * A user-list answer: 207 but no DAV:multistatus, a bare un-namespaced <user-list> (SOGO.md §4.2).
 * <default-user> (any authenticated user) is not a person and is skipped.
 */
export function parseUserList(body: string): Listed[] {
  const root = body.trim() ? parseXml(body) : undefined;
  if (!root || root.name !== 'user-list') return [];
  const local = (e: XmlElement | undefined, n: string) => e?.children.find((c) => c.name === n);
  return root.children
    .filter((u) => u.name === 'user')
    .flatMap((u) => {
      const uid = textOf(local(u, 'id'));
      if (!uid) return [];
      return [{ uid, name: textOf(local(u, 'displayName')) || undefined, email: textOf(local(u, 'email'))?.toLowerCase() || undefined }];
    });
}

/** A roles answer: <roles><PublicViewer/>…</roles>, or an empty 204 for someone without a row. */
export function parseRoles(body: string): string[] {
  const root = body.trim() ? parseXml(body) : undefined;
  return root?.name === 'roles' ? root.children.map((r) => r.name) : [];
}

/** The uid each change is for; refuses before anything is sent when one cannot be named safely. */
function uidsFor(changes: readonly Change[], ctx: MechanismContext): string[] {
  return changes.map((c) => {
    const uid = c.who.principal && uidOf(c.who.principal, ctx.me.url);
    if (!uid) {
      throw new UnsupportedError(
        `cannot tell which SOGo user ${c.who.email} is (no principal URL under ${collectionOf(ctx.me.url).pathname})`,
        'SOGo shares by user id; check the address with the person, or their SOGo administrator.',
      );
    }
    return uid;
  });
}

export const sogoAclQuery: Mechanism = {
  id: 'acl-query',
  name: "SOGo's acl-query",
  spec: 'SOGo DAV extension urn:inverse:params:xml:ns:inverse-dav',
  davToken: undefined, // SOGo advertises no DAV: class for it; supported-report-set is the sign
  request: { method: 'POST', body: 'INVERSE:acl-query (set-roles, remove-users)' },
  contentType: CONTENT_TYPE,
  stateProps: [],
  detect,
  // user-list names everyone with a role on the calendar, however it was given (web UI, proxy
  // delegation, another client): it is the access list itself, not a list of invitations.
  seesForeignGrants: true,
  // set-roles carries one role set for all the users it names.
  oneLevelPerWrite: true,
  grants: () => [], // not in the listing: stateRequests/parseState read it
  /**
   * Round 1: user-list; round 2: one `roles` per listed user (acl-query answers only its first child,
   * so roles cannot be batched). Nothing on calendars that do not offer acl-query.
   */
  stateRequests(cal: Calendar, _ctx: MechanismContext, answered: readonly string[]): PlannedRequest[] {
    if (!offersAclQuery(cal)) return [];
    if (answered.length === 0) return [request(cal, query(el(I('user-list'))), 'reading who the calendar is shared with', 'REPORT')];
    if (answered.length > 1) return [];
    return parseUserList(answered[0]!).map((u) => request(cal, query(elWith(I('roles'), { user: u.uid })), `reading the access of ${u.uid}`, 'REPORT'));
  },
  parseState(cal: Calendar, answered: readonly string[], ctx: MechanismContext): Grant[] {
    const [list, ...roles] = answered;
    if (list === undefined) return [];
    return parseUserList(list).flatMap((u, i) => {
      const level = levelOfRoles(parseRoles(roles[i] ?? ''));
      if (!level) return [];
      return [
        {
          via: 'acl-query',
          href: u.uid,
          email: u.email,
          principal: new URL(`${encodeURIComponent(u.uid)}/`, collectionOf(ctx.me.url)).href,
          name: u.name,
          level,
          status: undefined,
        },
      ];
    });
  },
  plan(cal: Calendar, changes: readonly Change[], ctx: MechanismContext): PlannedRequest[] {
    if (changes.length === 0) return [];
    const users = uidsFor(changes, ctx).join(',');
    const level = changes[0]!.level;
    // Revoke with remove-users: an empty set-roles stores the role "None" and keeps the person listed (SOGO.md §4.1).
    if (level === 'none') return [request(cal, query(elWith(I('remove-users'), { users })), 'taking back access (acl-query remove-users)')];
    // set-roles replaces the users' role sets, so an upgrade or downgrade is this one request too.
    return [request(cal, query(elWith(I('set-roles'), { users }, ...ROLES[level].map((r) => el(I(r))))), `giving ${level === 'edit' ? 'edit' : 'view-only'} access (acl-query set-roles)`)];
  },
};
