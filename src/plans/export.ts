// The audit export (`calshare sharees --format json|csv`): every owned calendar, everyone with access,
// level, invite status and source, written as a valid plan file, so "export, edit, apply" works.
// Pure: built from what `listSharees` already read (one listing for all calendars).
import { stringify } from 'csv-stringify/sync';
import { calendarName } from '../discovery/calendars.js';
import type { CalendarSharees } from '../sharing/engine.js';
import type { Sharee } from '../sharing/types.js';
import { sourceOf } from './diff.js';
import { inertLine } from '../util/inert.js';

const LEVEL = { read: 'view', edit: 'edit', other: 'other' } as const;

export interface ExportPerson {
  email?: string;
  principal?: string;
  level: 'view' | 'edit' | 'other';
  name?: string;
  invite?: string;
  source: string;
}

function person(s: Sharee): ExportPerson {
  return {
    ...(s.email ? { email: s.email } : { principal: s.principal ?? '?' }),
    // A grant calshare cannot read as view or edit stays "other": applying it leaves it as it is.
    level: LEVEL[s.level],
    ...(s.name ? { name: s.name } : {}),
    ...(s.status ? { invite: s.status } : {}),
    source: sourceOf(s),
  };
}

/** Whole-account delegates (calendar-proxy): reach every calendar; listed, never changed by a plan. */
export interface ExportDelegate {
  email?: string;
  principal: string;
  level: 'view' | 'edit';
  source: string;
}

export function exportPlan(list: readonly CalendarSharees[], delegates: readonly ExportDelegate[] = []) {
  return {
    version: 1 as const,
    ...(delegates.length ? { delegates } : {}),
    calendars: list.map(({ calendar, sharees }) => ({
      calendar: calendar.url.pathname,
      name: calendarName(calendar),
      sharees: sharees.map(person),
    })),
  };
}

export const CSV_COLUMNS = ['calendar', 'name', 'email', 'principal', 'level', 'invite', 'source'] as const;

/** One row per person; a calendar shared with no one gets one row with only its path and name. */
export function exportCsv(list: readonly CalendarSharees[], delegates: readonly ExportDelegate[] = []): string {
  const rows = exportPlan(list).calendars.flatMap((c) =>
    c.sharees.length === 0
      ? [[c.calendar, c.name, '', '', '', '', '']]
      : c.sharees.map((p) => [c.calendar, c.name, p.email ?? '', p.principal ?? '', p.level, p.invite ?? '', p.source]),
  );
  // Delegates reach every calendar: one row each with calendar "*" (a plan reads them as information only).
  for (const d of delegates) rows.push(['*', 'all calendars (delegation)', d.email ?? '', d.principal, d.level, '', d.source]);
  // Server strings stay one inert line each (names can hold line breaks or bidi controls).
  return stringify([[...CSV_COLUMNS], ...rows.map((r) => r.map((c) => inertLine(c)))]);
}
