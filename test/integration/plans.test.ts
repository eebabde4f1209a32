// Sharing plans on staging Cyrus (issue #17): 3 calendars x 5 people at mixed levels, applied,
// proven as the sharees by event content, re-applied as a no-op, converged back after a change by
// hand, pruned of exactly the extra people; a failing calendar does not stop the others.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { canRead, dav, deleteCalendar, freshCalendar, ics, tryWrite } from '../helpers/dav.js';
import { CYRUS, ensureCyrusUsers, ensureStaging } from '../helpers/staging.js';
import { writes } from './sharing-lib.js';
import { calshare, type CliResult } from '../helpers/cli.js';
import { USERS } from '../helpers/staging.js';

/**
 * calshare as alice on Cyrus, asserting the exit code. Generous limits: a plan run makes many
 * requests, and the staging machine may be loaded (a listing once took over 30 s there).
 */
async function aliceOk(args: string[], code = 0): Promise<CliResult> {
  const r = await calshare([...args, '--url', CYRUS.url, '--username', 'alice', '--timeout', '180'], { env: { CALSHARE_PASSWORD: USERS.alice }, timeoutMs: 600_000 });
  assert.equal(r.code, code, `calshare ${args.join(' ')} → exit ${r.code}, wanted ${code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}

const BOB = 'bob@example.test';
const CAROL = 'carol@example.test';

interface Report {
  calendars: { calendar: string; status: string; requests: number; error: { kind: string } | null; left: string | null; people: { who: string; action: string; result?: string; after?: string }[] }[];
}

const dir = mkdtempSync(join(tmpdir(), 'calshare-plan-'));
const file = (name: string, body: string) => {
  const p = join(dir, name);
  writeFileSync(p, body);
  return p;
};
const json = (r: { stdout: string }) => JSON.parse(r.stdout) as Report;
const byCal = (rep: Report) => new Map(rep.calendars.map((c) => [c.calendar, c]));

/** bob proves edit access by writing an event the owner then reads, and taking it away again. */
async function bobEdits(calUrl: string): Promise<void> {
  const uid = randomUUID();
  const url = `${calUrl}${uid}.ics`;
  const put = await dav('bob', 'PUT', url, ics(uid, 'Planned by bob'), { 'content-type': 'text/calendar; charset=utf-8', 'if-none-match': '*' });
  assert.ok([201, 204].includes(put.status), `bob's PUT → ${put.status}`);
  assert.match((await dav('alice', 'GET', url)).body, /SUMMARY:Planned by bob/);
  assert.ok([200, 204].includes((await dav('bob', 'DELETE', url)).status));
}

async function viewOnly(who: 'bob' | 'carol', cal: { url: string; eventUrl: string }): Promise<void> {
  const got = await dav(who, 'GET', cal.eventUrl);
  assert.equal(got.status, 200, `${who} reads the seed event`);
  assert.match(got.body, /SUMMARY:Seed event/);
  assert.equal((await tryWrite(who, cal.url)).create, 403, `${who}'s write is refused`);
}

describe('plan and apply on Cyrus', () => {
  let cals: { url: string; name: string; eventUrl: string }[] = [];
  let us: string[] = [];
  before(async () => {
    ensureStaging('cyrus');
    us = ensureCyrusUsers(3).map((u) => `${u}@example.test`);
    cals = await Promise.all([0, 1, 2].map(() => freshCalendar('alice', `plan-${randomUUID().slice(0, 8)}`)));
  });
  after(async () => {
    for (const c of cals) await deleteCalendar('alice', c.url);
  });

  const planYaml = () => {
    const [a, b, c] = cals.map((x) => new URL(x.url).pathname);
    const [u1, u2, u3] = us;
    return `# 3 calendars x 5 people
calendars:
  - calendar: ${a}
    sharees:
      - { email: ${BOB}, level: edit }
      - { email: ${CAROL}, level: view }
      - { email: ${u1}, level: view }
  - calendar: ${cals[1]!.name}
    sharees:
      - { email: ${BOB}, level: view }
      - { email: ${u2}, level: edit }
      - { email: ${u3}, level: view }
  - calendar: ${c}
    sharees:
      - { email: ${CAROL}, level: edit }
      - { email: ${u1}, level: edit }
      - { email: ${u2}, level: view }
      - { email: ${u3}, level: view }
      - { email: ${BOB}, level: view }
`;
  };

  test('plan shows the difference and sends nothing; apply makes it (one write per calendar), verified as the sharees; again is a no-op', async () => {
    const plan = file(`p-${randomUUID()}.yaml`, planYaml());
    const shown = await aliceOk(['plan', plan, '--json', '--verbose']);
    assert.deepEqual(writes(shown.stderr), [], 'plan sends no write');
    const p = json(shown);
    assert.deepEqual(p.calendars.map((c) => c.status), ['planned', 'planned', 'planned']);
    assert.equal(p.calendars[2]!.people.filter((x) => x.action === 'add').length, 5);

    const done = await aliceOk(['apply', plan, '--yes', '--json', '--verbose']);
    const r = json(done);
    assert.deepEqual(r.calendars.map((c) => c.status), ['applied', 'applied', 'applied'], done.stdout);
    for (const c of r.calendars) for (const x of c.people) assert.ok(['shared', 'unchanged'].includes(x.result ?? ''), `${c.calendar} ${x.who}: ${x.result}`);
    // One write per calendar: each mechanism batches all its people.
    const w = writes(done.stderr);
    assert.equal(w.length, 3, `writes: ${w.map((x) => `${x.method} ${x.url}`).join(', ')}`);
    assert.deepEqual(new Set(w.map((x) => new URL(x.url).pathname)), new Set(cals.map((c) => new URL(c.url).pathname)));

    await bobEdits(cals[0]!.url);
    await viewOnly('bob', cals[1]!);
    await viewOnly('carol', cals[0]!);
    await viewOnly('bob', cals[2]!);
    // carol is not in the second calendar's plan.
    assert.equal(await canRead('carol', cals[1]!.url, cals[1]!.eventUrl), false);

    const again = await aliceOk(['apply', plan, '--yes', '--json', '--verbose']);
    assert.deepEqual(json(again).calendars.map((c) => c.status), ['unchanged', 'unchanged', 'unchanged']);
    assert.deepEqual(writes(again.stderr), [], 'a second apply writes nothing');
    const text = await aliceOk(['apply', plan, '--yes']);
    assert.match(text.stderr, /Nothing changed/);

    // By hand: bob loses the first calendar, carol gets the second. Apply converges the first back,
    // keeps carol (not in the plan) without --prune, removes exactly her with --prune.
    await aliceOk(['unshare', cals[0]!.url, BOB, '--yes']);
    await aliceOk(['share', cals[1]!.url, CAROL, '--edit']);
    const back = json(await aliceOk(['apply', plan, '--yes', '--json']));
    const first = byCal(back).get(new URL(cals[0]!.url).pathname)!;
    assert.equal(first.status, 'applied');
    assert.deepEqual(first.people.filter((x) => x.action !== 'ok').map((x) => [x.who, x.action, x.result]), [[BOB, 'add', 'shared']]);
    const second = byCal(back).get(cals[1]!.name)!;
    assert.equal(second.status, 'unchanged');
    assert.deepEqual(second.people.filter((x) => x.action === 'extra').map((x) => x.who), [CAROL]);
    await bobEdits(cals[0]!.url);
    assert.ok(await canRead('carol', cals[1]!.url, cals[1]!.eventUrl), 'carol kept without --prune');

    const pruned = json(await aliceOk(['apply', plan, '--yes', '--prune', '--json']));
    const p2 = byCal(pruned).get(cals[1]!.name)!;
    assert.deepEqual(p2.people.filter((x) => x.action === 'remove').map((x) => [x.who, x.result]), [[CAROL, 'removed']]);
    assert.deepEqual(pruned.calendars.map((c) => c.status), ['unchanged', 'applied', 'unchanged']);
    assert.equal(await canRead('carol', cals[1]!.url, cals[1]!.eventUrl), false, 'carol pruned');
    await viewOnly('bob', cals[1]!);
  });

  test('a calendar that fails does not stop the others: exit 8, the report names it', async () => {
    const own = await freshCalendar('alice', `plan-${randomUUID().slice(0, 8)}`);
    cals.push(own);
    const plan = file(
      `p-${randomUUID()}.json`,
      JSON.stringify({
        calendars: [
          { calendar: `no-such-calendar-${randomUUID().slice(0, 6)}`, sharees: [{ email: BOB, level: 'view' }] },
          { calendar: new URL(own.url).pathname, sharees: [{ email: BOB, level: 'view' }] },
        ],
      }),
    );
    const r = await aliceOk(['apply', plan, '--yes', '--json'], 8);
    const rep = json(r);
    assert.deepEqual(rep.calendars.map((c) => c.status), ['not-found', 'applied']);
    assert.equal(rep.calendars[0]!.error?.kind, 'usage');
    assert.equal(rep.calendars[0]!.left, 'as it was');
    await viewOnly('bob', own);
    const text = await aliceOk(['apply', plan, '--yes'], 8);
    assert.match(text.stderr, /1 of 2 calendar\(s\) were not changed as planned/);
  });

  test('share and unshare with --calendar repeated: one verdict per calendar; an unknown calendar is named before any write', async () => {
    const two = [await freshCalendar('alice', `plan-${randomUUID().slice(0, 8)}`), await freshCalendar('alice', `plan-${randomUUID().slice(0, 8)}`)];
    cals.push(...two);
    const [x, y] = two.map((c) => new URL(c.url).pathname);
    const r = await aliceOk(['share', '--calendar', x!, '--calendar', y!, BOB, '--view', '--json', '--verbose']);
    const doc = JSON.parse(r.stdout) as { calendars: { ref: string; results: { email: string; result: string }[] }[] };
    assert.deepEqual(doc.calendars.map((c) => [c.ref, c.results.map((p) => [p.email, p.result])]), [[x, [[BOB, 'shared']]], [y, [[BOB, 'shared']]]]);
    assert.equal(writes(r.stderr).length, 2);
    await viewOnly('bob', two[0]!);
    await viewOnly('bob', two[1]!);
    const typo = await aliceOk(['unshare', '--calendar', x!, '--calendar', `nope-${randomUUID().slice(0, 6)}`, BOB, '--yes', '--verbose'], 2);
    assert.deepEqual(writes(typo.stderr), []);
    await aliceOk(['unshare', '--calendar', x!, '--calendar', y!, BOB, '--yes']);
    for (const c of two) assert.equal(await canRead('bob', c.url, c.eventUrl), false);
  });

  test('export -> edit -> apply: sharees --format json and csv are valid plans; an unknown person fails before any write', async () => {
    const own = await freshCalendar('alice', `plan-${randomUUID().slice(0, 8)}`);
    cals.push(own);
    const path = new URL(own.url).pathname;
    await aliceOk(['share', path, BOB, '--view']);
    const exported = JSON.parse((await aliceOk(['sharees', path, '--format', 'json'])).stdout) as { calendars: { calendar: string; sharees: { email?: string; kind?: string; level: string }[] }[] };
    assert.deepEqual(exported.calendars[0]!.sharees.filter((s) => s.email).map((s) => [s.email, s.level]), [[BOB, 'view']]);
    // Cyrus's default DAV:all free/busy grant is exported for what it is, and applied as it is it changes nothing.
    assert.deepEqual(exported.calendars[0]!.sharees.filter((s) => !s.email).map((s) => [s.kind, s.level]), [['everyone', 'other']]);
    exported.calendars[0]!.sharees[0]!.level = 'edit';
    const edited = file(`e-${randomUUID()}.json`, JSON.stringify(exported));
    const r = json(await aliceOk(['apply', edited, '--yes', '--json']));
    assert.deepEqual(r.calendars[0]!.people.map((x) => [x.who, x.action, x.result]), [[BOB, 'change', 'changed'], ['everyone', 'unmanaged', undefined]]);
    await bobEdits(own.url);

    const csv = (await aliceOk(['sharees', path, '--format', 'csv'])).stdout;
    assert.match(csv, /^calendar,name,email,principal,level,invite,source,group,kind\n/);
    const csvPlan = file(`c-${randomUUID()}.csv`, csv.replace(/,edit,/, ',view,'));
    const c = json(await aliceOk(['apply', csvPlan, '--yes', '--json']));
    assert.deepEqual(c.calendars[0]!.people.map((x) => [x.who, x.result]), [[BOB, 'changed'], ['everyone', undefined]]);
    await viewOnly('bob', own);

    const unknown = file(`u-${randomUUID()}.yaml`, `calendars:\n  - calendar: ${path}\n    sharees:\n      - { email: nobody-${randomUUID().slice(0, 6)}@example.test, level: view }\n`);
    const refused = await aliceOk(['apply', unknown, '--yes', '--verbose'], 2);
    assert.deepEqual(writes(refused.stderr), []);
    const bad = file(`b-${randomUUID()}.yaml`, `calendars:\n  - calendar: ${path}\n    sharee:\n      - { email: ${BOB}, level: viewer }\n`);
    const invalid = await aliceOk(['plan', bad], 2);
    assert.match(invalid.stderr, /sharee/);
  });
});

