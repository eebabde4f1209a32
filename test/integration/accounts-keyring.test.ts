// Accounts with the secret in a real Secret Service (gnome-keyring on a private D-Bus session):
// login → share on Cyrus with no password in the environment → proven as bob → logout → the
// secret is verifiably gone. Also: a wrong password, and a machine without any keyring.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ensureStaging, CYRUS, USERS } from '../helpers/staging.js';
import { freshCalendar, canRead, tryWrite } from '../helpers/dav.js';
import { startSecretService, type SecretService } from '../helpers/keyring.js';
import { Recorder, secretForms } from '../helpers/secrets.js';
import { Tty } from '../helpers/tty.js';

let ss: SecretService;
let cli: Recorder;
let cfg: string;

before(async () => {
  ensureStaging('cyrus');
  ss = await startSecretService();
  cli = new Recorder(ss.env);
  cfg = join(ss.env.XDG_CONFIG_HOME!, 'calshare');
});

after(async () => {
  await ss?.stop();
});

test('login stores the password in the keyring; share works with no password anywhere else; logout removes it', async () => {
  const cal = await freshCalendar('alice');

  // No terminal: the password is given once through CALSHARE_PASSWORD and lands in the keyring.
  const login = await cli.run(['login', '--url', CYRUS.url, '--username', 'alice', '--account', 'work'], { CALSHARE_PASSWORD: USERS.alice });
  assert.equal(login.code, 0, login.stderr);
  assert.match(login.stderr, /account "work" saved in .*config\.json, secret in the OS keyring/);
  assert.equal(await ss.lookup('work'), USERS.alice, 'secret-tool (libsecret) sees the password calshare stored');

  const file = join(cfg, 'config.json');
  assert.equal((await stat(file)).mode & 0o777, 0o600);
  assert.equal((await stat(cfg)).mode & 0o777, 0o700);
  const saved = JSON.parse(await readFile(file, 'utf8'));
  assert.deepEqual(saved.accounts.work, { url: CYRUS.url, username: 'alice', auth: 'basic' });

  const listed = await cli.run(['accounts', '--json']);
  assert.equal(listed.code, 0, listed.stderr);
  assert.deepEqual(JSON.parse(listed.stdout).accounts[0].secret, { source: 'keyring', stored: true });

  // The one configured account is used without --account; no CALSHARE_PASSWORD in this process.
  const share = await cli.run(['share', cal.name, 'bob@example.test', '--view', '-v']);
  assert.equal(share.code, 0, share.stderr);
  assert.equal(await canRead('bob', cal.url, cal.eventUrl), true, 'bob reads the shared events');
  assert.equal((await tryWrite('bob', cal.url)).create, 403, 'view-only: bob cannot create an event');

  const logout = await cli.run(['logout']);
  assert.equal(logout.code, 0, logout.stderr);
  assert.match(logout.stderr, /deleted from the OS keyring \(checked\)/);
  assert.equal(await ss.lookup('work'), null, 'secret-tool finds no calshare secret any more');
  assert.deepEqual(JSON.parse(await readFile(file, 'utf8')).accounts, {});

  // Later commands have no account and no password: a usage error naming what to do.
  const after = await cli.run(['calendars']);
  assert.equal(after.code, 2, after.stderr);
  assert.match(after.stderr, /missing --url.*calshare login/s);
  const named = await cli.run(['calendars', '--account', 'work']);
  assert.equal(named.code, 2, named.stderr);
  assert.match(named.stderr, /no account "work"/);
});

test('an account whose keyring entry disappeared fails with exit 3 and says to log in again', async () => {
  const login = await cli.run(['login', '--url', CYRUS.url, '--username', 'alice', '--account', 'vanishing'], { CALSHARE_PASSWORD: USERS.alice });
  assert.equal(login.code, 0, login.stderr);
  const { execFileSync } = await import('node:child_process');
  execFileSync('secret-tool', ['clear', 'service', 'calshare', 'username', 'vanishing'], { env: ss.env });
  const r = await cli.run(['calendars', '--account', 'vanishing']);
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /keyring holds no secret for account "vanishing"/);
  assert.match(r.stderr, /calshare login --account vanishing/);
  assert.equal((await cli.run(['logout', '--account', 'vanishing'])).code, 0);
});

test('a wrong password is exit 3 naming the account and URL, saves nothing, echoes nothing', async () => {
  const wrong = 'wr0ng-Pa55word';
  const r = await cli.run(['login', '--url', CYRUS.url, '--username', 'alice', '--account', 'typo'], { CALSHARE_PASSWORD: wrong });
  assert.equal(r.code, 3, r.stderr);
  assert.match(r.stderr, /login "typo" at http:\/\/127\.0\.0\.1:8008\/ failed: .*rejected the user name or password for "alice" \(401\)/);
  assert.equal(await ss.lookup('typo'), null);
  const listed = JSON.parse((await cli.run(['accounts', '--json'])).stdout);
  assert.equal(listed.accounts.some((a: { name: string }) => a.name === 'typo'), false);
  assert.deepEqual(await cli.scan(secretForms('alice', wrong)), []);
});

test('without any keyring, login says so, offers the password command and writes no file', async () => {
  const noBus = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/calshare-no-bus', XDG_CONFIG_HOME: join(ss.env.HOME!, 'nokeyring') };
  const r = await cli.run(['login', '--url', CYRUS.url, '--username', 'alice', '--account', 'headless'], { ...noBus, CALSHARE_PASSWORD: USERS.alice });
  assert.equal(r.code, 2, r.stderr);
  assert.match(r.stderr, /there is no OS keyring here/);
  assert.match(r.stderr, /--password-command .*'pass show caldav\/alice'.*'op read .*'bw get password/);
  assert.match(r.stderr, /CALSHARE_PASSWORD for each command/);
  assert.doesNotMatch(r.stderr, /org\.freedesktop|D-?Bus/i, 'no raw D-Bus error');
  await assert.rejects(stat(join(noBus.XDG_CONFIG_HOME, 'calshare', 'config.json')), { code: 'ENOENT' });
});

test('without a keyring on a terminal: the options in plain words, a failing password command is asked again', async () => {
  const noBus = { DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/calshare-no-bus', XDG_CONFIG_HOME: join(ss.env.HOME!, 'nokeyring-tty') };
  const pwFile = join(ss.env.HOME!, 'vault-entry.txt');
  await writeFile(pwFile, `${USERS.alice}\n`, { mode: 0o600 });
  const t = await Tty.start(['login', '--url', CYRUS.url, '--username', 'alice', '--account', 'pwcmd'], { ...ss.env, ...noBus, CALSHARE_PASSWORD: undefined });
  try {
    const advice = await t.waitFor('Password command (run without a shell');
    for (const tool of ['pass show', 'gopass show', 'op read', 'bw get password', 'CALSHARE_PASSWORD']) assert.ok(advice.includes(tool), `${tool} named:\n${advice}`);
    assert.match(advice, /never writes a secret to a file/);
    await t.type('cat /nonexistent/calshare-typo');
    await t.keys('Enter');
    await t.waitFor(/password command of account "pwcmd" \(cat \/nonexistent\/calshare-typo\) failed.*Try again/);
    await t.waitFor(/Try again[\s\S]*Password command \(run without a shell/);
    await t.type(`cat ${pwFile}`);
    await t.keys('Enter');
    assert.equal(await t.exitCode(), 0, await t.screen());
    const screen = await t.screen();
    assert.match(screen, /account "pwcmd" saved .*secret in the password command/s);
    cli.outputs.push(screen);
  } finally {
    await t.kill();
  }
  const saved = await readFile(join(noBus.XDG_CONFIG_HOME, 'calshare', 'config.json'), 'utf8');
  assert.deepEqual(JSON.parse(saved).accounts.pwcmd.passwordCommand, ['cat', pwFile]);
});

test('on a terminal, login asks for what is missing and reads the password without echo', async () => {
  const t = await Tty.start(['login', '--account', 'typed'], { ...ss.env, CALSHARE_PASSWORD: undefined, CALSHARE_URL: undefined, CALSHARE_USERNAME: undefined });
  try {
    await t.waitFor('CalDAV server address');
    await t.type(CYRUS.url);
    await t.keys('Enter');
    await t.waitFor('User name on that server');
    await t.type('alice');
    await t.keys('Enter');
    await t.waitFor('Password for alice at 127.0.0.1:8008');
    await t.type(USERS.alice);
    await t.keys('Enter');
    assert.equal(await t.exitCode(), 0, await t.screen());
    const screen = await t.screen();
    assert.doesNotMatch(screen, new RegExp(USERS.alice), 'the password never appears on the screen');
    assert.match(screen, /account "typed" saved/);
    cli.outputs.push(screen);
  } finally {
    await t.kill();
  }
  assert.equal(await ss.lookup('typed'), USERS.alice);
  assert.equal((await cli.run(['logout', '--account', 'typed'])).code, 0);
});

test('nothing calshare printed or wrote contains a password', async () => {
  const secrets = Object.entries(USERS).flatMap(([u, pw]) => secretForms(u, pw));
  assert.ok(cli.outputs.length >= 10, 'the scan covers every run of this file');
  const canary = new Recorder({});
  canary.outputs.push(`Authorization: Basic ${Buffer.from('alice:alice-pw').toString('base64')}`);
  assert.equal((await canary.scan(secrets)).length, 1, 'the scan does find a leaked credential');
  assert.deepEqual(await cli.scan(secrets), []);
});
