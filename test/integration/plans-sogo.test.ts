// Sharing plans on staging SOGo 5.8 (acl-query, issue 17): 3 fresh calendars x up to 5 people at
// mixed levels, applied, proven as the sharees by event content, re-applied as a no-op (nothing
// sent), and pruned of exactly the person added by hand. The people are SOGo users (staging/sogo.sh).
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { SOGO, ensureStaging } from '../helpers/staging.js';
import { dav, email, freshCalendar, provesEdit, provesNoAccess, provesRead, provesWriteRefused, pw, type Cal } from '../helpers/sogo.js';
import { writes } from './sharing-lib.js';
import { aliceOn, reportOf as json, planFile, teamPlan } from './plans-lib.js';

const alice = aliceOn(SOGO.url, pw('alice'));

describe('plan and apply on SOGo', () => {
  let cals: Cal[] = [];
  before(async () => {
    ensureStaging('sogo');
    cals = [await freshCalendar(), await freshCalendar(), await freshCalendar()];
  });
  after(async () => {
    for (const c of cals) await dav('alice', 'DELETE', c.url);
  });

  test('3 calendars x up to 5 people: apply, prove as the sharees, again a no-op, prune exactly the extra', async () => {
    const [a, b, c] = cals.map((x) => x.path);
    const file = planFile('team.yaml', teamPlan([a, b, c], email));
    const done = await alice(['apply', file, '--yes', '--json', '--verbose']);
    assert.deepEqual(json(done).calendars.map((x) => x.status), ['applied', 'applied', 'applied'], done.stdout);
    assert.ok(writes(done.stderr).length >= 3, 'at least one acl-query write per calendar');
    await provesEdit('bob', cals[0]!);
    await provesRead('carol', cals[0]!);
    await provesWriteRefused('carol', cals[0]!);
    await provesRead('bob', cals[1]!);
    await provesWriteRefused('bob', cals[1]!);
    await provesEdit('erin', cals[1]!);
    await provesEdit('carol', cals[2]!);
    await provesRead('frank', cals[2]!);
    await provesWriteRefused('frank', cals[2]!);
    await provesNoAccess('carol', cals[1]!);

    const again = await alice(['apply', file, '--yes', '--json', '--verbose']);
    assert.deepEqual(json(again).calendars.map((x) => x.status), ['unchanged', 'unchanged', 'unchanged'], again.stdout);
    assert.deepEqual(writes(again.stderr), [], 'nothing sent on re-apply');

    await alice(['share', cals[1]!.path, email('carol'), '--view']);
    await provesRead('carol', cals[1]!);
    const pruned = json(await alice(['apply', file, '--yes', '--prune', '--json']));
    assert.deepEqual(pruned.calendars.map((x) => x.status), ['unchanged', 'applied', 'unchanged']);
    assert.deepEqual(pruned.calendars[1]!.people.filter((x) => x.action === 'remove').map((x) => [x.who, x.result]), [[email('carol'), 'removed']]);
    for (const i of [0, 2]) assert.deepEqual(pruned.calendars[i]!.people.filter((x) => x.action !== 'ok'), [], `calendar ${i + 1} untouched`);
    await provesNoAccess('carol', cals[1]!);
    await provesRead('bob', cals[1]!);
    await provesEdit('erin', cals[1]!);
    await provesRead('frank', cals[1]!);
  });
});
