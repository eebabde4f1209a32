// ownCloud/Nextcloud sharing ("oc-resource-sharing" in the DAV: header): POST an oc:share body to the
// calendar, state in the oc:invite property. Not an RFC; the wire form is Nextcloud's own
// (apps/dav/lib/DAV/Sharing/Xml/ShareRequest.php, Invite.php), as recorded from Nextcloud 31.0.2 in
// test/fixtures/nextcloud/. Many oc:set / oc:remove per request.
//
// What the dialect itself requires (so it lives here, not in servers/quirks.ts):
// - sharees are named only as "principal:<principal URI relative to the DAV root>", i.e.
//   principal:principals/users/<uid> or principal:principals/groups/<urlencoded group id>; a mailto:
//   href or a full principal URL is answered 200 and ignored;
// - a share is read-only unless oc:set carries <oc:read-write/>;
// - the answer is 200 whether or not anyone was shared with, so only oc:invite tells.
import type { Calendar } from '../../discovery/calendars.js';
import { UnsupportedError } from '../../errors.js';
import { el, serialize } from '../../xml/build.js';
import { NS, qn } from '../../xml/names.js';
import { prop } from '../../xml/multistatus.js';
import { child, textOf } from '../../xml/parse.js';
import { emailFor, type Identity } from '../identity.js';
import { readInvites, type InviteShape } from '../invite-xml.js';
import type { Change, Mechanism, MechanismContext, PlannedRequest } from '../types.js';

const OC = (n: string) => qn(NS.OC, n);
const D = (n: string) => qn(NS.DAV, n);

const INVITE = OC('invite');

/** The href scheme oc:share and oc:invite use for principals (Sharing/Backend.php). */
const SCHEME = 'principal:';

/**
 * The DAV root a principal URI is relative to: the path up to the principals collection of the
 * signed-in user's own principal URL ("/remote.php/dav/" for /remote.php/dav/principals/users/alice/).
 */
export function davRoot(ctx: MechanismContext): string | undefined {
  const p = ctx.me.url.pathname;
  const i = p.lastIndexOf('/principals/');
  return i < 0 ? undefined : p.slice(0, i + 1);
}

/** "principal:principals/users/bob" for the principal URL /remote.php/dav/principals/users/bob/. */
export function principalHref(principal: URL, ctx: MechanismContext): string | undefined {
  const root = davRoot(ctx);
  if (!root || !principal.pathname.startsWith(root)) return undefined;
  return SCHEME + principal.pathname.slice(root.length).replace(/\/+$/, '');
}

/** The principal URL an oc:invite href names, absolute, with the trailing slash the server lists it with. */
export function principalOf(href: string, base: URL, ctx: MechanismContext): URL | undefined {
  const root = davRoot(ctx);
  if (!root || !href.startsWith(SCHEME)) return undefined;
  const rel = href.slice(SCHEME.length).replace(/^\/+|\/+$/g, '');
  try {
    return new URL(`${root}${rel}/`, base);
  } catch {
    return undefined;
  }
}

/**
 * PHP's urlencode(), which Nextcloud applies to a group id to make its principal URI
 * (GroupPrincipalBackend.php): letters, digits and "-_." stay, a space becomes "+", every other
 * UTF-8 byte is %XX. A group "Team A" is principals/groups/Team+A; "Team A" or "Team%20A" in an
 * oc:set are stored as other principals and reach no one (recorded, NEXTCLOUD.md §6).
 */
export function phpUrlencode(s: string): string {
  let out = '';
  for (const b of Buffer.from(s, 'utf8')) {
    const c = String.fromCharCode(b);
    if (/[A-Za-z0-9_.-]/.test(c)) out += c;
    else if (c === ' ') out += '+';
    else out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

/** The inverse, for showing a group principal URI as the group's name. */
export function phpUrldecode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}

const isGroupPath = (path: string) => /\/principals\/groups\/[^/]+\/?$/.test(path);

/** The group a principal URL names, when it is in the groups collection; undefined for anyone else. */
export function groupName(principal: URL): string | undefined {
  if (!isGroupPath(principal.pathname)) return undefined;
  return phpUrldecode(principal.pathname.replace(/\/+$/, '').split('/').pop()!);
}

const SHAPE: InviteShape = {
  entry: OC('user'),
  access: OC('access'),
  // Nextcloud has no accept step: every entry carries oc:invite-accepted.
  statusNs: NS.OC,
  name: (u) => textOf(child(u, OC('common-name'))),
  identify: (href, base, ctx) => {
    const url = principalOf(href, base, ctx);
    if (!url) return { email: undefined, principal: href };
    // A user's address follows from the layout where the uid is the address's local part; groups
    // and users whose uid differs are matched by principal URL instead.
    return { email: isGroupPath(url.pathname) ? undefined : emailFor(ctx.layout, url), principal: url.href };
  },
};

function hrefFor(who: Identity, ctx: MechanismContext): string {
  const href = who.principal && principalHref(who.principal, ctx);
  if (!href) {
    throw new UnsupportedError(
      `cannot tell which Nextcloud principal ${who.group !== undefined ? `group "${who.group}"` : who.email} is, which oc:share needs`,
      'oc:share names people only as principal:principals/users/<uid>; check that the address belongs to a user of this server.',
    );
  }
  return href;
}

/** One oc:set per grant (oc:read-write for edit, nothing for view-only), one oc:remove per revocation. */
export function shareBody(changes: readonly Change[], ctx: MechanismContext): string {
  return serialize(
    el(
      OC('share'),
      ...changes.map((c) =>
        c.level === 'none'
          ? el(OC('remove'), el(D('href'), hrefFor(c.who, ctx)))
          : el(OC('set'), el(D('href'), hrefFor(c.who, ctx)), c.level === 'edit' ? el(OC('read-write')) : undefined),
      ),
    ),
  );
}

// Nextcloud's sharing plugin reads only XML bodies: text/plain or no type is 501 (recorded).
const CONTENT_TYPE = 'application/xml; charset=utf-8';

export const ocShare: Mechanism = {
  id: 'oc-share',
  name: 'Nextcloud sharing',
  spec: 'ownCloud/Nextcloud sharing (no RFC; Nextcloud apps/dav)',
  davToken: 'oc-resource-sharing',
  request: { method: 'POST', body: 'oc:share (http://owncloud.org/ns)' },
  contentType: CONTENT_TYPE,
  stateProps: [{ name: INVITE, label: 'oc:invite' }],
  groupPrincipal(name: string, ctx: MechanismContext): URL | undefined {
    const root = davRoot(ctx);
    return root ? new URL(`${root}principals/groups/${phpUrlencode(name)}/`, ctx.me.url) : undefined;
  },
  grants: (cal: Calendar, ctx: MechanismContext) =>
    readInvites(prop(cal.props, INVITE), SHAPE, 'oc-share', cal.props.url, ctx)
      // While the calendar is published, oc:invite also lists the owner (recorded): not a sharee.
      .filter((g) => !(g.principal && samePath(g.principal, ctx.me.url)))
      .map((g) => {
        const group = g.principal ? safeGroup(g.principal) : undefined;
        return group === undefined ? g : { ...g, group };
      }),
  plan: (cal: Calendar, changes: readonly Change[], ctx: MechanismContext): PlannedRequest[] =>
    batches(changes).map((b) => ({
      method: 'POST',
      url: cal.url,
      headers: { 'content-type': CONTENT_TYPE },
      body: shareBody(b, ctx),
      purpose: 'changing the sharing of the calendar (oc:share)',
    })),
};

/**
 * One POST, except when groups and people are both removed: then the groups go first, on their own.
 * Nextcloud writes a hidden exclusion for each user removed while the calendar still has a group
 * share, judged on the shares as they were before the POST (Sharing/Backend.php; NEXTCLOUD.md §6):
 * recorded, bob and group team removed in one POST left bob shut out of every later share to team.
 * Removed after the groups, a person removed with the last group leaves nothing hidden behind.
 */
export function batches(changes: readonly Change[]): Change[][] {
  const groupOut = (c: Change) => c.level === 'none' && c.who.group !== undefined;
  const first = changes.filter(groupOut);
  const rest = changes.filter((c) => !groupOut(c));
  return first.length && rest.some((c) => c.level === 'none') ? [first, rest] : [[...changes]];
}

function safeGroup(principal: string): string | undefined {
  try {
    return groupName(new URL(principal));
  } catch {
    return undefined;
  }
}

function samePath(a: string, b: URL): boolean {
  try {
    return new URL(a).pathname.replace(/\/+$/, '') === b.pathname.replace(/\/+$/, '');
  } catch {
    return false;
  }
}
