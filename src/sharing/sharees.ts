// Who has access to a calendar, merged from every place a server records it: each registered
// mechanism's state (CS:invite, DAV:invite, DAV:acl, …). A person shared through one mechanism is
// listed (and revocable) whatever mechanism made the share.
import type { Calendar } from '../discovery/calendars.js';
import { resourceKey } from '../discovery/propfind.js';
import type { Identity } from './identity.js';
import { MECHANISMS } from './registry.js';
import { quirksOf } from '../servers/quirks.js';
import { propStatus } from '../xml/multistatus.js';
import { accessLabel, type Mechanism, type Grant, type Level, type MechanismContext, type MechanismId, type OtherGrantee, type Sharee } from './types.js';

/**
 * Bodies of the state requests mechanisms asked for (Mechanism.stateRequest), by mechanism id: state
 * that is not a listing property. Empty for mechanisms whose state the listing carries.
 */
export type FetchedState = ReadonlyMap<MechanismId, readonly string[]>;
export const NO_FETCHED_STATE: FetchedState = new Map();

const RANK: Record<Level | 'other' | 'none', number> = { none: 0, other: 1, read: 2, edit: 3 };
export const higher = <T extends Level | 'other' | 'none'>(a: T, b: T): T => (RANK[b] > RANK[a] ? b : a);

export const keyOf = (g: { email: string | undefined; principal: string | undefined }) =>
  g.email ? `mailto:${g.email.toLowerCase()}` : (g.principal ?? '');

/** resourceKey of a principal href, or undefined where the href is no URL (it then matches nothing). */
const principalHrefKey = (href: string): string | undefined => {
  try {
    return resourceKey(new URL(href));
  } catch {
    return undefined;
  }
};

/**
 * The sharee an identity refers to: by address first, else by principal URL compared the way servers
 * mean it (trailing slash optional, escaping decoded), since ACL hrefs are spelled as each server likes.
 */
export function findSharee(sharees: readonly Sharee[], who: Identity): Sharee | undefined {
  return shareeFinder(sharees)(who);
}

/**
 * findSharee for many people against one list: the list is indexed once (by key, and by principal
 * the first time an address misses), so judging 500 people is not 500 scans of 500 sharees, which
 * made share and revoke-all quadratic in client CPU (issue 14). The first sharee in list order wins,
 * as a scan would find it.
 */
export function shareeFinder(sharees: readonly Sharee[]): (who: Identity) => Sharee | undefined {
  const byKey = new Map<string, Sharee>();
  for (const s of sharees) {
    const k = keyOf(s);
    if (!byKey.has(k)) byKey.set(k, s);
  }
  let byPrincipal: Map<string, Sharee> | undefined;
  const principals = (): Map<string, Sharee> => {
    if (byPrincipal) return byPrincipal;
    byPrincipal = new Map();
    for (const s of sharees) {
      const k = s.principal === undefined ? undefined : principalHrefKey(s.principal);
      if (k !== undefined && !byPrincipal.has(k)) byPrincipal.set(k, s);
    }
    return byPrincipal;
  };
  return (who) => {
    // A group (--group) has no address: it is found by principal only.
    const byEmail = who.email ? byKey.get(`mailto:${who.email.toLowerCase()}`) : undefined;
    if (byEmail || !who.principal) return byEmail;
    return principals().get(resourceKey(who.principal));
  };
}

/**
 * allGrants per (calendar, context, fetched state): a command asks for the sharees and the
 * non-person grants of the same read, and each merge parsed every grant again, 1500 of them on a
 * Cyrus calendar shared with 500 people (issue 14). None of the three is changed once made (a
 * read-back or a context with names is a new object), so a kept answer stays true; weak keys let
 * it go with them.
 */
const grantsSeen = new WeakMap<Calendar, WeakMap<MechanismContext, WeakMap<FetchedState, readonly Grant[]>>>();

export function allGrants(cal: Calendar, ctx: MechanismContext, fetched: FetchedState = NO_FETCHED_STATE): readonly Grant[] {
  const byCtx = grantsSeen.get(cal) ?? new WeakMap<MechanismContext, WeakMap<FetchedState, readonly Grant[]>>();
  grantsSeen.set(cal, byCtx);
  const byFetched = byCtx.get(ctx) ?? new WeakMap<FetchedState, readonly Grant[]>();
  byCtx.set(ctx, byFetched);
  const seen = byFetched.get(fetched);
  if (seen) return seen;
  const grants = Object.freeze(grantsOf(cal, ctx, fetched));
  byFetched.set(fetched, grants);
  return grants;
}

function grantsOf(cal: Calendar, ctx: MechanismContext, fetched: FetchedState): Grant[] {
  // A state the server computes from another record (SOGo's DAV:acl from its roles) is not a grant of its own.
  // The listing's own answer names the product too (cal.quirks): a calendar read without a
  // capabilities check (sharees, the web UI) must not trust a derived state either.
  const derived = new Set([...quirksOf(ctx.quirks, 'derived-state'), ...quirksOf(cal.quirks, 'derived-state')].map((q) => q.mechanism));
  const mirrors = [...quirksOf(ctx.quirks, 'mirrored-state'), ...quirksOf(cal.quirks, 'mirrored-state')];
  const own = (m: Mechanism): Grant[] => {
    const bodies = fetched.get(m.id);
    return bodies !== undefined && m.parseState ? m.parseState(cal, bodies, ctx) : m.grants(cal, ctx);
  };
  return MECHANISMS.filter((m) => !derived.has(m.id)).flatMap((m) => {
    // A mirror left out of the read (quirk 'costly-props') shows what its original shows.
    const mirror = mirrors.find((q) => q.mechanism === m.id);
    const of = mirror && !m.stateProps.some((p) => propStatus(cal.props, p.name) !== undefined) ? MECHANISMS.find((x) => x.id === mirror.of) : undefined;
    return of ? own(of).map((g) => ({ ...g, via: m.id })) : own(m);
  });
}

/**
 * Whether a grant names the owner, in any spelling: one of the owner's addresses (mailto:, any case),
 * or the owner's principal as an absolute URL on any host alias or a relative path (servers spell
 * ACL hrefs as they like). The owner always has the calendar; they are never one of its sharees.
 */
export function isOwner(g: { email: string | undefined; principal: string | undefined }, ctx: Pick<MechanismContext, 'me'>): boolean {
  return ownerTest(ctx)(g);
}

/**
 * isOwner with the owner's addresses and principal key worked out once: shareesOf asks it of every
 * grant, and building them per grant cost more than the rest of the merge (issue 14).
 */
export function ownerTest(ctx: Pick<MechanismContext, 'me'>): (g: { email: string | undefined; principal: string | undefined }) => boolean {
  const mine = new Set(ctx.me.addresses.map((a) => a.toLowerCase().replace(/^mailto:/, '')));
  const meKey = resourceKey(ctx.me.url);
  return (g) => {
    if (g.email && mine.has(g.email.toLowerCase())) return true;
    if (!g.principal) return false;
    if (/^mailto:/i.test(g.principal)) return mine.has(g.principal.slice(7).toLowerCase());
    let url: URL;
    try {
      url = new URL(g.principal, ctx.me.url);
    } catch {
      return false;
    }
    return resourceKey(new URL(url.pathname, ctx.me.url)) === meKey;
  };
}

export function shareesOf(cal: Calendar, ctx: MechanismContext, fetched: FetchedState = NO_FETCHED_STATE): Sharee[] {
  const byKey = new Map<string, Sharee>();
  const owner = ownerTest(ctx);
  for (const g of allGrants(cal, ctx, fetched)) {
    // Groups, everyone, signed-in users, "everyone except": never a person (othersOf lists them).
    if (g.kind || owner(g)) continue;
    const k = keyOf(g);
    const s = byKey.get(k);
    if (!s) {
      byKey.set(k, { email: g.email, principal: g.principal, name: g.name, level: g.level, status: g.status, sources: [g.via], ...(g.group !== undefined ? { group: g.group } : {}) });
      continue;
    }
    s.level = higher(s.level, g.level);
    s.principal ??= g.principal;
    s.name ??= g.name;
    s.status ??= g.status;
    if (g.group !== undefined) s.group ??= g.group;
    if (!s.sources.includes(g.via)) s.sources.push(g.via);
  }
  return sortedBy([...byKey.values()], keyOf);
}

/**
 * `items` sorted by `key`: lower-cased code units, then the key itself, so the order is total and
 * stable with no ICU. The keys are addresses and principal URLs (ASCII in practice) and the fixed
 * labels of non-person grants. localeCompare ordered them before, and its first use in a process
 * loads ICU's collation data, ~8 ms: every CLI command is a process of its own, so that cost landed
 * on each `sharees` and `calendars`, as much as the whole request of a 10-person `sharees` (issue 14).
 * '/' is folded below every other character so that a path segment sorts before the longer ones it
 * begins, as in a file listing: …/groups/team/ before …/groups/Team+A/ (in code units '+' < '/').
 * Each key is worked out once, not twice per comparison.
 */
export function sortedBy<T>(items: readonly T[], key: (t: T) => string): T[] {
  const cmp = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return items
    .map((item) => {
      const k = key(item);
      return { item, k, folded: k.toLowerCase().replaceAll('/', '\u0000') };
    })
    .sort((a, b) => cmp(a.folded, b.folded) || cmp(a.k, b.k))
    .map((x) => x.item);
}

/**
 * Grants that name no person (issue 11 §2): groups, DAV:all, DAV:authenticated, DAV:unauthenticated
 * and inverted principals, merged per principal across mechanisms at their highest level. Shown
 * next to the people; no write is ever planned from them.
 */
export function othersOf(cal: Calendar, ctx: MechanismContext, fetched: FetchedState = NO_FETCHED_STATE): OtherGrantee[] {
  const byKey = new Map<string, OtherGrantee>();
  for (const g of allGrants(cal, ctx, fetched)) {
    if (!g.kind) continue;
    const k = `${g.kind} ${g.href}`;
    const o = byKey.get(k);
    if (!o) {
      byKey.set(k, { kind: g.kind, href: g.href, name: g.name, level: g.level, sources: [g.via] });
      continue;
    }
    o.level = higher(o.level, g.level);
    if (!o.sources.includes(g.via)) o.sources.push(g.via);
  }
  return sortedBy([...byKey.values()], otherLabel);
}

/** Who a non-person grant reaches, in the words every face uses (CLI, web UI, README). */
export function otherLabel(o: Pick<OtherGrantee, 'kind' | 'name' | 'href'>): string {
  switch (o.kind) {
    case 'everyone':
      return 'everyone';
    case 'authenticated':
      return 'all signed-in users';
    case 'unauthenticated':
      return 'everyone not signed in';
    case 'except':
      return `everyone except ${o.name ?? o.href}`;
    case 'group':
      return `group ${o.name ?? o.href}`;
  }
}

/** "everyone: free/busy only": the grantee and its level on one line. */
export const otherLine = (o: OtherGrantee): string => `${otherLabel(o)}: ${accessLabel(o.level)}`;

/**
 * The non-person grants that let someone see the calendar's events (view-only or edit). Free/busy
 * only is not sharing the calendar: Cyrus grants DAV:all C:read-free-busy and DAViCal grants
 * DAV:authenticated C:read-free-busy on every calendar by default (DAVICAL.md §3, §5.1: a signed-in
 * stranger GETs only an obfuscated "Busy" copy), so those never make a calendar count as shared.
 */
export const sharingOthers = (others: readonly OtherGrantee[]): OtherGrantee[] => others.filter((o) => o.level !== 'other');

/** How many people a calendar is shared with, as far as the server tells. */
export function shareeCount(cal: Calendar, ctx: MechanismContext, fetched: FetchedState = NO_FETCHED_STATE): number {
  return shareesOf(cal, ctx, fetched).length;
}

/** Ids of mechanisms whose state shows grants no invitation lists (the raw ACL). */
const foreignSeers = (): MechanismId[] => MECHANISMS.filter((m) => m.seesForeignGrants).map((m) => m.id);

/** "invitation" when an invitation-based mechanism lists the person (their client shows an invite), else "acl". */
export const originOf = (s: Sharee): 'invitation' | 'acl' => {
  const raw = foreignSeers();
  return s.sources.some((v) => !raw.includes(v)) ? 'invitation' : 'acl';
};
