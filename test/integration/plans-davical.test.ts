// Sharing plans on staging DAViCal (ACL upsert, people by principal-property-search): 3 calendars x
// 5 people at mixed levels, applied, proven as bob and carol by event content, re-applied as a
// no-op, converged back after a change by hand, pruned of exactly the extra person.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { DAVICAL, ensureStaging } from '../helpers/staging.js';
import { dav, email, freshCalendar, provesEdit, provesNoAccess, provesRead, provesWriteRefused, pw, type Cal } from '../helpers/davical.js';
import { writes } from './sharing-lib.js';
import { aliceOn, reportOf as json, planFile, teamPlan } from './plans-lib.js';

const alice = aliceOn(DAVICAL.url, pw('alice'));

describe('plan and apply on DAViCal', () => {
  let cals: Cal[] = [];
  before(async () => {
    ensureStaging('davical');
    cals = [await freshCalendar(), await freshCalendar(), await freshCalendar()];
  });
  after(async () => {
    for (const c of cals) await dav('alice', 'DELETE', c.url);
  });

  test('3 calendars x 5 people: apply, prove as the sharees, again a no-op, converge, prune', async () => {
    const [a, b, c] = cals.map((x) => x.path);
    const file = planFile('team.yaml', teamPlan([a, b, c], email));
    const done = await alice(['apply', file, '--yes', '--json', '--verbose']);
    assert.deepEqual(json(done).calendars.map((x) => x.status), ['applied', 'applied', 'applied'], done.stdout);
    assert.equal(writes(done.stderr).length, 3, 'one ACL write per calendar');
    await provesEdit('bob', cals[0]!);
    await provesRead('carol', cals[0]!);
    await provesWriteRefused('carol', cals[0]!);
    await provesRead('bob', cals[1]!);
    await provesWriteRefused('bob', cals[1]!);
    await provesEdit('carol', cals[2]!);

    const again = await alice(['apply', file, '--yes', '--json', '--verbose']);
    assert.deepEqual(json(again).calendars.map((x) => x.status), ['unchanged', 'unchanged', 'unchanged']);
    assert.deepEqual(writes(again.stderr), []);

    await alice(['unshare', cals[0]!.path, email('bob'), '--yes']);
    await alice(['share', cals[1]!.path, email('carol'), '--view']);
    const back = json(await alice(['apply', file, '--yes', '--json']));
    assert.deepEqual(back.calendars[0]!.people.filter((x) => x.action !== 'ok').map((x) => [x.who, x.result]), [[email('bob'), 'shared']]);
    assert.deepEqual(back.calendars[1]!.people.filter((x) => x.action === 'extra').map((x) => x.who), [email('carol')]);
    await provesEdit('bob', cals[0]!);

    const pruned = json(await alice(['apply', file, '--yes', '--prune', '--json']));
    assert.deepEqual(pruned.calendars.map((x) => x.status), ['unchanged', 'applied', 'unchanged']);
    assert.deepEqual(pruned.calendars[1]!.people.filter((x) => x.action === 'remove').map((x) => [x.who, x.result]), [[email('carol'), 'removed']]);
    await provesNoAccess('carol', cals[1]!);
    await provesRead('bob', cals[1]!);
  });
  test('export round trip: the JSON and CSV export (with DAViCal\'s default grant to all signed-in users) plan and apply as no change; a group is refused before anything is sent', async () => {
    const cal = await freshCalendar();
    cals.push(cal);
    await alice(['share', cal.path, email('bob'), '--view']);
    const exported = JSON.parse((await alice(['sharees', cal.path, '--format', 'json'])).stdout) as { calendars: { sharees: { email?: string; kind?: string; level: string }[] }[] };
    const rows = exported.calendars[0]!.sharees;
    assert.deepEqual(rows.filter((x) => x.email).map((x) => [x.email, x.level]), [[email('bob'), 'view']]);
    assert.ok(rows.some((x) => x.kind === 'authenticated'), `the grant to all signed-in users is exported with its kind: ${JSON.stringify(rows)}`);
    const files = [planFile('plan.json', JSON.stringify(exported)), planFile('plan.csv', (await alice(['sharees', cal.path, '--format', 'csv'])).stdout)];
    for (const f of files) {
      const shown = json(await alice(['plan', f, '--prune', '--json']));
      assert.deepEqual(shown.calendars.map((x) => x.status), ['unchanged'], `${f}: ${JSON.stringify(shown)}`);
      assert.ok(shown.calendars[0]!.people.every((x) => x.action === 'ok' || x.action === 'unmanaged'), f);
      const applied = await alice(['apply', f, '--prune', '--yes', '--json', '--verbose']);
      assert.deepEqual(json(applied).calendars.map((x) => x.status), ['unchanged'], f);
      assert.deepEqual(writes(applied.stderr), [], `${f}: apply of the export sends no write`);
    }

    // DAViCal has no way to share with a group: the calendar is refused as a whole, nothing sent.
    const group = planFile('group.yaml', `calendars:\n  - calendar: ${cal.path}\n    sharees:\n      - { email: ${email('bob')}, level: view }\n      - { email: ${email('carol')}, level: view }\n      - { group: staff, level: view }\n`);
    const planned = json(await alice(['plan', group, '--json'], 8));
    assert.equal(planned.calendars[0]!.status, 'unsupported');
    const done = await alice(['apply', group, '--yes', '--json', '--verbose'], 8);
    const v = json(done).calendars[0]!;
    assert.deepEqual([v.status, v.error?.kind], ['unsupported', 'unsupported']);
    assert.match(v.error!.message, /this server cannot share with a group \(group staff\)/);
    assert.match(v.error!.hint, /Name each person of the group by address/);
    assert.deepEqual(v.people.map((x) => [x.who, x.action]).filter(([, a]) => a !== 'unmanaged'), [[email('bob'), 'ok'], [email('carol'), 'add'], ['group staff', 'not-by-plan']]);
    assert.deepEqual(writes(done.stderr), [], 'nothing sent for the refused calendar');
    await provesNoAccess('carol', cal);
    await provesRead('bob', cal);
  });
});
