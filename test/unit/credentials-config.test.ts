// The account file: XDG location, 0700/0600 from the first byte, atomic replacement, and the
// rules for which account a command uses.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, readdir, readFile, rm, stat, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir, homedir } from 'node:os';
import { join } from 'node:path';
import { configDir, loadConfig, saveConfig, pickAccount, checkAccountName, type Config } from '../../src/credentials/config.js';
import { UsageError } from '../../src/errors.js';

const account = (username: string) => ({ url: 'https://cal.example.com/', username, auth: 'basic' as const });

test('XDG_CONFIG_HOME when absolute, else ~/.config (XDG Base Directory spec)', () => {
  assert.equal(configDir({ XDG_CONFIG_HOME: '/x/cfg' }), '/x/cfg/calshare');
  assert.equal(configDir({ XDG_CONFIG_HOME: 'relative/cfg' }), join(homedir(), '.config', 'calshare'));
  assert.equal(configDir({}), join(homedir(), '.config', 'calshare'));
});

test('save: directory 0700, file 0600, no temp file left, a round trip', async () => {
  const root = await mkdtemp(join(tmpdir(), 'calshare-cfg-'));
  const env = { XDG_CONFIG_HOME: root };
  try {
    assert.deepEqual(await loadConfig(env), { version: 1, accounts: {} }, 'no file yet: no accounts');
    const c: Config = { version: 1, accounts: { work: account('alice') } };
    const path = await saveConfig(c, env);
    assert.equal((await stat(path)).mode & 0o777, 0o600);
    assert.equal((await stat(join(root, 'calshare'))).mode & 0o777, 0o700);
    c.accounts.home = account('bob');
    await saveConfig(c, env);
    assert.deepEqual(await readdir(join(root, 'calshare')), ['config.json']);
    assert.deepEqual(await loadConfig(env), c);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('a broken file is a usage error naming it, never silently replaced', async () => {
  const root = await mkdtemp(join(tmpdir(), 'calshare-cfg-'));
  try {
    await mkdir(join(root, 'calshare'));
    await writeFile(join(root, 'calshare', 'config.json'), '{"version": 1, "accounts": ');
    await assert.rejects(loadConfig({ XDG_CONFIG_HOME: root }), (e: unknown) => e instanceof UsageError && /config\.json is not a calshare config file/.test(e.message));
    assert.equal(await readFile(join(root, 'calshare', 'config.json'), 'utf8'), '{"version": 1, "accounts": ');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('which account: the named one, else the only one, else none; several need --account', () => {
  const none: Config = { version: 1, accounts: {} };
  const one: Config = { version: 1, accounts: { work: account('alice') } };
  const two: Config = { version: 1, accounts: { work: account('alice'), home: account('bob') } };
  assert.equal(pickAccount(none, undefined), undefined);
  assert.equal(pickAccount(one, undefined)?.name, 'work');
  assert.equal(pickAccount(two, 'home')?.account.username, 'bob');
  assert.throws(() => pickAccount(two, undefined), /2 accounts are configured \(work, home\)/);
  assert.throws(() => pickAccount(one, 'nope'), (e: unknown) => e instanceof UsageError && /no account "nope"/.test(e.message) && /work/.test(e.hint ?? ''));
  assert.throws(() => pickAccount(none, 'nope'), (e: unknown) => e instanceof UsageError && /calshare login/.test(e.hint ?? ''));
});

test('account names are plain words (they become keyring entry names)', () => {
  for (const ok of ['work', 'alice@cal.example.com', 'a-b_c.d']) assert.equal(checkAccountName(ok), ok);
  for (const bad of ['', ' work', 'a/b', 'x'.repeat(65), '-lead', 'new\nline']) assert.throws(() => checkAccountName(bad), UsageError);
});
