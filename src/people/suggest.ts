// People to suggest when sharing (issue 16 §6): first everyone the user already shares any calendar
// with (known to exist, and likely wanted again), then, where the server lets its directory be
// searched, people whose name or address matches what was typed (people/search.ts and each
// server's lookup). Where the server hides its directory (Cyrus answers no principal search),
// the face says so instead of showing an empty list.
import type { Session } from '../session.js';
import { listSharees } from '../sharing/engine.js';

export interface Suggestion {
  email: string;
  name: string | undefined;
  /** Why it is offered: shared with before, or found in the server's directory. */
  from: 'shared-before' | 'directory';
}

/** Addresses of everyone the user's own calendars are shared with, most-shared first. */
export async function sharedBefore(s: Session): Promise<string[]> {
  return (await peopleSharedWith(s)).map((p) => p.email);
}

export async function peopleSharedWith(s: Session): Promise<Suggestion[]> {
  let list;
  try {
    list = await listSharees(s);
  } catch {
    return []; // suggestions are a help, never a reason to fail
  }
  const count = new Map<string, Suggestion & { n: number }>();
  for (const { sharees } of list) {
    for (const p of sharees) {
      if (!p.email) continue;
      const k = p.email.toLowerCase();
      const seen = count.get(k) ?? { email: p.email, name: p.name, from: 'shared-before' as const, n: 0 };
      seen.n++;
      seen.name ??= p.name;
      count.set(k, seen);
    }
  }
  return [...count.values()].sort((a, b) => b.n - a.n || a.email.localeCompare(b.email)).map(({ n: _n, ...s }) => s);
}

/** The suggestions for what was typed so far (case-insensitive substring of address or name). Pure. */
export function matching(all: readonly Suggestion[], typed: string, max = 8): Suggestion[] {
  const q = typed.trim().toLowerCase();
  return all.filter((p) => !q || p.email.toLowerCase().includes(q) || (p.name ?? '').toLowerCase().includes(q)).slice(0, max);
}
