// `plan` and `apply` of a 20-calendar x 50-person plan on staging Cyrus (issue #17), through the
// library with a request counter, next to the per-calendar floor: what no client can do with less.
// Prints figures; asserts nothing (`npm run bench`).
import { performance } from 'node:perf_hooks';
import { randomUUID } from 'node:crypto';
import { Session } from '../src/session.js';
import { basicCredentials } from '../src/credentials/basic.js';
import { applyPlan, planPlan, type PlanReport } from '../src/plans/apply.js';
import { parsePlan } from '../src/plans/schema.js';
import type { TraceEntry } from '../src/transport/http.js';
import { CYRUS, ensureCyrusUsers, ensureStaging } from '../test/helpers/staging.js';
import { deleteCalendar, freshCalendar } from '../test/helpers/dav.js';

const CALENDARS = 20;
const PEOPLE = 50;

function table(headers: string[], rows: (string | number)[][]): string {
  const cells = [headers, ...rows.map((r) => r.map(String))];
  const w = headers.map((_, i) => Math.max(...cells.map((r) => r[i]!.length)));
  return cells.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(w[i]!) : c.padStart(w[i]!))).join('  ')).join('\n');
}

ensureStaging('cyrus');
const people = ensureCyrusUsers(PEOPLE).map((u) => `${u}@${CYRUS.domain}`);
const cals = await Promise.all(Array.from({ length: CALENDARS }, () => freshCalendar('alice', `bench-plan-${randomUUID().slice(0, 8)}`)));
try {
  // Mixed levels: every person on every calendar, edit for every third.
  const body = JSON.stringify({
    calendars: cals.map((c) => ({
      calendar: new URL(c.url).pathname,
      sharees: people.map((email, i) => ({ email, level: i % 3 === 0 ? 'edit' : 'view' })),
    })),
  });
  const plan = parsePlan(body);
  const traces: TraceEntry[] = [];
  const session = await Session.open({ url: CYRUS.url, credentials: basicCredentials('alice', async () => 'alice-pw'), onTrace: (t) => traces.push(t) });
  await session.principal(); // discovery is not the plan's cost
  const rows: (string | number)[][] = [];
  const step = async (what: string, floor: number, run: () => Promise<PlanReport>) => {
    session.invalidate();
    const from = traces.length;
    const t0 = performance.now();
    const r = await run();
    const ms = performance.now() - t0;
    const mine = traces.slice(from);
    const count = (...m: string[]) => mine.filter((t) => m.includes(t.method)).length;
    const statuses = [...new Set(r.calendars.map((c) => c.status))].join(',');
    rows.push([what, `${(ms / 1000).toFixed(1)} s`, mine.length, floor, count('POST', 'ACL'), count('PROPFIND'), count('OPTIONS'), `${(ms / CALENDARS).toFixed(0)} ms`, statuses]);
  };
  // Floors: plan = 1 listing (+1 OPTIONS on the home); apply = per calendar OPTIONS + 1 write + 1
  // read-back, plus the listing and one look-up per person (both shared by all calendars).
  await step('plan (20 x 50, all new)', 2, () => planPlan(session, plan));
  await step('apply (20 x 50, all new)', 1 + PEOPLE + 3 * CALENDARS, () => applyPlan(session, plan));
  await step('apply again (no-op)', 1, () => applyPlan(session, plan));
  await session.close();
  process.stdout.write(
    `\nSharing plan on Cyrus 3.6 (CalendarServer sharing), ${CALENDARS} calendars x ${PEOPLE} people, warm session after discovery.\n` +
      `floor = the least requests any client needs: plan 1 listing + 1 OPTIONS; apply 1 listing + ${PEOPLE} people look-ups + 3 per calendar (OPTIONS, the one write, the read-back).\n` +
      `${table(['step', 'wall', 'requests', 'floor', 'writes', 'PROPFIND', 'OPTIONS', 'per calendar', 'status'], rows)}\n`,
  );
} finally {
  for (const c of cals) await deleteCalendar('alice', c.url);
}
