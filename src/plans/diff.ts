// What a plan changes on one calendar, from the plan and the calendar's read-back sharees. Pure: no
// request, no clock, so `plan` and `apply` print the same difference and tests need no server.
import type { Level, Sharee } from '../sharing/types.js';
import { originOf } from '../sharing/sharees.js';
import type { PlanCalendar, PlanLevel } from './schema.js';

export type Seen = Level | 'other' | 'none';

/**
 * add / change / remove: what apply sends. ok: already as planned. keep: the plan says "other"
 * (leave as it is). extra: has access, not in the plan, left alone without --prune. unmanaged: a
 * grant calshare cannot name by address (a group, a public grant, a delegate): reported, never changed.
 */
export type Action = 'add' | 'change' | 'remove' | 'ok' | 'keep' | 'extra' | 'unmanaged';

export interface PersonDiff {
  /** Address, else principal URL (unmanaged entries). */
  who: string;
  email: string | undefined;
  now: Seen;
  /** What the plan wants; for extra/unmanaged, what stays. */
  want: Seen | 'other';
  action: Action;
}

export const CHANGING: readonly Action[] = ['add', 'change', 'remove'];

const key = (email: string) => email.toLowerCase();

export function diffCalendar(entry: PlanCalendar, sharees: readonly Sharee[], prune: boolean): PersonDiff[] {
  const byEmail = new Map(sharees.flatMap((s) => (s.email ? [[key(s.email), s] as const] : [])));
  const planned = new Set<string>();
  const rows: PersonDiff[] = [];
  for (const p of entry.sharees) {
    if (!p.email) continue; // principal/group entries are only reported, see below
    planned.add(key(p.email));
    const now: Seen = byEmail.get(key(p.email))?.level ?? 'none';
    const want: PlanLevel = p.level;
    const action: Action = want === 'other' ? 'keep' : now === want ? 'ok' : now === 'none' ? 'add' : 'change';
    rows.push({ who: p.email, email: p.email, now, want, action });
  }
  for (const s of sharees) {
    if (s.email && planned.has(key(s.email))) continue;
    if (!s.email) {
      rows.push({ who: s.principal ?? '?', email: undefined, now: s.level, want: s.level, action: 'unmanaged' });
    } else {
      rows.push({ who: s.email, email: s.email, now: s.level, want: prune ? 'none' : s.level, action: prune ? 'remove' : 'extra' });
    }
  }
  return rows;
}

/** The changes a diff asks for, as (address, level) pairs for the engine. */
export const changesOf = (rows: readonly PersonDiff[]): { email: string; level: Level | 'none' }[] =>
  rows.flatMap((r) => (CHANGING.includes(r.action) && r.email ? [{ email: r.email, level: r.want as Level | 'none' }] : []));

/** Where a sharee's access comes from, in the words the export writes. */
export const sourceOf = (s: Sharee): string => `${originOf(s) === 'acl' ? 'acl' : 'invitation'}:${s.sources.join('+')}`;
