// What a plan changes on one calendar, from the plan and the calendar's read-back sharees. Pure: no
// request, no clock, so `plan` and `apply` print the same difference and tests need no server.
import type { Level, OtherGrantee, Sharee } from '../sharing/types.js';
import { originOf, otherLabel } from '../sharing/sharees.js';
import type { PlanCalendar, PlanLevel, PlanPerson } from './schema.js';

export type Seen = Level | 'other' | 'none';

/**
 * add / change / remove: what apply sends. ok: already as planned. keep: the plan says "other"
 * (leave as it is). extra: has access, not in the plan, left alone without --prune. unmanaged: a
 * grant calshare cannot name by address (a group, a public grant, a delegate): reported, never changed.
 * not-by-plan: the plan wants a grant to no person (a group, everyone, …) other than it is; a plan
 * changes people by address only, so the calendar is refused whole and nothing is sent for it.
 */
export type Action = 'add' | 'change' | 'remove' | 'ok' | 'keep' | 'extra' | 'unmanaged' | 'not-by-plan';

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

/** A plan entry for a grant to no person: one naming a group or a kind other than "person". */
export const isNonPerson = (p: PlanPerson): boolean => !p.email && (p.group !== undefined || (p.kind !== undefined && p.kind !== 'person'));

/** The calendar's grant a non-person plan entry names: by group name, else by kind (and principal). */
function grantFor(p: PlanPerson, sharees: readonly Sharee[], others: readonly OtherGrantee[]): Sharee | OtherGrantee | undefined {
  if (p.group !== undefined) {
    return sharees.find((s) => s.group === p.group) ?? others.find((o) => o.kind === 'group' && (o.name === p.group || (p.principal !== undefined && o.href === p.principal)));
  }
  return others.find((o) => o.kind === p.kind && (p.principal === undefined || o.href === p.principal));
}

const nonPersonLabel = (p: PlanPerson): string =>
  p.group !== undefined ? `group ${p.group}` : otherLabel({ kind: p.kind as OtherGrantee['kind'], name: undefined, href: p.principal ?? '?' });

export function diffCalendar(entry: PlanCalendar, sharees: readonly Sharee[], prune: boolean, others: readonly OtherGrantee[] = []): PersonDiff[] {
  const byEmail = new Map(sharees.flatMap((s) => (s.email ? [[key(s.email), s] as const] : [])));
  const planned = new Set<string>();
  const matched = new Set<Sharee | OtherGrantee>();
  const rows: PersonDiff[] = [];
  for (const p of entry.sharees) {
    if (isNonPerson(p)) {
      // Reported as it is when the plan agrees (the export's own lines); any other wish is refused.
      const g = grantFor(p, sharees, others);
      if (g) matched.add(g);
      const now: Seen = g?.level ?? 'none';
      const action: Action = p.level === 'other' || p.level === now ? 'unmanaged' : 'not-by-plan';
      rows.push({ who: nonPersonLabel(p), email: undefined, now, want: action === 'unmanaged' ? now : p.level, action });
      continue;
    }
    if (!p.email) continue; // principal-only entries are only reported, see below
    planned.add(key(p.email));
    const now: Seen = byEmail.get(key(p.email))?.level ?? 'none';
    const want: PlanLevel = p.level;
    const action: Action = want === 'other' ? 'keep' : now === want ? 'ok' : now === 'none' ? 'add' : 'change';
    rows.push({ who: p.email, email: p.email, now, want, action });
  }
  for (const s of sharees) {
    if ((s.email && planned.has(key(s.email))) || matched.has(s)) continue;
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
