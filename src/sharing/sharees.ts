// Who has access to a calendar, merged from every place a server records it: CS:invite,
// DAV:invite and DAV:acl. A person shared through one mechanism is listed (and revocable) whatever
// mechanism made the share.
import type { Calendar } from '../discovery/calendars.js';
import { calendarServer } from './cs.js';
import { resourceSharing } from './resource-sharing.js';
import { webdavAcl } from './acl.js';
import { sameResource } from '../discovery/propfind.js';
import type { Identity } from './identity.js';
import type { Grant, Level, Mechanism, MechanismContext, MechanismId, Sharee } from './types.js';

export const MECHANISMS: Record<MechanismId, Mechanism> = {
  cs: calendarServer,
  'resource-sharing': resourceSharing,
  acl: webdavAcl,
};

const RANK: Record<Level | 'other' | 'none', number> = { none: 0, other: 1, read: 2, edit: 3 };
export const higher = <T extends Level | 'other' | 'none'>(a: T, b: T): T => (RANK[b] > RANK[a] ? b : a);

export const keyOf = (g: { email: string | undefined; principal: string | undefined }) =>
  g.email ? `mailto:${g.email.toLowerCase()}` : (g.principal ?? '');

const samePrincipal = (href: string, url: URL): boolean => {
  try {
    return sameResource(new URL(href), url);
  } catch {
    return false;
  }
};

/**
 * The sharee an identity refers to: by address first, else by principal URL compared the way servers
 * mean it (trailing slash optional, escaping decoded), since ACL hrefs are spelled as each server likes.
 */
export function findSharee(sharees: readonly Sharee[], who: Identity): Sharee | undefined {
  const key = `mailto:${who.email.toLowerCase()}`;
  const byEmail = sharees.find((s) => keyOf(s) === key);
  if (byEmail || !who.principal) return byEmail;
  return sharees.find((s) => s.principal !== undefined && samePrincipal(s.principal, who.principal!));
}

export function allGrants(cal: Calendar, ctx: MechanismContext): Grant[] {
  return Object.values(MECHANISMS).flatMap((m) => m.grants(cal, ctx));
}

export function shareesOf(cal: Calendar, ctx: MechanismContext): Sharee[] {
  const byKey = new Map<string, Sharee>();
  for (const g of allGrants(cal, ctx)) {
    const k = keyOf(g);
    const s = byKey.get(k);
    if (!s) {
      byKey.set(k, { email: g.email, principal: g.principal, name: g.name, level: g.level, status: g.status, sources: [g.via] });
      continue;
    }
    s.level = higher(s.level, g.level);
    s.principal ??= g.principal;
    s.name ??= g.name;
    s.status ??= g.status;
    if (!s.sources.includes(g.via)) s.sources.push(g.via);
  }
  return [...byKey.values()].sort((a, b) => keyOf(a).localeCompare(keyOf(b)));
}

/** How many people a calendar is shared with, as far as the server tells. */
export function shareeCount(cal: Calendar, ctx: MechanismContext): number {
  return shareesOf(cal, ctx).length;
}

/** "invitation" when a sharing extension lists the person (their client shows an invite), else "acl". */
export const originOf = (s: Sharee): 'invitation' | 'acl' => (s.sources.some((v) => v !== 'acl') ? 'invitation' : 'acl');
