// Sharing plans on staging DAViCal (ACL upsert, people by principal-property-search): 3 calendars x
// 5 people at mixed levels, applied, proven as bob and carol by event content, re-applied as a
// no-op, converged back after a change by hand, pruned of exactly the extra person.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import { calshare, type CliResult } from '../helpers/cli.js';
import { DAVICAL, ensureStaging } from '../helpers/staging.js';
import { dav, email, freshCalendar, provesEdit, provesNoAccess, provesRead, provesWriteRefused, pw, type Cal } from '../helpers/davical.js';
import { writes } from './sharing-lib.js';

interface Report {
  calendars: { calendar: string; status: string; people: { who: string; action: string; result?: string }[] }[];
}

async function alice(args: string[], code = 0): Promise<CliResult> {
  const r = await calshare([...args, '--url', DAVICAL.url, '--username', 'alice', '--timeout', '180'], { env: { CALSHARE_PASSWORD: pw('alice') }, timeoutMs: 600_000 });
  assert.equal(r.code, code, `calshare ${args.join(' ')} → exit ${r.code}, wanted ${code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r;
}
const json = (r: CliResult) => JSON.parse(r.stdout) as Report;

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
    const yaml = `calendars:
  - calendar: ${a}
    sharees:
      - { email: ${email('bob')}, level: edit }
      - { email: ${email('carol')}, level: view }
      - { email: ${email('dave')}, level: view }
  - calendar: ${b}
    sharees:
      - { email: ${email('bob')}, level: view }
      - { email: ${email('erin')}, level: edit }
      - { email: ${email('frank')}, level: view }
  - calendar: ${c}
    sharees:
      - { email: ${email('carol')}, level: edit }
      - { email: ${email('dave')}, level: edit }
      - { email: ${email('erin')}, level: view }
      - { email: ${email('frank')}, level: view }
      - { email: ${email('bob')}, level: view }
`;
    const file = join(mkdtempSync(join(tmpdir(), 'calshare-plan-')), 'team.yaml');
    writeFileSync(file, yaml);
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
});
