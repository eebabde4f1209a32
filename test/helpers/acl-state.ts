// A calendar's sharing state read straight from Cyrus (never through calshare or a proxy), reduced
// to something comparable: principal → its grant and deny privileges. Cyrus does not keep ACE
// order stable, so the state is a sorted map, not a list.
import { child, parseXml } from '../../src/xml/parse.js';
import { NS, clark, qn } from '../../src/xml/names.js';
import { parseMultiStatus, prop } from '../../src/xml/multistatus.js';
import { levelOf, parseAcl } from '../../src/sharing/mechanisms/acl.js';
import { parsePrivilegeTree, type PrivilegeTree } from '../../src/sharing/privileges.js';
import type { Level } from '../../src/sharing/types.js';
import { randomUUID } from 'node:crypto';
import { dav, ics } from './dav.js';
import { CYRUS, type User } from './staging.js';

/** A staging user by name, or any account (e.g. the numbered Cyrus users) with its password. */
export type Account = User | { user: string; password: string };

// Cyrus declares only the namespaces the request used, yet may write C:read-free-busy into an ACL
// (the home's): asking for one CalDAV property too keeps its answer well-formed.
export const ACL_PROPFIND =
  '<?xml version="1.0"?><d:propfind xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:prop><d:acl/><c:calendar-description/></d:prop></d:propfind>';

const D = (n: string) => qn(NS.DAV, n);

/** principal (a path, or "self", "all", "authenticated", …; "!" marks invert) → "grant:…|deny:…". */
export type AclState = ReadonlyMap<string, string>;

export async function aclState(owner: Account, calUrl: string): Promise<AclState> {
  const { body } = await dav(owner, 'PROPFIND', calUrl, ACL_PROPFIND, { depth: '0' });
  const r = parseMultiStatus(body, new URL(calUrl))[0];
  const aces = parseAcl(r && prop(r, D('acl')), new URL(calUrl));
  const acc = new Map<string, { grant: string[]; deny: string[] }>();
  for (const a of aces) {
    const who = a.principal?.pathname ?? child(a.invert ? child(a.el, D('invert')) : a.el, D('principal'))?.children[0]?.name ?? '?';
    const key = (a.invert ? '!' : '') + who;
    const e = acc.get(key) ?? { grant: [], deny: [] };
    e.grant.push(...a.grant);
    e.deny.push(...a.deny);
    acc.set(key, e);
  }
  return new Map(
    [...acc].sort(([a], [b]) => a.localeCompare(b)).map(([k, v]) => [k, `grant:${[...new Set(v.grant)].sort().join(',')}|deny:${[...new Set(v.deny)].sort().join(',')}`]),
  );
}

let treeCache: PrivilegeTree | undefined;

/** The privilege tree Cyrus advertises (the same for every calendar). */
export async function privilegeTree(owner: Account, calUrl: string): Promise<PrivilegeTree> {
  if (treeCache) return treeCache;
  const res = await dav(owner, 'PROPFIND', calUrl, '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:supported-privilege-set/></d:prop></d:propfind>', { depth: '0' });
  const set = parseXml(res.body);
  const found = findDeep(set, clark(D('supported-privilege-set')));
  return (treeCache = parsePrivilegeTree(found));
}

function findDeep(el: ReturnType<typeof parseXml>, name: string): ReturnType<typeof parseXml> | undefined {
  if (clark(el) === name) return el;
  for (const c of el.children) {
    const f = findDeep(c, name);
    if (f) return f;
  }
  return undefined;
}

/** The access level an ACL state gives one principal path. */
export function levelIn(state: AclState, tree: PrivilegeTree, principalPath: string): Level | 'other' | 'none' {
  const v = state.get(principalPath);
  if (!v) return 'none';
  const grants = /^grant:([^|]*)/.exec(v)![1]!.split(',').filter(Boolean);
  return grants.length ? levelOf(tree, grants) : 'other';
}

export type StateVerdict = 'before' | 'intended' | 'broken';

/**
 * Exactly the state before, or exactly the intended one: every other principal's entry identical to
 * before, and the target at the level asked for. Anything else is broken (half-applied, or someone
 * else's access lost or changed).
 */
export function judgeState(before: AclState, after: AclState, tree: PrivilegeTree, target: string, wanted: Level | 'none'): { verdict: StateVerdict; why: string } {
  const same = (a: AclState, b: AclState, skip?: string) => {
    const keys = new Set([...a.keys(), ...b.keys()]);
    return [...keys].filter((k) => k !== skip && a.get(k) !== b.get(k));
  };
  if (same(before, after).length === 0) return { verdict: 'before', why: 'unchanged' };
  const others = same(before, after, target);
  if (others.length) return { verdict: 'broken', why: `entries of others changed: ${others.map((k) => `${k}: ${before.get(k) ?? 'none'} → ${after.get(k) ?? 'none'}`).join('; ')}` };
  const level = levelIn(after, tree, target);
  if (level === wanted) return { verdict: 'intended', why: `${target} now ${level}` };
  return { verdict: 'broken', why: `${target} is ${level} (${after.get(target) ?? 'no entry'}), wanted ${wanted}` };
}

/** A fresh calendar with one event, owned by any account (dav.ts's freshCalendar serves alice, bob and carol). */
export async function freshCalendarOf(owner: { user: string; password: string }): Promise<{ url: string; eventUrl: string }> {
  const url = `${CYRUS.home(owner.user)}f-${randomUUID().slice(0, 8)}/`;
  const mk = await dav(owner, 'MKCALENDAR', url);
  if (mk.status !== 201) throw new Error(`MKCALENDAR ${url} → ${mk.status}`);
  const eventUrl = `${url}seed.ics`;
  // A UID of its own: Cyrus refuses one already used in another of the owner's calendars, and
  // another run (npm run faults beside npm test) may hold 'seed' on a calendar of its own.
  const put = await dav(owner, 'PUT', eventUrl, ics(`seed-${randomUUID()}`, 'Seed event'), { 'content-type': 'text/calendar; charset=utf-8' });
  if (put.status !== 201 && put.status !== 204) throw new Error(`PUT seed → ${put.status}`);
  return { url, eventUrl };
}
