// The secret lookup order and the secret's confinement: environment → password command →
// keyring; a Credentials object, however printed, never shows the secret.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { inspect } from 'node:util';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { accountCredentials, flagCredentials } from '../../src/credentials/resolve.js';
import { runPasswordCommand } from '../../src/credentials/password-command.js';
import { browserCommand } from '../../src/credentials/browser.js';
import { AuthError } from '../../src/errors.js';
import type { Account } from '../../src/credentials/config.js';

const basic = (user: string, pw: string) => `Basic ${Buffer.from(`${user}:${pw}`).toString('base64')}`;

test('order: CALSHARE_PASSWORD beats the password command, which beats the keyring', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'calshare-resolve-'));
  try {
    const file = join(dir, 'pw');
    await writeFile(file, 'from-command\n');
    const account: Account = { url: 'https://x/', username: 'alice', auth: 'basic', passwordCommand: ['cat', file] };
    assert.equal(await accountCredentials('a', account, { env: { CALSHARE_PASSWORD: 'from-env' } }).authorization(), basic('alice', 'from-env'));
    assert.equal(await accountCredentials('a', account, { env: {} }).authorization(), basic('alice', 'from-command'));
    const bearer = accountCredentials('a', { ...account, auth: 'oauth' }, { env: { CALSHARE_TOKEN: 'tok-env' } });
    assert.equal(bearer.scheme, 'bearer');
    assert.equal(await bearer.authorization(), 'Bearer tok-env');
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('the password command runs once per process, not once per request', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'calshare-resolve-'));
  try {
    const counter = join(dir, 'count');
    const script = join(dir, 'pw.sh');
    await writeFile(script, `echo x >> ${counter}; echo s3cret\n`);
    const c = accountCredentials('a', { url: 'https://x/', username: 'u', auth: 'basic', passwordCommand: ['sh', script] }, { env: {} });
    await Promise.all([c.authorization(), c.authorization(), c.authorization()]);
    const { readFile } = await import('node:fs/promises');
    assert.equal((await readFile(counter, 'utf8')).trim().split('\n').length, 1);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('without an account: CALSHARE_TOKEN means bearer, else CALSHARE_PASSWORD', async () => {
  assert.equal(await flagCredentials('alice', { CALSHARE_TOKEN: 't0k' }).authorization(), 'Bearer t0k');
  assert.equal(await flagCredentials('alice', { CALSHARE_PASSWORD: 'pw' }).authorization(), basic('alice', 'pw'));
});

test('printing or serialising credentials never shows the secret', async () => {
  const c = accountCredentials('a', { url: 'https://x/', username: 'alice', auth: 'basic' }, { env: { CALSHARE_PASSWORD: 'Very-S3cret' } });
  await c.authorization();
  for (const shown of [inspect(c, { depth: 10, showHidden: true }), JSON.stringify(c), String(c)]) assert.doesNotMatch(shown, /Very-S3cret|VmVyeS1TM2NyZXQ/);
});

test('password command: first line only; failures name the command, not the output', async () => {
  assert.equal(await runPasswordCommand(['printf', 'one\\ntwo\\n'], 'a'), 'one');
  await assert.rejects(runPasswordCommand(['sh', '-c', 'echo Leaky-0utput; exit 4'], 'acct'), (e: unknown) => {
    assert.ok(e instanceof AuthError);
    assert.match(e.message, /password command of account "acct" \(sh -c echo Leaky-0utput; exit 4\) failed \(exit status 4\)/);
    return true;
  });
});

test('a browser is opened only where one exists: $BROWSER, macOS, Windows, or a graphical session', () => {
  assert.deepEqual(browserCommand({ BROWSER: "firefox --new-window" }, 'linux'), ['firefox', '--new-window']);
  assert.deepEqual(browserCommand({}, 'darwin'), ['open']);
  assert.deepEqual(browserCommand({ DISPLAY: ':0' }, 'linux'), ['xdg-open']);
  assert.equal(browserCommand({}, 'linux'), undefined, 'ssh / headless: device flow');
});
