// Installing from source as a new user would (issue 16 §1): a clean clone of HEAD, no dist/, no
// node_modules. `npm ci` must build through `prepare` (npm 11 still runs a project's own scripts),
// `npm pack` must carry the bin, the tarball must install into an empty prefix and give a
// `calshare` that talks to a real server; `npm install -g <path>` must build too; and `npm pack`
// where nothing can be built must refuse instead of writing an empty package.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { promisify } from 'node:util';
import { CYRUS, ROOT, USERS, ensureStaging } from '../helpers/staging.js';

const run = promisify(execFile);
const work = mkdtempSync(join(tmpdir(), 'calshare-install-'));
// A cache of our own: the test proves an install from the registry, not from a warm dev cache,
// and never races the developer's cache. The registry is reachable in CI (npm only).
const npmEnv = { ...process.env, npm_config_cache: join(work, 'cache'), npm_config_update_notifier: 'false', npm_config_fund: 'false', npm_config_audit: 'false' };
for (const k of Object.keys(npmEnv)) if (/^npm_(config_(global|prefix|location)|lifecycle_|package_)/i.test(k)) delete (npmEnv as Record<string, unknown>)[k];

async function sh(cmd: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = npmEnv) {
  try {
    return await run(cmd, args, { cwd, env, timeout: 600_000, maxBuffer: 64 << 20 });
  } catch (e) {
    const x = e as { code?: number; stdout?: string; stderr?: string };
    return Promise.reject(Object.assign(new Error(`${cmd} ${args.join(' ')} → ${x.code}\n${x.stdout}\n${x.stderr}`), { code: x.code, stderr: x.stderr ?? '' }));
  }
}

async function cleanClone(name: string): Promise<string> {
  const dir = join(work, name);
  await sh('git', ['clone', '--quiet', '--no-hardlinks', ROOT, dir], work);
  assert.ok(!existsSync(join(dir, 'dist')) && !existsSync(join(dir, 'node_modules')), 'a clean clone has no build output');
  return dir;
}

before(() => ensureStaging('cyrus'));
after(() => rmSync(work, { recursive: true, force: true }));

test('npm pack in a clean clone with nothing installed refuses instead of packing an empty package', { timeout: 600_000 }, async () => {
  const dir = await cleanClone('bare');
  const err = await sh('npm', ['pack', '--pack-destination', work], dir).then(
    () => assert.fail('npm pack succeeded without a build'),
    (e: { stderr: string }) => e,
  );
  assert.match(err.stderr, /cannot be built\. Run `npm ci`/);
  assert.ok(!readdirSync(work).some((f) => f.endsWith('.tgz')), 'no tarball written');
});

test('clean clone → npm ci builds → npm pack → install into an empty prefix → a calshare that lists calendars', { timeout: 900_000 }, async () => {
  const dir = await cleanClone('pack');
  await sh('npm', ['ci'], dir);
  assert.ok(existsSync(join(dir, 'dist/cli/main.js')), 'prepare built dist/ during npm ci (npm 11)');

  const out = join(work, 'tarballs');
  await sh('mkdir', ['-p', out], work);
  const { stdout } = await sh('npm', ['pack', '--json', '--pack-destination', out], dir);
  const [packed] = JSON.parse(stdout) as { filename: string; files: { path: string }[] }[];
  assert.ok(packed!.files.some((f) => f.path === 'dist/cli/main.js'), 'the tarball carries the bin');

  const prefix = join(work, 'prefix');
  await sh('npm', ['install', '--global', '--prefix', prefix, join(out, packed!.filename)], work);
  const bin = join(prefix, 'bin', 'calshare');
  const version = await sh(bin, ['--version'], work, { PATH: process.env.PATH });
  assert.equal(version.stdout.trim(), '0.1.0');
  // A real command against staging Cyrus, with only what a user has: PATH, the password in the env.
  const cals = await sh(bin, ['calendars', '--json', '--url', CYRUS.url, '--username', 'alice'], work, {
    PATH: process.env.PATH,
    HOME: work,
    CALSHARE_PASSWORD: USERS.alice,
  });
  const listed = JSON.parse(cals.stdout) as { home: string; calendars: unknown[] };
  assert.equal(listed.home, CYRUS.home('alice'));
  assert.ok(Array.isArray(listed.calendars));
});

test('npm install -g <path to a clean clone> runs prepare and gives a working calshare', { timeout: 900_000 }, async () => {
  const dir = await cleanClone('path');
  const prefix = join(work, 'prefix-path');
  await sh('npm', ['install', '--global', '--prefix', prefix, dir], work);
  assert.ok(existsSync(join(dir, 'dist/cli/main.js')), 'prepare built dist/ in the installed checkout');
  const version = await sh(join(prefix, 'bin', 'calshare'), ['--version'], work, { PATH: process.env.PATH });
  assert.equal(version.stdout.trim(), '0.1.0');
});
