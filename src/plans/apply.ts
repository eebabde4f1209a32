// A plan against the live server. `planPlan` reads every named calendar from the one listing and
// computes the difference (sends nothing that changes state). `applyPlan` makes exactly that
// difference: per calendar, one write per mechanism through the same engine as `share`/`unshare`,
// read back and judged person by person. A failure on one calendar does not stop the others; the
// report says which failed, how, and what was left as it was (read back after the failure).
import type { Session } from '../session.js';
import type { Calendar } from '../discovery/calendars.js';
import { detect } from '../discovery/capabilities.js';
import { isCalshareError, UnsupportedError, UsageError, type ErrorKind } from '../errors.js';
import { byAddress, changeAccess, context, readState, revokee, type ChangeOutcome } from '../sharing/engine.js';
import { resolveIdentities, type Identity } from '../sharing/identity.js';
import { othersOf, shareesOf } from '../sharing/sharees.js';
import { MECHANISMS } from '../sharing/registry.js';
import type { Capabilities } from '../discovery/capabilities.js';
import type { Change, MechanismContext, Sharee } from '../sharing/types.js';
import { readCalendar } from '../discovery/calendars.js';
import { CHANGING, changesOf, diffCalendar, type PersonDiff } from './diff.js';
import type { Plan, PlanCalendar } from './schema.js';

export type CalendarStatus =
  /** plan: changes to make. */
  | 'planned'
  /** Nothing to change: already as planned. */
  | 'unchanged'
  /** Changed, and the read-back shows every person as planned. */
  | 'applied'
  /** The server accepted, but the read-back disagrees for someone. */
  | 'not-verified'
  /** The calendar cannot be shared on this server (or is not the user's). */
  | 'unsupported'
  /** The plan names a calendar the account does not have. */
  | 'not-found'
  | 'failed';

export const FAILED: readonly CalendarStatus[] = ['not-verified', 'unsupported', 'not-found', 'failed'];

export interface CalendarVerdict {
  /** The calendar as the plan names it. */
  ref: string;
  calendar: Calendar | undefined;
  status: CalendarStatus;
  /** The difference before any write; after a failure, recomputed from a fresh read-back. */
  rows: PersonDiff[];
  outcome: ChangeOutcome | undefined;
  error: { kind: ErrorKind; exitCode: number; message: string; hint: string | undefined } | undefined;
  /** After a failure: "as it was" when the read-back shows the old state, else what is known. */
  left: 'as it was' | 'partly changed' | 'unknown' | undefined;
}

export interface PlanReport {
  dryRun: boolean;
  prune: boolean;
  calendars: CalendarVerdict[];
}

export interface PlanOptions {
  prune?: boolean;
}

const errorOf = (e: unknown): CalendarVerdict['error'] => {
  if (!isCalshareError(e)) throw e; // a bug: let it surface as one
  return { kind: e.kind, exitCode: e.exitCode, message: e.message, hint: e.hint };
};

interface Located {
  entry: PlanCalendar;
  cal: Calendar;
  sharees: Sharee[];
  rows: PersonDiff[];
}

/** Every plan entry against the one listing; not-found and not-owned calendars become verdicts. */
async function locate(session: Session, plan: Plan, ctx: MechanismContext, opts: PlanOptions): Promise<(Located | CalendarVerdict)[]> {
  await session.calendars(); // the one listing every entry resolves against
  const seen = new Map<string, string>();
  return Promise.all(
    plan.calendars.map(async (entry): Promise<Located | CalendarVerdict> => {
      const bare = { ref: entry.calendar, calendar: undefined, rows: [], outcome: undefined, left: undefined };
      let cal: Calendar;
      try {
        cal = await session.resolveCalendar(entry.calendar);
      } catch (e) {
        return { ...bare, status: 'not-found', error: errorOf(e), left: 'as it was' };
      }
      const twice = seen.get(cal.url.href);
      if (twice !== undefined) {
        const e = new UsageError(`"${entry.calendar}" and "${twice}" are the same calendar`, 'Name each calendar once in a plan.');
        return { ...bare, calendar: cal, status: 'failed', error: errorOf(e), left: 'as it was' };
      }
      seen.set(cal.url.href, entry.calendar);
      if (!cal.owned) {
        const e = new UnsupportedError(`"${entry.calendar}" is shared with you, not yours`, 'Only the owner of a calendar can change its sharing; leave it out of the plan.');
        return { ...bare, calendar: cal, status: 'unsupported', error: errorOf(e), left: 'as it was' };
      }
      const fetched = await readState(session, cal, ctx);
      const sharees = shareesOf(cal, ctx, fetched);
      return { entry, cal, sharees, rows: diffCalendar(entry, sharees, Boolean(opts.prune), othersOf(cal, ctx, fetched)) };
    }),
  );
}

const isVerdict = (x: Located | CalendarVerdict): x is CalendarVerdict => 'status' in x;
const changing = (rows: readonly PersonDiff[]) => rows.some((r) => CHANGING.includes(r.action));
const notByPlan = (rows: readonly PersonDiff[]) => rows.filter((r) => r.action === 'not-by-plan');

/**
 * Why a plan cannot make a grant to no person, in words naming the next step. A group needs a
 * mechanism that names groups (Nextcloud's oc:share); where none is available, the server has no
 * way to share with a group at all. Public grants (everyone, all signed-in users) calshare never makes.
 */
function notByPlanError(ref: string, rows: readonly PersonDiff[], caps: Capabilities): UnsupportedError {
  const who = rows.map((r) => r.who).join(', ');
  const groups = rows.filter((r) => r.who.startsWith('group '));
  if (groups.length === rows.length) {
    const can = MECHANISMS.filter((m) => m.groupPrincipal && caps.mechanisms.some((x) => x.id === m.id && x.available));
    if (!can.length) {
      return new UnsupportedError(
        `"${ref}": this server cannot share with a group (${who}): its sharing (${caps.preferred ?? 'none'}) names people only; nothing was sent for this calendar`,
        'Name each person of the group by address in the plan, or leave the group out.',
      );
    }
    return new UnsupportedError(
      `"${ref}": a plan does not share with groups (${who}); nothing was sent for this calendar`,
      `Share with a group by \`calshare share CALENDAR --group NAME --view|--edit\` (or \`unshare --group\`), then export the plan again.`,
    );
  }
  return new UnsupportedError(
    `"${ref}": a plan does not change grants to no person (${who}); nothing was sent for this calendar`,
    'Set such an entry to the level `calshare sharees` shows (or leave it out): a plan changes people by address only.',
  );
}

/**
 * The difference, sending nothing that changes state: one listing, plus one OPTIONS on the calendar
 * home to say which calendars cannot be shared on this server at all.
 */
export async function planPlan(session: Session, plan: Plan, opts: PlanOptions = {}): Promise<PlanReport> {
  const ctx = await context(session);
  const located = await locate(session, plan, ctx, opts);
  const home = located.some((l) => !isVerdict(l) && (changing(l.rows) || notByPlan(l.rows).length)) ? await session.serverOptions(ctx.me.homeUrl) : undefined;
  const calendars = located.map((l): CalendarVerdict => {
    if (isVerdict(l)) return l;
    const base = { ref: l.entry.calendar, calendar: l.cal, rows: l.rows, outcome: undefined, error: undefined, left: undefined };
    const refused = notByPlan(l.rows);
    if (refused.length) return { ...base, status: 'unsupported', error: errorOf(notByPlanError(l.entry.calendar, refused, detect(l.cal, home!))), left: 'as it was' };
    if (!changing(l.rows)) return { ...base, status: 'unchanged' };
    if (home && !detect(l.cal, home).preferred) {
      const e = new UnsupportedError(`this server offers no way to share "${l.entry.calendar}" over CalDAV`, '`calshare capabilities` shows why.');
      return { ...base, status: 'unsupported', error: errorOf(e) };
    }
    return { ...base, status: 'planned' };
  });
  return { dryRun: true, prune: Boolean(opts.prune), calendars };
}

/**
 * Makes the difference. Identities are resolved once for the whole plan, before any write: an
 * unknown person is a usage error (exit 2) and nothing is sent. Then calendar by calendar, so a
 * Cyrus home-spill repair (an engine hook) never overlaps another calendar's ACL write.
 */
export async function applyPlan(session: Session, plan: Plan, opts: PlanOptions = {}): Promise<PlanReport> {
  const ctx = await context(session);
  const located = await locate(session, plan, ctx, opts);
  const todo = located.filter((l): l is Located => !isVerdict(l) && changing(l.rows) && !notByPlan(l.rows).length);
  const grantees = [...new Set(todo.flatMap((l) => changesOf(l.rows).filter((c) => c.level !== 'none').map((c) => c.email.toLowerCase())))];
  const resolved = new Map<string, Identity>();
  if (grantees.length) {
    // How people are found is a server quirk (DAViCal: by principal-property-search): the server's
    // quirks come with capabilities, asked of the first calendar to change (the engine reuses it).
    const withQuirks = await context(session, await session.capabilities(todo[0]!.cal));
    const ids = await resolveIdentities(session.transport, ctx.me, grantees, withQuirks.quirks);
    ids.forEach((id, i) => resolved.set(grantees[i]!, id));
  }
  const calendars: CalendarVerdict[] = [];
  for (const l of located) {
    if (isVerdict(l)) {
      calendars.push(l);
      continue;
    }
    const base = { ref: l.entry.calendar, calendar: l.cal, rows: l.rows, outcome: undefined, error: undefined, left: undefined };
    const refused = notByPlan(l.rows);
    if (refused.length) {
      // Before any write for this calendar: a plan applied in part would leave people and groups out of step.
      const caps = detect(l.cal, await session.serverOptions(ctx.me.homeUrl));
      calendars.push({ ...base, status: 'unsupported', error: errorOf(notByPlanError(l.entry.calendar, refused, caps)), left: 'as it was' });
      continue;
    }
    if (!changing(l.rows)) {
      calendars.push({ ...base, status: 'unchanged' });
      continue;
    }
    const listed = byAddress(l.sharees);
    const wanted: Change[] = changesOf(l.rows).map((c) => ({
      who: c.level === 'none' ? revokee(c.email, listed, ctx) : resolved.get(c.email.toLowerCase())!,
      level: c.level,
    }));
    try {
      const outcome = await changeAccess(session, l.cal, wanted);
      calendars.push({ ...base, calendar: outcome.calendar, outcome, status: outcome.mismatches.length ? 'not-verified' : 'applied' });
    } catch (e) {
      calendars.push({ ...base, status: e instanceof UnsupportedError ? 'unsupported' : 'failed', error: errorOf(e), ...(await afterFailure(session, l, ctx)) });
    }
  }
  session.invalidate();
  return { dryRun: false, prune: Boolean(opts.prune), calendars };
}

/** What a failure left: the calendar read back and diffed again against the same plan entry. */
async function afterFailure(session: Session, l: Located, ctx: MechanismContext): Promise<Pick<CalendarVerdict, 'rows' | 'left'>> {
  try {
    const now = await readCalendar(session.transport, ctx.me, l.cal.url, 'reading the calendar back after a failure');
    if (!now) return { rows: l.rows, left: 'unknown' };
    const fetched = await readState(session, now, ctx);
    const prune = l.rows.some((r) => r.action === 'remove');
    const rows = diffCalendar(l.entry, shareesOf(now, ctx, fetched), prune, othersOf(now, ctx, fetched));
    const same = rows.length === l.rows.length && rows.every((r, i) => r.now === l.rows[i]!.now && r.who === l.rows[i]!.who);
    return { rows, left: same ? 'as it was' : 'partly changed' };
  } catch {
    return { rows: l.rows, left: 'unknown' };
  }
}

export const failedCalendars = (r: PlanReport) => r.calendars.filter((c) => FAILED.includes(c.status));
