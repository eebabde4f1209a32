// `calshare plan FILE` and `calshare apply FILE [--yes] [--prune] [--json]`: a sharing plan for many
// calendars and people, its difference from the live state, and that difference made and verified.
import { readFile } from 'node:fs/promises';
import { withSession, type GlobalFlags } from '../connect.js';
import { printJson } from '../output.js';
import { PartialError, UsageError, isCalshareError } from '../../errors.js';
import { canPrompt, missing } from '../interactive/gate.js';
import { inertLine } from '../../util/inert.js';
import type { Session } from '../../session.js';

export interface PlanFlags extends GlobalFlags {
  prune?: boolean;
  yes?: boolean;
}

/** The plan file ("-" = standard input), size-capped and validated before any request. */
async function load(file: string) {
  const { parsePlan, MAX_PLAN_BYTES } = await import('../../plans/schema.js');
  let body: string;
  try {
    if (file === '-') {
      const chunks: Buffer[] = [];
      let size = 0;
      for await (const c of process.stdin as AsyncIterable<Buffer>) {
        size += c.length;
        if (size > MAX_PLAN_BYTES) throw new UsageError('the plan on standard input is too large');
        chunks.push(c);
      }
      body = Buffer.concat(chunks).toString('utf8');
    } else {
      body = await readFile(file, 'utf8');
    }
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read the plan "${inertLine(file)}": ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, 'Give the path of a YAML, JSON or CSV plan file, or - for standard input.');
  }
  return parsePlan(body, file);
}

function finish(report: import('../../plans/apply.js').PlanReport, flags: PlanFlags, failed: number): void {
  if (failed === 0) return;
  const e = new PartialError(
    `${failed} of ${report.calendars.length} calendar(s) ${report.dryRun ? 'cannot be changed as planned' : 'were not changed as planned'}; the others ${report.dryRun ? 'can be' : 'were'}`,
    'The report above names each calendar, the reason, and what was left as it was. Fix those entries (or the server side) and run it again; calendars already right are left alone.',
  );
  if (flags.json) {
    // The report is the --json answer; the exit code says it was partial.
    process.exitCode = e.exitCode;
    return;
  }
  throw e;
}

type Plan = import('../../plans/schema.js').Plan;
type Report = import('../../plans/apply.js').PlanReport;

/**
 * Runs `fn` once per account the plan names (entries without `account:` use the command's own
 * server and user), each with its own session, and merges the reports in the plan's order. A plan
 * can so hold calendars of several servers: one that cannot share is reported, the others applied.
 */
async function perAccount(plan: Plan, flags: PlanFlags, fn: (s: Session, part: Plan) => Promise<Report>): Promise<Report> {
  const accounts = [...new Set(plan.calendars.map((c) => c.account))];
  const parts = new Map<string | undefined, Report>();
  for (const account of accounts) {
    const part = { ...plan, calendars: plan.calendars.filter((c) => c.account === account) };
    const f = account === undefined ? flags : { ...flags, account, url: undefined, username: undefined };
    try {
      parts.set(account, await withSession(f, (s) => fn(s, part)));
    } catch (e) {
      // One account failing (sign-in, network) fails its calendars, not the others'.
      if (!isCalshareError(e) || accounts.length === 1) throw e;
      const error = { kind: e.kind, exitCode: e.exitCode, message: account ? `account "${account}": ${e.message}` : e.message, hint: e.hint };
      parts.set(account, {
        dryRun: true,
        prune: Boolean(flags.prune),
        calendars: part.calendars.map((c) => ({ ref: c.calendar, calendar: undefined, status: 'failed' as const, rows: [], outcome: undefined, error, left: 'unknown' as const })),
      });
    }
  }
  const first = parts.values().next().value as Report;
  const next = new Map([...parts].map(([a, r]) => [a, [...r.calendars]]));
  return { ...first, calendars: plan.calendars.map((c) => next.get(c.account)!.shift()!) };
}

export async function runPlan(file: string, flags: PlanFlags): Promise<void> {
  const plan = await load(file);
  const { planPlan, failedCalendars } = await import('../../plans/apply.js');
  const { printReport, reportJson } = await import('./plan-output.js');
  const report = await perAccount(plan, flags, (s, part) => planPlan(s, part, { prune: Boolean(flags.prune) }));
  if (flags.json) printJson(reportJson(report));
  else printReport(report);
  finish(report, flags, failedCalendars(report).length);
}

export async function runApply(file: string, flags: PlanFlags): Promise<void> {
  const plan = await load(file);
  const ask = !flags.yes && canPrompt(flags);
  if (!flags.yes && !ask) throw missing('--yes', 'Add --yes to make the changes, or run `calshare plan FILE` to see them first.');
  const { planPlan, applyPlan, failedCalendars } = await import('../../plans/apply.js');
  const { printReport, reportJson } = await import('./plan-output.js');
  const opts = { prune: Boolean(flags.prune) };
  if (ask) {
    const preview = await perAccount(plan, flags, (s, part) => planPlan(s, part, opts));
    printReport(preview);
    if (!preview.calendars.some((c) => c.status === 'planned')) {
      process.stderr.write('Nothing to change.\n');
      return finish(preview, flags, failedCalendars(preview).length);
    }
    const { promptFlow } = await import('../interactive/prompts.js');
    const { CancelledError } = await import('../interactive/cancel.js');
    await promptFlow(async (q) => {
      if (!(await q.confirm('Make these changes?'))) throw new CancelledError('declined');
    });
  }
  const report = await perAccount(plan, flags, (s, part) => applyPlan(s, part, opts));
  if (flags.json) printJson(reportJson(report));
  else {
    printReport(report);
    const changed = report.calendars.filter((c) => c.status === 'applied').length;
    process.stderr.write(changed ? `${changed} calendar(s) changed and verified.\n` : 'Nothing changed: every calendar already matches the plan.\n');
  }
  finish(report, flags, failedCalendars(report).length);
}
