// WebDAV ACL (RFC 3744): read DAV:acl (§5.5), write the whole new ACL with the ACL method (§8.1).
// The write is a read-modify-write, so the merge below keeps every ACE it did not mean to touch:
// the owner's own, other people's, groups', deny ACEs, in their order. Where the server upserts
// instead (the 'acl-upsert' quirk: DAViCal), only the changed people's ACEs are sent, and a revoke
// is an ACE with an empty grant.
import type { Calendar } from '../../discovery/calendars.js';
import type { ServerOptions } from '../../discovery/capabilities.js';
import { resourceKey, sameResource } from '../../discovery/propfind.js';
import { UnsupportedError } from '../../errors.js';
import { el, serialize, type XmlNode } from '../../xml/build.js';
import { NS, clark, qn } from '../../xml/names.js';
import { hrefUrl, prop } from '../../xml/multistatus.js';
import { child, children, textOf, type XmlElement } from '../../xml/parse.js';
import { emailFor } from '../identity.js';
import { principalKey } from '../../people/search.js';
import { DAV_PRIV, expand, grantable, parsePrivilegeTree, type PrivilegeTree } from '../privileges.js';
import type { Change, Evidence, Grant, Level, Mechanism, MechanismContext, OtherKind, PlannedRequest } from '../types.js';

const D = (n: string) => qn(NS.DAV, n);

const ACL = D('acl'); // RFC 3744 §5.5
const SUPPORTED = D('supported-privilege-set'); // RFC 3744 §5.3
const CURRENT = D('current-user-privilege-set'); // RFC 3744 §5.4
// Hints name no other mechanism: which ones a calendar offers is for `capabilities` to say.
const OTHER_WAY = 'Try another mechanism with --via, if `calshare capabilities` lists one for this calendar.';

export interface Ace {
  readonly el: XmlElement;
  /** Absolute principal URL for DAV:href principals; undefined for all/self/authenticated/property. */
  readonly principal: URL | undefined;
  readonly invert: boolean;
  /** The principal when it is not an href (RFC 3744 §5.5.1): all, authenticated, unauthenticated, self, property. */
  readonly special: string | undefined;
  readonly grant: string[];
  readonly deny: string[];
  readonly protected: boolean;
  readonly inherited: boolean;
}

const privs = (g: XmlElement | undefined) => children(g, D('privilege')).flatMap((p) => p.children.map(clark));

export function parseAcl(acl: XmlElement | undefined, base: URL): Ace[] {
  return children(acl, D('ace')).map((ace) => {
    const invert = child(ace, D('invert'));
    const principal = child(invert ?? ace, D('principal'));
    const href = textOf(child(principal, D('href')));
    const first = principal?.children[0];
    return {
      el: ace,
      principal: href ? hrefUrl(href, base) : undefined,
      invert: invert !== undefined,
      special: !href && first?.ns === NS.DAV ? first.name : undefined,
      grant: privs(child(ace, D('grant'))),
      deny: privs(child(ace, D('deny'))),
      protected: child(ace, D('protected')) !== undefined,
      inherited: child(ace, D('inherited')) !== undefined,
    };
  });
}

export function levelOf(tree: PrivilegeTree, granted: Iterable<string>): Level | 'other' {
  const has = expand(tree, granted);
  const all = has.has(DAV_PRIV('all'));
  if (all || has.has(DAV_PRIV('write')) || ['write-content', 'bind', 'unbind'].every((p) => has.has(DAV_PRIV(p)))) {
    return all || has.has(DAV_PRIV('read')) ? 'edit' : 'other';
  }
  return has.has(DAV_PRIV('read')) ? 'read' : 'other';
}

/**
 * The privileges a level needs on this calendar, never one the server does not list as grantable.
 * view-only: DAV:read, plus C:read-free-busy where the server keeps it outside DAV:read (RFC 4791
 * §6.1.1); edit: read plus DAV:write, or its parts where DAV:write itself is not grantable.
 */
export function privilegesFor(tree: PrivilegeTree, level: Level): string[] {
  const read = DAV_PRIV('read');
  const freeBusy = `{${NS.CALDAV}}read-free-busy`;
  const wanted = [read];
  if (grantable(tree, freeBusy) && !tree.contains.get(read)?.has(freeBusy)) wanted.push(freeBusy);
  if (level === 'edit') {
    wanted.push(...(grantable(tree, DAV_PRIV('write')) ? ['write'] : ['write-content', 'write-properties', 'bind', 'unbind']).map(DAV_PRIV));
  }
  const missing = wanted.filter((p) => !grantable(tree, p));
  if (missing.length) {
    throw new UnsupportedError(
      `the server does not offer ${missing.join(', ')} on this calendar, which ${level === 'edit' ? 'edit' : 'view-only'} access needs`,
      OTHER_WAY,
    );
  }
  return wanted;
}

/** Re-creates a parsed element for the request body, namespace for namespace. */
function toNode(e: XmlElement): XmlNode {
  const node = el(e, ...(e.children.length ? e.children.map(toNode) : [e.text.trim() || undefined]));
  // Attributes too, and elements in no namespace stay so (xml/build.ts): the echo is complete.
  return { ...node, attrs: e.attrs, ...(e.nsAttrs ? { nsAttrs: e.nsAttrs } : {}) };
}

function fromClark(c: string) {
  const m = /^\{(.*)\}(.+)$/.exec(c)!;
  return qn(m[1]!, m[2]!);
}

export function grantAce(principal: URL, privileges: string[]): XmlNode {
  return el(
    D('ace'),
    el(D('principal'), el(D('href'), principal.pathname)),
    el(D('grant'), ...privileges.map((p) => el(D('privilege'), el(fromClark(p))))),
  );
}

export interface AclChange {
  principal: URL;
  /** The privileges to grant, or null to remove the principal's grants. */
  privileges: string[] | null;
}

/**
 * The new ACL for the ACL method. RFC 3744 §8.1 implementation note: the client drops inherited and
 * protected ACEs (the server keeps them), edits the rest and sends it whole. Only grant ACEs of the
 * changed principals are replaced, in place; deny ACEs and everyone else's stay as they were.
 */
export function mergeAcl(aces: readonly Ace[], changes: readonly AclChange[]): XmlNode {
  const out: (XmlNode | undefined)[] = [];
  const placed = new Set<AclChange>();
  // Indexed once: a lookup per ACE over all changes made revoking 500 people quadratic (issue 14).
  const byKey = new Map<string, AclChange>();
  for (const c of changes) if (!byKey.has(resourceKey(c.principal))) byKey.set(resourceKey(c.principal), c);
  const changeFor = (a: Ace) => (a.principal && !a.invert && a.deny.length === 0 ? byKey.get(resourceKey(a.principal)) : undefined);
  for (const a of aces) {
    if (a.protected || a.inherited) continue;
    const c = changeFor(a);
    if (!c) {
      out.push(toNode(a.el));
    } else if (!placed.has(c)) {
      placed.add(c);
      out.push(c.privileges ? grantAce(c.principal, c.privileges) : undefined);
    }
  }
  for (const c of changes) if (!placed.has(c) && c.privileges) out.push(grantAce(c.principal, c.privileges));
  return el(D('acl'), ...out);
}

export const tree = (cal: Calendar) => parsePrivilegeTree(prop(cal.props, SUPPORTED));

/** The ACL as last read, without a request: the listing asks for DAV:acl. */
/**
 * The ACL body for a server whose ACL method upserts (quirk 'acl-upsert'): only the changed
 * principals' ACEs, since re-sending the others is not needed and has side effects (DAViCal pins the
 * <authenticated/> defaults onto the calendar); a revoke is the principal's ACE with an empty
 * DAV:grant, because an ACE left out keeps its grant there.
 */
export function upsertAcl(changes: readonly AclChange[]): XmlNode {
  return el(
    D('acl'),
    ...changes.map((c) =>
      c.privileges ? grantAce(c.principal, c.privileges) : el(D('ace'), el(D('principal'), el(D('href'), c.principal.pathname)), el(D('grant'))),
    ),
  );
}

/**
 * Nextcloud (sabre/dav) keeps groups under principals/groups/; RFC 3744 §2 groups are principals
 * whose resourcetype adds a group element, which an ACL alone does not show.
 */
export const isGroupPrincipal = (url: URL): boolean => /\/principals\/groups\/[^/]+\/?$/.test(url.pathname);

const lastSegment = (url: URL): string => {
  const seg = url.pathname.replace(/\/$/, '').split('/').pop() ?? '';
  try {
    return decodeURIComponent(seg);
  } catch {
    return seg;
  }
};

/**
 * Whom an ACE grants to (RFC 3744 §5.5.1): a person (no kind), a group, DAV:all, DAV:authenticated,
 * DAV:unauthenticated, or everyone except a principal (DAV:invert); undefined for the owner
 * (DAV:self, DAV:property owner, the owner's own href), who is never listed.
 */
export function granteeOf(a: Ace, ctx: Pick<MechanismContext, 'me' | 'names' | 'layout'>): { url: URL | undefined; kind: OtherKind | undefined; href: string; name: string | undefined } | undefined {
  if (a.invert) {
    const but = a.principal ? (ctx.names?.get(principalKey(a.principal)) ?? emailFor(ctx.layout, a.principal) ?? a.principal.pathname) : a.special === 'self' || a.special === 'property' ? 'you' : `DAV:${a.special ?? '?'}`;
    return { url: undefined, kind: 'except', href: a.principal?.pathname ?? `DAV:${a.special ?? '?'}`, name: but };
  }
  if (a.special === 'all') return { url: undefined, kind: 'everyone', href: 'DAV:all', name: undefined };
  if (a.special === 'authenticated') return { url: undefined, kind: 'authenticated', href: 'DAV:authenticated', name: undefined };
  if (a.special === 'unauthenticated') return { url: undefined, kind: 'unauthenticated', href: 'DAV:unauthenticated', name: undefined };
  if (!a.principal || sameResource(a.principal, ctx.me.url) || ownSubPrincipal(a.principal, ctx.me.url)) return undefined;
  if (isGroupPrincipal(a.principal)) return { url: a.principal, kind: 'group', href: a.principal.pathname, name: lastSegment(a.principal) };
  return { url: a.principal, kind: undefined, href: a.principal.pathname, name: undefined };
}

export const aclOf = (cal: Calendar): Ace[] => parseAcl(prop(cal.props, ACL), cal.props.url);

/**
 * An ACL change rewrites the whole ACL (RFC 3744 §8.1): without the current one it would drop every
 * ACE, and without DAV:write-acl (§3.7) the server refuses it.
 */
function detect(cal: Calendar): Evidence {
  if (!prop(cal.props, ACL)) return { for: [], against: ['DAV:acl is not readable, and an ACL change must rewrite it whole'] };
  const privs = new Set(children(prop(cal.props, CURRENT), D('privilege')).flatMap((p) => p.children.map(clark)));
  const has = privs.has(DAV_PRIV('all')) || privs.has(DAV_PRIV('write-acl'));
  return { for: [], against: has ? [] : ['current-user-privilege-set lacks DAV:write-acl'] };
}

/**
 * A principal below the owner's own (caldav-proxy.txt §5.3: <owner>/calendar-proxy-read/ and
 * -write/) stands for the owner's delegates, not for a sharee: Nextcloud lists both on every
 * calendar as protected ACEs, so counting them would show each calendar "shared with 2".
 */
const ownSubPrincipal = (p: URL, me: URL): boolean => {
  const mine = me.pathname.replace(/\/*$/, '/');
  return p.host === me.host && p.pathname.startsWith(mine) && p.pathname.length > mine.length;
};

export const webdavAcl: Mechanism = {
  id: 'acl',
  name: 'WebDAV ACL',
  spec: 'RFC 3744',
  davToken: 'access-control', // RFC 3744 §7.2
  request: { method: 'ACL', body: 'DAV:acl (the whole new ACL)' },
  contentType: 'application/xml; charset=utf-8',
  stateProps: [
    { name: ACL, label: 'DAV:acl' },
    { name: SUPPORTED, label: 'DAV:supported-privilege-set' },
  ],
  detect: (cal: Calendar, _server: ServerOptions) => detect(cal),
  replacesWholeState: true,
  seesForeignGrants: true,
  grants(cal: Calendar, ctx: MechanismContext): Grant[] {
    const t = tree(cal);
    const byPrincipal = new Map<string, { url: URL | undefined; kind: OtherKind | undefined; href: string; name: string | undefined; granted: string[] }>();
    const aces = aclOf(cal);
    // Cyrus (3.6, seen on staging) stores a DAV:authenticated grant as its "anyone" right plus a
    // negative "anonymous" right: DAV:all granted, DAV:unauthenticated denied the same privileges
    // (an anonymous GET then gets 401). A DAV:all grant wholly denied to the unauthenticated reaches
    // exactly the signed-in users, so it is shown as such.
    const deniedAnon = expand(t, aces.filter((a) => a.special === 'unauthenticated' && !a.invert).flatMap((a) => a.deny));
    for (const a of aces) {
      // An ACE with an empty grant grants nothing: on DAViCal it is what a revoke leaves behind, and
      // means no access at all (DAVICAL.md §5.3), so it never makes anyone a sharee.
      if (a.grant.length === 0) continue;
      const found = granteeOf(a, ctx);
      if (!found) continue;
      const signedIn = found.kind === 'everyone' && a.grant.every((p) => deniedAnon.has(p));
      const who = signedIn ? { ...found, kind: 'authenticated' as const, href: 'DAV:authenticated' } : found;
      const key = `${who.kind ?? 'person'} ${who.href}`;
      const entry = byPrincipal.get(key) ?? { ...who, granted: [] };
      entry.granted.push(...a.grant);
      byPrincipal.set(key, entry);
    }
    // Sharees mostly hold one of a few privilege sets: each set is expanded once, not once per person.
    const levels = new Map<string, Level | 'other'>();
    const level = (granted: string[]) => {
      const k = JSON.stringify(granted);
      const l = levels.get(k) ?? levelOf(t, granted);
      levels.set(k, l);
      return l;
    };
    return [...byPrincipal.values()].map(({ url, kind, href, name, granted }) => ({
      via: 'acl',
      href,
      email: url && !kind ? (ctx.names?.get(principalKey(url)) ?? emailFor(ctx.layout, url)) : undefined,
      principal: url?.href,
      name,
      level: level(granted),
      status: undefined,
      ...(kind ? { kind } : {}),
    }));
  },
  plan(cal: Calendar, changes: readonly Change[], ctx: MechanismContext): PlannedRequest[] {
    const t = tree(cal);
    const aclChanges = changes.map((c) => {
      if (!c.who.principal) {
        throw new UnsupportedError(
          `cannot tell which principal ${c.who.email} is on this server, which an ACL needs`,
          OTHER_WAY,
        );
      }
      return { principal: c.who.principal, privileges: c.level === 'none' ? null : privilegesFor(t, c.level) };
    });
    return [
      {
        method: 'ACL',
        url: cal.url,
        headers: { 'content-type': 'application/xml; charset=utf-8' },
        body: serialize(ctx.quirks?.some((q) => q.kind === 'acl-upsert') ? upsertAcl(aclChanges) : mergeAcl(aclOf(cal), aclChanges)),
        purpose: 'writing the calendar ACL',
      },
    ];
  },
};
