// The sharing plan file: which calendars, and for each who should have which access. Validated in
// full (zod) before anything is sent, so a typo fails the command, not half an apply. The same
// shape is what `calshare sharees --format json|csv` writes, so export -> edit -> apply is a loop:
// fields the export adds for people to read (name, invite, source, principal) are accepted and
// ignored by the diff; grants to no person (group, kind) are matched and reported, never made.
//
//   calendars:
//     - calendar: Work                  # display name, path or URL
//       sharees:
//         - email: bob@example.test
//           level: edit                 # view | edit  ("other" = leave as it is)
//
// YAML (a superset of JSON) or CSV (one row per person, the export's columns).
import { z } from 'zod';
import { parse as parseYaml } from 'yaml';
import { parse as parseCsv } from 'csv-parse/sync';
import { UsageError } from '../errors.js';
import { inertLine } from '../util/inert.js';
import type { Level, OtherKind } from '../sharing/types.js';
import { parseEmail } from '../sharing/identity.js';

/** The kinds of grant to no person (types.ts OtherKind), as the export writes them. */
export const OTHER_KINDS = ['group', 'everyone', 'authenticated', 'unauthenticated', 'except'] as const satisfies readonly OtherKind[];

/** Larger than any real plan (20 calendars x 50 people is ~60 KB), small enough to parse at once. */
export const MAX_PLAN_BYTES = 5 * 1024 * 1024;

/** view-only access reads "view" in a plan; "read" and "view-only" are accepted as typed elsewhere in calshare. */
const level = z
  .enum(['view', 'edit', 'read', 'view-only', 'other'])
  .transform((l): PlanLevel => (l === 'edit' ? 'edit' : l === 'other' ? 'other' : 'read'));
export type PlanLevel = Level | 'other';

const blankToUndefined = (v: unknown) => (typeof v === 'string' && v.trim() === '' ? undefined : v);
const text = z.preprocess(blankToUndefined, z.string().max(2000).optional());

const person = z
  .object({
    email: z.preprocess(blankToUndefined, z.string().max(320).optional()),
    /** A principal URL (groups, public grants and delegates have no address): reported, never changed. */
    principal: text,
    group: text,
    /**
     * Written by the export for a grant to no person (group, everyone, all signed-in users, …, as
     * `calshare sharees` names them): the diff matches it against the calendar's such grants and
     * reports it; a plan never makes one (diff.ts).
     */
    kind: z.preprocess(blankToUndefined, z.enum(['person', ...OTHER_KINDS]).optional()),
    level,
    // Written by the export for people to read; ignored by the diff.
    name: text,
    invite: text,
    source: text,
  })
  .strict()
  .refine((p) => p.email || p.principal || p.group || (p.kind && p.kind !== 'person' && p.kind !== 'group' && p.kind !== 'except'), {
    message: 'each entry needs an email (or, for a grant to no person, a group, principal or kind)',
  })
  .refine((p) => !(p.email && p.kind && p.kind !== 'person'), { message: 'an entry with an email is a person: leave out kind, or the email' });
export type PlanPerson = z.infer<typeof person>;

const calendar = z
  .object({
    calendar: z.string().min(1).max(2000),
    /** A configured account (`calshare login --account NAME`) when the calendar is on another server. */
    account: z.preprocess(blankToUndefined, z.string().max(200).optional()),
    /** The display name, written by the export next to the path; ignored when `calendar` is given. */
    name: text,
    sharees: z.array(person).max(10_000).default([]),
  })
  .strict();
export type PlanCalendar = z.infer<typeof calendar>;

/** Written by the export: whole-account delegates, for reading; a plan does not change delegation. */
const delegate = z.object({ email: text, principal: z.string().max(2000), level: z.string().max(20), source: text }).strict();

export const planSchema = z
  .object({
    version: z.literal(1).default(1),
    delegates: z.array(delegate).max(10_000).optional(),
    calendars: z.array(calendar).min(1).max(1000),
  })
  .strict();
export type Plan = z.infer<typeof planSchema>;

/** A zod issue as one line a person can act on: "calendars[1].sharees[0].level: …". */
function issueLine(i: z.core.$ZodIssue): string {
  const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
  return `${path || '(top)'}: ${i.message}`;
}

/** Rows of the CSV form (the export's columns) into the plan's nested shape. */
function fromCsv(body: string): unknown {
  const rows = parseCsv(body, { columns: true, skip_empty_lines: true, trim: true, bom: true }) as Record<string, string>[];
  const byCal = new Map<string, { calendar: string; name?: string; sharees: Record<string, string>[] }>();
  const delegates: Record<string, string>[] = [];
  for (const r of rows) {
    const { calendar: cal = '', name, ...p } = r;
    if (cal === '*') {
      delegates.push(Object.fromEntries(Object.entries(p).filter(([k, v]) => ['email', 'principal', 'level', 'source'].includes(k) && v !== '')));
      continue;
    }
    const entry = byCal.get(cal) ?? { calendar: cal, ...(name ? { name } : {}), sharees: [] };
    byCal.set(cal, entry);
    // A row with nobody on it keeps a calendar in the plan (with --prune: share it with no one).
    if (p.email || p.principal || p.group) entry.sharees.push(Object.fromEntries(Object.entries(p).filter(([k]) => k !== 'calendar_name')));
  }
  return { calendars: [...byCal.values()], ...(delegates.length ? { delegates } : {}) };
}

const looksCsv = (name: string | undefined, body: string) => /\.csv$/i.test(name ?? '') || /^\uFEFF?calendar,/.test(body);

/**
 * Parses and validates a plan. Throws a UsageError listing every problem (exit 2) before any request;
 * the same person twice on one calendar is a problem too, since the two levels would contradict.
 */
export function parsePlan(body: string, fileName?: string): Plan {
  if (Buffer.byteLength(body) > MAX_PLAN_BYTES) throw new UsageError(`the plan is larger than ${MAX_PLAN_BYTES / 1024 / 1024} MB`);
  let raw: unknown;
  try {
    // yaml's default maxAliasCount (100) stops alias bombs; JSON is YAML, so one parser reads both.
    raw = looksCsv(fileName, body) ? fromCsv(body) : parseYaml(body, { prettyErrors: true, uniqueKeys: true });
  } catch (e) {
    throw new UsageError(`the plan is not valid ${looksCsv(fileName, body) ? 'CSV' : 'YAML or JSON'}: ${inertLine((e as Error).message.split('\n')[0] ?? '')}`, PLAN_HINT);
  }
  const r = planSchema.safeParse(raw);
  if (!r.success) {
    throw new UsageError(`the plan has ${r.error.issues.length} problem(s):\n${r.error.issues.map((i) => `  ${inertLine(issueLine(i))}`).join('\n')}`, PLAN_HINT);
  }
  const dupes = r.data.calendars.flatMap((c, i) => {
    const seen = new Set<string>();
    return c.sharees.flatMap((p, j) => {
      if (!p.email) return [];
      try {
        p.email = parseEmail(p.email);
      } catch (e) {
        return [`calendars[${i}].sharees[${j}].email: ${(e as Error).message}`];
      }
      const key = p.email.toLowerCase();
      if (seen.has(key)) return [`calendars[${i}].sharees[${j}]: ${inertLine(p.email!)} is listed twice for ${inertLine(c.calendar)}`];
      seen.add(key);
      return [];
    });
  });
  if (dupes.length) throw new UsageError(`the plan has ${dupes.length} problem(s):\n${dupes.map((d) => `  ${d}`).join('\n')}`, PLAN_HINT);
  return r.data;
}

export const PLAN_HINT =
  'A plan lists calendars, each with `sharees:` entries of `email:` and `level:` (view or edit); see README "Sharing plans". `calshare sharees --format json` writes a valid one to start from.';
