// A plan on a server that cannot share over CalDAV (Radicale): `plan` and `apply` report the
// calendar as unsupported with the administrator's way, exit 8, and send no write; in a plan that
// also names a Cyrus calendar (accounts), that one is applied all the same.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { as, calshare } from '../helpers/cli.js';
import { CYRUS, RADICALE, USERS, ensureStaging } from '../helpers/staging.js';
import { dav, deleteCalendar, freshCalendar, tryWrite } from '../helpers/dav.js';
import { writes } from './sharing-lib.js';

test('Radicale: the calendar is reported as not shareable, nothing is written, exit 8', async () => {
  ensureStaging('radicale');
  const file = join(mkdtempSync(join(tmpdir(), 'calshare-plan-')), `r-${randomUUID()}.yaml`);
  writeFileSync(file, `calendars:\n  - calendar: ${new URL(RADICALE.calendar).pathname}\n    sharees:\n      - { email: bob@example.test, level: view }\n`);
  const alice = as('alice', RADICALE.url);
  const shown = await alice(['plan', file, '--json', '--verbose']);
  assert.equal(shown.code, 8, shown.stderr);
  const p = JSON.parse(shown.stdout) as { calendars: { status: string }[] };
  assert.deepEqual(p.calendars.map((c) => c.status), ['unsupported']);
  const done = await alice(['apply', file, '--yes', '--json', '--verbose']);
  assert.equal(done.code, 8, done.stderr);
  const r = JSON.parse(done.stdout) as { calendars: { status: string; error: { kind: string; message: string; hint: string } | null; left: string | null }[] };
  assert.equal(r.calendars[0]!.status, 'unsupported');
  assert.equal(r.calendars[0]!.error?.kind, 'unsupported');
  assert.match(r.calendars[0]!.error!.message, /Radicale/);
  assert.match(r.calendars[0]!.error!.hint, /rights file/);
  assert.equal(r.calendars[0]!.left, 'as it was');
  assert.deepEqual(writes(done.stderr), []);
});

test('one plan, two servers (accounts): the Radicale calendar is reported unsupported while the Cyrus one is applied', async () => {
  ensureStaging('radicale');
  ensureStaging('cyrus');
  const dir = mkdtempSync(join(tmpdir(), 'calshare-plan-accounts-'));
  writeFileSync(join(dir, 'pw'), `${USERS.alice}\n`, { mode: 0o600 });
  // No keyring: the secret comes from a password command, as on a headless machine.
  const env = { HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/calshare-no-bus', CALSHARE_PASSWORD: undefined, CALSHARE_URL: undefined };
  const run = (args: string[]) => calshare(args, { env, timeoutMs: 120_000 });
  for (const [account, url] of [['cyrus', CYRUS.url], ['radicale', RADICALE.url]] as const) {
    const login = await run(['login', '--url', url, '--username', 'alice', '--account', account, '--password-command', `cat ${join(dir, 'pw')}`]);
    assert.equal(login.code, 0, login.stderr);
  }
  const cal = await freshCalendar('alice', `plan-${randomUUID().slice(0, 8)}`);
  try {
    const file = join(dir, 'both.yaml');
    writeFileSync(
      file,
      `calendars:\n  - calendar: ${new URL(RADICALE.calendar).pathname}\n    account: radicale\n    sharees:\n      - { email: bob@example.test, level: view }\n` +
        `  - calendar: ${new URL(cal.url).pathname}\n    account: cyrus\n    sharees:\n      - { email: bob@example.test, level: view }\n`,
    );
    const r = await run(['apply', file, '--yes', '--json']);
    assert.equal(r.code, 8, r.stderr);
    const rep = JSON.parse(r.stdout) as { calendars: { status: string; error: { kind: string } | null }[] };
    assert.deepEqual(rep.calendars.map((c) => [c.status, c.error?.kind ?? null]), [['unsupported', 'unsupported'], ['applied', null]]);
    const got = await dav('bob', 'GET', cal.eventUrl);
    assert.match(got.body, /SUMMARY:Seed event/, 'bob reads the Cyrus calendar');
    assert.equal((await tryWrite('bob', cal.url)).create, 403);
  } finally {
    await deleteCalendar('alice', cal.url);
  }
});
