// Issue 11 §5: a config.json (or its directory) that someone else could have written is refused
// like ssh refuses such a ~/.ssh/config: exit 2 naming the path and the fix, and its password
// command never runs.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { loadConfig } from '../../src/credentials/config.js';
import { UsageError } from '../../src/errors.js';
import { ROOT } from '../helpers/staging.js';

function setup(): { env: NodeJS.ProcessEnv; dir: string; file: string; marker: string } {
  const home = mkdtempSync(join(tmpdir(), 'calshare-trust-'));
  const dir = join(home, 'calshare');
  mkdirSync(dir, { mode: 0o700 });
  const marker = join(home, 'ran');
  const file = join(dir, 'config.json');
  const account = { url: 'http://127.0.0.1:9/', username: 'alice', auth: 'basic', passwordCommand: ['touch', marker] };
  writeFileSync(file, JSON.stringify({ version: 1, accounts: { work: account } }), { mode: 0o600 });
  return { env: { XDG_CONFIG_HOME: home }, dir, file, marker };
}

const refused = (path: string, fix: RegExp) => (e: unknown) =>
  e instanceof UsageError && e.exitCode === 2 && e.message.includes(path) && fix.test(e.hint ?? '');

describe('config trust', () => {
  it('a private config loads', async () => {
    const { env } = setup();
    assert.ok((await loadConfig(env)).accounts.work);
  });

  it('a world- or group-writable file or directory is refused, naming the path and the chmod', async () => {
    for (const [which, mode] of [['file', 0o666], ['file', 0o620], ['dir', 0o777], ['dir', 0o770]] as const) {
      const s = setup();
      const path = which === 'file' ? s.file : s.dir;
      chmodSync(path, mode);
      await assert.rejects(loadConfig(s.env), refused(path, /chmod go-w/), `${which} ${mode.toString(8)}`);
    }
  });

  it('a file or directory owned by another user is refused, naming the chown', { skip: process.getuid?.() !== 0 && 'needs root to give a file away' }, async () => {
    for (const which of ['file', 'dir'] as const) {
      const s = setup();
      const path = which === 'file' ? s.file : s.dir;
      chownSync(path, 65534, 65534);
      await assert.rejects(loadConfig(s.env), refused(path, /chown/));
    }
  });

  it('the CLI exits 2 with one error and one hint line and runs nothing from such a file', () => {
    const s = setup();
    chmodSync(s.file, 0o646);
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'src/cli/main.ts'), 'calendars', '--account', 'work'], {
      env: { ...process.env, ...s.env, CALSHARE_PASSWORD: '' },
      encoding: 'utf8',
      cwd: ROOT,
    });
    assert.equal(r.status, 2, r.stderr);
    assert.match(r.stderr, new RegExp(`^error: refusing to use ${s.file.replace(/[.]/g, '\\.')}`, 'm'));
    assert.match(r.stderr, /^hint: .*chmod go-w/m);
    assert.equal(existsSync(s.marker), false, 'the password command did not run');
  });
});
