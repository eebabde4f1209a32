// Whole-account delegation through the owner's calendar-proxy groups (Apple's caldav-proxy.txt,
// the "calendar-proxy" DAV class): two group principals under the owner's principal,
// calendar-proxy-read and calendar-proxy-write, whose DAV:group-member-set (RFC 3744 §4.3) names
// the delegates. A member of -read reads EVERY calendar of the owner, a member of -write edits them
// all. Pure functions here (bodies, parsing, planning); proxy-io.ts sends and reads back.
import { el, serialize } from '../xml/build.js';
import { NS, qn, type QName } from '../xml/names.js';
import { child, children, textOf } from '../xml/parse.js';
import { hrefUrl, prop, type MultiStatusResponse } from '../xml/multistatus.js';
import { sameResource } from '../discovery/propfind.js';
import type { Level } from '../sharing/types.js';

const D = (n: string) => qn(NS.DAV, n);
export const GROUP_MEMBER_SET = D('group-member-set');
export const RESOURCETYPE = D('resourcetype');
/** caldav-proxy.txt §5.1: the resourcetype of each proxy group principal. */
export const PROXY_READ_TYPE = qn(NS.CS, 'calendar-proxy-read');
export const PROXY_WRITE_TYPE = qn(NS.CS, 'calendar-proxy-write');

export type ProxyKind = 'read' | 'write';
export const KIND_OF_LEVEL: Record<Level, ProxyKind> = { read: 'read', edit: 'write' };
export const LEVEL_OF_KIND: Record<ProxyKind, Level> = { read: 'read', write: 'edit' };

export interface ProxyGroups {
  /** The owner's principal. */
  owner: URL;
  read: URL;
  write: URL;
}

/** One proxy group as last read: members as the server spells their hrefs (kept as-is on rewrite). */
export interface GroupState {
  url: URL;
  hrefs: string[];
}

export interface DelegationState {
  groups: ProxyGroups;
  read: GroupState;
  write: GroupState;
}

/**
 * Where the groups live: caldav-proxy.txt §5.1 puts them as children of the owner's principal,
 * named calendar-proxy-read/ and calendar-proxy-write/ (SabreDAV, DAViCal, SOGo and Apple's server
 * all follow it); whether they answer is checked by reading them (proxy-io.ts).
 */
export function proxyGroupUrls(owner: URL): ProxyGroups {
  const base = new URL(owner.href.endsWith('/') ? owner.href : `${owner.href}/`);
  return { owner, read: new URL('calendar-proxy-read/', base), write: new URL('calendar-proxy-write/', base) };
}

/** The members a PROPFIND of a group shows; undefined when the property was not readable. */
export function parseMembers(r: MultiStatusResponse | undefined): string[] | undefined {
  const set = r && prop(r, GROUP_MEMBER_SET);
  if (!set) return undefined;
  return children(set, D('href')).flatMap((h) => textOf(h) || []);
}

/** Whether a response really describes a proxy group (resourcetype), when the server says. */
export function isProxyGroup(r: MultiStatusResponse, kind: ProxyKind): boolean | undefined {
  const rt = prop(r, RESOURCETYPE);
  if (!rt) return undefined;
  return child(rt, kind === 'read' ? PROXY_READ_TYPE : PROXY_WRITE_TYPE) !== undefined;
}

/** RFC 4918 §9.2 PROPPATCH setting the whole DAV:group-member-set (RFC 3744 §4.3) of one group. */
export function memberSetBody(hrefs: readonly string[]): string {
  return serialize(
    el(D('propertyupdate'), el(D('set'), el(D('prop'), el(GROUP_MEMBER_SET, ...hrefs.map((h) => el(D('href'), h)))))),
  );
}

const resolve = (href: string, base: URL): URL | undefined => {
  try {
    return hrefUrl(href, base);
  } catch {
    return undefined;
  }
};

export const sameMember = (href: string, principal: URL, base: URL): boolean => {
  const u = resolve(href, base);
  return u !== undefined && sameResource(u, principal);
};

/** One person's delegation as the two groups show it: edit wins when someone sits in both. */
export function levelIn(state: DelegationState, principal: URL): Level | 'none' {
  const base = state.groups.owner;
  if (state.write.hrefs.some((h) => sameMember(h, principal, base))) return 'edit';
  if (state.read.hrefs.some((h) => sameMember(h, principal, base))) return 'read';
  return 'none';
}

export interface Wanted {
  principal: URL;
  level: Level | 'none';
}

/**
 * The new member list of one group: every member nobody asked about kept exactly as the server
 * spelled it (a PROPPATCH replaces the whole set, RFC 4918 §14.26), the people asked about added or
 * dropped. New members are sent as absolute paths, the form all staged servers accept.
 * Returns undefined when the group needs no write.
 */
export function planGroup(group: GroupState, kind: ProxyKind, wanted: readonly Wanted[], base: URL): string[] | undefined {
  const touched = (h: string) => wanted.some((w) => sameMember(h, w.principal, base));
  const kept = group.hrefs.filter((h) => !touched(h));
  const keepTouched = group.hrefs.filter((h) => wanted.some((w) => sameMember(h, w.principal, base) && w.level !== 'none' && KIND_OF_LEVEL[w.level] === kind));
  const added = wanted
    .filter((w) => w.level !== 'none' && KIND_OF_LEVEL[w.level] === kind)
    .filter((w) => !group.hrefs.some((h) => sameMember(h, w.principal, base)))
    .map((w) => w.principal.pathname);
  const next = [...kept, ...keepTouched, ...added];
  const unchanged = next.length === group.hrefs.length && added.length === 0;
  return unchanged ? undefined : next;
}

/** Everyone listed in either group, as principal URLs with their level (edit wins). */
export function membersOf(state: DelegationState): { principal: URL; href: string; level: Level }[] {
  const out: { principal: URL; href: string; level: Level }[] = [];
  for (const [kind, g] of [['write', state.write], ['read', state.read]] as const) {
    for (const href of g.hrefs) {
      const u = resolve(href, state.groups.owner);
      if (!u || out.some((m) => sameResource(m.principal, u))) continue;
      out.push({ principal: u, href, level: LEVEL_OF_KIND[kind] });
    }
  }
  return out;
}

export const PROPS_TO_READ: readonly QName[] = [GROUP_MEMBER_SET, RESOURCETYPE];
