// Accounts whose secret comes from a password command (vdirsyncer/khal style), on a machine with
// no keyring at all: the command is run without a shell at every use, its first line is the
// password; its failures are exit 3 naming the command and never its output.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ensureStaging, CYRUS, USERS } from '../helpers/staging.js';
import { freshCalendar, canRead, tryWrite } from '../helpers/dav.js';
import { Recorder, secretForms } from '../helpers/secrets.js';

let dir: string;
let cli: Recorder;
let pwDir: string;

before(async () => {
  ensureStaging('cyrus');
  dir = await mkdtemp(join(tmpdir(), 'calshare-pwcmd-'));
  // A directory with a space: the command string must be split like a shell would, quotes and all.
  pwDir = join(dir, 'pass store');
  await mkdir(pwDir);
  await writeFile(join(pwDir, 'alice'), `${USERS.alice}\nsecond line is ignored\n`, { mode: 0o600 });
  // No D-Bus session bus: the keyring is unavailable, and this path must not need it.
  cli = new Recorder({ HOME: dir, XDG_CONFIG_HOME: join(dir, 'config'), DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/calshare-no-bus' });
});

after(async () => {
  await rm(dir, { recursive: true, force: true });
});

test('login with --password-command verifies, stores only the command, and every later command runs it', async () => {
  const cal = await freshCalendar('alice');
  const login = await cli.run(['login', '--url', CYRUS.url, '--username', 'alice', '--account', 'cmd', '--password-command', `cat '${pwDir}/alice'`]);
  assert.equal(login.code, 0, login.stderr);
  const saved = JSON.parse(await readFile(join(dir, 'config', 'calshare', 'config.json'), 'utf8'));
  assert.deepEqual(saved.accounts.cmd.passwordCommand, ['cat', `${pwDir}/alice`]);

  const share = await cli.run(['share', cal.name, 'bob@example.test', '--edit']);
  assert.equal(share.code, 0, share.stderr);
  const w = await tryWrite('bob', cal.url);
  assert.ok(w.create === 201 || w.create === 204, `bob (edit) creates an event: ${w.create}`);

  const unshare = await cli.run(['unshare', cal.name, 'bob@example.test', '--yes', '--account', 'cmd']);
  assert.equal(unshare.code, 0, unshare.stderr);
  assert.equal(await canRead('bob', cal.url, cal.eventUrl), false, 'after revoke bob cannot read');

  const listed = JSON.parse((await cli.run(['accounts', '--json'])).stdout);
  assert.deepEqual(listed.accounts[0].secret, { source: 'password-command', command: ['cat', `${pwDir}/alice`] });
});

test('CALSHARE_PASSWORD comes before the password command (documented order)', async () => {
  const r = await cli.run(['calendars', '--account', 'cmd'], { CALSHARE_PASSWORD: 'not-the-password' });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /account "cmd" \(http:\/\/127\.0\.0\.1:8008\/\): .*rejected the user name or password for "alice" \(401\)/);
});

test('a failing password command is exit 3 naming the command, never its output', async () => {
  const script = join(dir, 'failing.sh');
  await writeFile(script, 'echo "Partial-S3cret-output"; echo "more on stderr" >&2; exit 7\n');
  const r = await cli.run(['login', '--url', CYRUS.url, '--username', 'alice', '--account', 'broken', '--password-command', `sh ${script}`]);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, new RegExp(`password command of account "broken" \\(sh ${script}\\) failed \\(exit status 7\\)`));
  assert.doesNotMatch(r.stderr + r.stdout, /Partial-S3cret-output|more on stderr/);

  const missing = await cli.run(['login', '--url', CYRUS.url, '--username', 'alice', '--account', 'broken', '--password-command', 'no-such-pass-tool show x']);
  assert.equal(missing.code, 3, missing.stderr);
  assert.match(missing.stderr, /\(no-such-pass-tool show x\) was not found/);

  const empty = await cli.run(['login', '--url', CYRUS.url, '--username', 'alice', '--account', 'broken', '--password-command', 'true']);
  assert.equal(empty.code, 3, empty.stderr);
  assert.match(empty.stderr, /printed nothing/);
});

test('a command that would need a shell is refused before anything runs (exit 2)', async () => {
  const r = await cli.run(['login', '--url', CYRUS.url, '--username', 'alice', '--account', 'piped', '--password-command', `cat ${pwDir}/alice | head -1`]);
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /"\|" needs a shell/);
});

test('nothing calshare printed or wrote contains the password', async () => {
  assert.ok(cli.outputs.length >= 8);
  assert.deepEqual(await cli.scan([...secretForms('alice', USERS.alice), ...secretForms('bob', USERS.bob), 'Partial-S3cret-output']), []);
});
