// How a plan's difference and an apply's verdicts look: per calendar, per person.
import { calendarName } from '../../discovery/calendars.js';
import { accessLabel, RESULT_LABEL } from '../../sharing/types.js';
import type { CalendarVerdict, PlanReport } from '../../plans/apply.js';
import type { Action, PersonDiff } from '../../plans/diff.js';
import { paint, table } from '../output.js';
import { inert, inertLine } from '../../util/inert.js';

const ACTION: Record<Action, string> = {
  add: 'to add',
  change: 'to change',
  remove: 'to remove',
  ok: 'already right',
  keep: 'left as it is (plan: other)',
  extra: 'not in the plan, kept (--prune removes)',
  unmanaged: 'not a person by address, kept',
  'not-by-plan': 'a plan does not make this (see error)',
};

const STATUS: Record<CalendarVerdict['status'], string> = {
  planned: 'changes planned',
  unchanged: 'already as planned, nothing sent',
  applied: 'applied, verified by reading it back',
  'not-verified': 'NOT VERIFIED: the server accepted, reading it back shows otherwise',
  unsupported: 'cannot be shared here',
  'not-found': 'not found',
  failed: 'FAILED',
};

const lvl = (l: PersonDiff['now'] | 'other') => accessLabel(l);
const title = (v: CalendarVerdict) => (v.calendar ? `${inertLine(calendarName(v.calendar))}  ${v.calendar.url.pathname}` : inertLine(v.ref));

export function printReport(r: PlanReport): void {
  const out = process.stdout;
  for (const v of r.calendars) {
    const bad = ['not-verified', 'unsupported', 'not-found', 'failed'].includes(v.status);
    out.write(`${paint(out, 'bold', title(v))}: ${paint(out, bad ? 'red' : v.status === 'planned' ? 'yellow' : 'green', STATUS[v.status])}\n`);
    const results = new Map((v.outcome?.results ?? []).map((x) => [x.email.toLowerCase(), x]));
    const rows = v.rows.map((d) => {
      const res = d.email ? results.get(d.email.toLowerCase()) : undefined;
      return [d.who, lvl(d.now), lvl(d.want), res ? RESULT_LABEL[res.result] : ACTION[d.action]];
    });
    if (rows.length) out.write(table(['PERSON', v.outcome ? 'BEFORE' : 'NOW', 'PLAN', v.outcome ? 'RESULT' : 'ACTION'], rows).trimEnd().replace(/^/gm, '  ') + '\n');
    else out.write('  no one, as planned\n');
    if (v.error) out.write(`  ${paint(out, 'red', 'error:')} ${inert(v.error.message)}${v.error.hint ? `\n  ${paint(out, 'dim', 'hint:')} ${inert(v.error.hint)}` : ''}\n`);
    if (v.left) out.write(`  left: ${v.left}\n`);
    for (const w of v.outcome?.warnings ?? []) out.write(`  ${paint(out, 'yellow', 'warning:')} ${inert(w)}\n`);
    out.write('\n');
  }
}

export function reportJson(r: PlanReport) {
  return {
    dryRun: r.dryRun,
    prune: r.prune,
    calendars: r.calendars.map((v) => ({
      calendar: v.ref,
      name: v.calendar ? calendarName(v.calendar) : null,
      url: v.calendar?.url.href ?? null,
      status: v.status,
      mechanism: v.outcome?.mechanism ?? null,
      used: v.outcome?.used ?? [],
      requests: v.outcome?.requests.length ?? 0,
      people: v.rows.map((d) => {
        const res = d.email ? v.outcome?.results.find((x) => x.email.toLowerCase() === d.email!.toLowerCase()) : undefined;
        return {
          who: d.who,
          email: d.email ?? null,
          action: d.action,
          before: lvl(d.now),
          planned: lvl(d.want),
          ...(res ? { result: res.result, after: lvl(res.after), invite: res.status ?? null } : {}),
        };
      }),
      error: v.error ?? null,
      left: v.left ?? null,
      warnings: v.outcome?.warnings ?? [],
    })),
  };
}
