// What the prompts offer, built from the calendar listing (one PROPFIND; sharee counts come from
// the same answer, src/sharing/sharees.ts). Pure functions: easy to read and to test.
import { calendarName, type Calendar } from '../../discovery/calendars.js';
import type { CalendarSharees } from '../../sharing/engine.js';
import { originOf } from '../../sharing/sharees.js';
import { LEVEL_LABEL, type Sharee } from '../../sharing/types.js';
import { inert, inertLine } from '../../util/inert.js';

export interface Choice<T> {
  value: T;
  label: string;
  hint?: string;
}

const people = (n: number) => (n === 0 ? 'not shared' : n === 1 ? '1 person' : `${n} people`);

/** "2 people", "1 person + 1 group", "1 group": groups (Nextcloud lists them next to people) are not counted as people. */
function whoCount(sharees: readonly Sharee[]): string {
  const groups = sharees.filter((s) => s.group !== undefined).length;
  const persons = sharees.length - groups;
  if (groups === 0) return people(persons);
  const g = groups === 1 ? '1 group' : `${groups} groups`;
  return persons ? `${people(persons)} + ${g}` : g;
}

/** One aligned row per calendar: name, how many people have access, URL. */
export function calendarChoices(list: CalendarSharees[]): Choice<CalendarSharees>[] {
  const names = list.map((c) => inertLine(calendarName(c.calendar)));
  const counts = list.map((c) => whoCount(c.sharees));
  const w1 = Math.max(0, ...names.map((n) => n.length));
  const w2 = Math.max(0, ...counts.map((n) => n.length));
  return list.map((c, i) => ({ value: c, label: `${names[i]!.padEnd(w1)}  ${counts[i]!.padEnd(w2)}  ${c.calendar.url.href}` }));
}

export const shareeLevel = (s: Sharee) => LEVEL_LABEL[s.level];
const invite = (s: Sharee) => s.status ?? (originOf(s) === 'acl' ? 'access list' : '');

/** One aligned row per person; people the server names only by principal cannot be picked by address. */
export function shareeChoices(sharees: Sharee[]): Choice<string>[] {
  const who = sharees.map((s) => inertLine(s.email ?? s.principal ?? '?'));
  const w1 = Math.max(0, ...who.map((n) => n.length));
  const w2 = Math.max(0, ...sharees.map((s) => shareeLevel(s).length));
  return sharees.flatMap((s, i) =>
    s.email ? [{ value: s.email, label: `${who[i]!.padEnd(w1)}  ${shareeLevel(s).padEnd(w2)}  ${invite(s)}`.trimEnd() }] : [],
  );
}

/** How to name the calendar on a command line: its name when that is unambiguous, else its path. */
export function calendarRef(cal: Calendar, all: Calendar[]): string {
  const name = calendarName(cal);
  const same = all.filter((c) => calendarName(c).toLowerCase() === name.toLowerCase());
  return same.length === 1 && !name.startsWith('/') && !/^https?:\/\//i.test(name) ? name : cal.url.pathname;
}

/** Splits what was typed into addresses: commas, semicolons and spaces all separate. */
export const splitEmails = (typed: string): string[] => typed.split(/[\s,;]+/).filter(Boolean);
