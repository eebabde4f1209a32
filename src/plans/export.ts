// The audit export (`calshare sharees --format json|csv`): every owned calendar, everyone with access,
// level, invite status and source, written as a valid plan file, so "export, edit, apply" works.
// Pure: built from what `listSharees` already read (one listing for all calendars).
import { stringify } from 'csv-stringify/sync';
import { calendarName } from '../discovery/calendars.js';
import type { CalendarSharees } from '../sharing/engine.js';
import type { OtherGrantee, OtherKind, Sharee } from '../sharing/types.js';
import { otherLabel } from '../sharing/sharees.js';
import { sourceOf } from './diff.js';
import { inertLine } from '../util/inert.js';

const LEVEL = { read: 'view', edit: 'edit', other: 'other' } as const;

export interface ExportPerson {
  email?: string;
  principal?: string;
  /** A grant to a group: its name. */
  group?: string;
  /** Set for a grant that is not to one person (a group, everyone, all signed-in users, …). */
  kind?: OtherKind;
  level: 'view' | 'edit' | 'other';
  name?: string;
  invite?: string;
  source: string;
}

function person(s: Sharee): ExportPerson {
  return {
    ...(s.email ? { email: s.email } : { principal: s.principal ?? '?' }),
    // A group sharee (Nextcloud's oc:invite names groups next to people) is no person: say so.
    ...(s.group !== undefined ? { group: s.group, kind: 'group' as const } : {}),
    // A grant calshare cannot read as view or edit stays "other": applying it leaves it as it is.
    level: LEVEL[s.level],
    ...(s.name ? { name: s.name } : {}),
    ...(s.status ? { invite: s.status } : {}),
    source: sourceOf(s),
  };
}

/**
 * A grant to no person (issue 11 §2): written with its kind so a plan read back matches it and
 * changes nothing; a plan reports these, never makes them (diff.ts).
 */
function other(o: OtherGrantee): ExportPerson {
  return {
    principal: o.href,
    ...(o.kind === 'group' && o.name ? { group: o.name } : {}),
    kind: o.kind,
    level: LEVEL[o.level],
    name: otherLabel(o),
    source: `acl:${o.sources.join('+')}`,
  };
}

/** What the export needs of each calendar's read-back (listSharees): people, and grants to no person. */
export type ExportInput = Pick<CalendarSharees, 'calendar' | 'sharees'> & { others?: readonly OtherGrantee[] };

/** Whole-account delegates (calendar-proxy): reach every calendar; listed, never changed by a plan. */
export interface ExportDelegate {
  email?: string;
  principal: string;
  level: 'view' | 'edit';
  source: string;
}

export function exportPlan(list: readonly ExportInput[], delegates: readonly ExportDelegate[] = []) {
  return {
    version: 1 as const,
    ...(delegates.length ? { delegates } : {}),
    calendars: list.map(({ calendar, sharees, others }) => ({
      calendar: calendar.url.pathname,
      name: calendarName(calendar),
      sharees: [...sharees.map(person), ...(others ?? []).map(other)],
    })),
  };
}

// group and kind come last, so scripts reading the columns by position keep working.
export const CSV_COLUMNS = ['calendar', 'name', 'email', 'principal', 'level', 'invite', 'source', 'group', 'kind'] as const;

/** One row per person; a calendar shared with no one gets one row with only its path and name. */
export function exportCsv(list: readonly ExportInput[], delegates: readonly ExportDelegate[] = []): string {
  const rows = exportPlan(list).calendars.flatMap((c) =>
    c.sharees.length === 0
      ? [[c.calendar, c.name, '', '', '', '', '', '', '']]
      : c.sharees.map((p) => [c.calendar, c.name, p.email ?? '', p.principal ?? '', p.level, p.invite ?? '', p.source, p.group ?? '', p.kind ?? '']),
  );
  // Delegates reach every calendar: one row each with calendar "*" (a plan reads them as information only).
  for (const d of delegates) rows.push(['*', 'all calendars (delegation)', d.email ?? '', d.principal, d.level, '', d.source, '', '']);
  // Server strings stay one inert line each (names can hold line breaks or bidi controls).
  return stringify([[...CSV_COLUMNS], ...rows.map((r) => r.map((c) => inertLine(c)))]);
}
