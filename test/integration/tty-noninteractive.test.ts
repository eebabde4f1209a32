// Without a terminal calshare never asks and never waits: missing input is exit 2 naming the
// flag, --json is one parseable document, and nothing piped carries escape sequences.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { openSync, closeSync } from 'node:fs';
import { CYRUS, ROOT, USERS, ensureStaging } from '../helpers/staging.js';
import { canRead, deleteCalendar, freshCalendar } from '../helpers/dav.js';
import { calshare, type CliResult } from '../helpers/cli.js';

const LOGIN = ['--url', CYRUS.url, '--username', 'alice'];
const ENV = { CALSHARE_PASSWORD: USERS.alice };
const cals: string[] = [];

before(() => ensureStaging('cyrus'));
after(() => Promise.all(cals.map((u) => deleteCalendar('alice', u))));

/** `calshare ARGS </dev/null`, exactly as a shell would run it; killed if it ever waits. */
function withDevNull(args: string[]): Promise<CliResult & { signal: NodeJS.Signals | null }> {
  const devnull = openSync('/dev/null', 'r');
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [`${ROOT}/dist/cli/main.js`, ...args], {
      env: { ...process.env, ...ENV },
      stdio: [devnull, 'pipe', 'pipe'],
    });
    closeSync(devnull);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000); // generous: a wait on stdin would hit it
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
}

test('share </dev/null exits 2 at once, naming what is missing', async () => {
  const bare = await withDevNull(['share']);
  assert.equal(bare.signal, null, 'it must not wait for input');
  assert.equal(bare.code, 2);
  assert.match(bare.stderr, /missing CALENDAR argument/);
  assert.equal(bare.stdout, '');

  const noEmail = await withDevNull(['share', 'Default', ...LOGIN]);
  assert.equal(noEmail.code, 2);
  assert.match(noEmail.stderr, /missing EMAIL argument/);

  const noLevel = await withDevNull(['share', 'Default', 'bob@example.test', ...LOGIN]);
  assert.equal(noLevel.code, 2);
  assert.match(noLevel.stderr, /missing --view or --edit/);

  const unshare = await withDevNull(['unshare', 'Default', 'bob@example.test', ...LOGIN]);
  assert.equal(unshare.code, 2);
  assert.match(unshare.stderr, /missing --yes/);

  const unshareWho = await withDevNull(['unshare', 'Default', ...LOGIN]);
  assert.equal(unshareWho.code, 2);
  assert.match(unshareWho.stderr, /missing EMAIL argument or --all/);
});

test('--json: one document on stdout, for results and for errors', async () => {
  const cal = await freshCalendar('alice');
  cals.push(cal.url);
  const ok = await calshare(['share', cal.url, 'bob@example.test', '--view', '--json', ...LOGIN], { env: ENV });
  assert.equal(ok.code, 0, ok.stderr);
  const doc = JSON.parse(ok.stdout);
  assert.deepEqual(
    doc.results.map((r: { email: string; requested: string; after: string; result: string }) => [r.email, r.requested, r.after, r.result]),
    [['bob@example.test', 'view-only', 'view-only', 'shared']],
  );
  assert.equal(await canRead('bob', cal.url, cal.eventUrl), true);

  const bad = await calshare(['share', cal.url, '--json', ...LOGIN], { env: ENV });
  assert.equal(bad.code, 2);
  const err = JSON.parse(bad.stdout);
  assert.equal(err.error.kind, 'usage');
  assert.match(err.error.message, /missing EMAIL argument/);

  const gone = await calshare(['unshare', cal.url, 'bob@example.test', '--yes', '--json', ...LOGIN], { env: ENV });
  assert.equal(gone.code, 0, gone.stderr);
  assert.equal(JSON.parse(gone.stdout).results[0].result, 'removed');
  assert.equal(await canRead('bob', cal.url, cal.eventUrl), false);
});

test('piped output has no escape sequences, even with colour allowed; --verbose traces without secrets', async () => {
  const cal = await freshCalendar('alice');
  cals.push(cal.url);
  const colourAllowed = { ...ENV, NO_COLOR: undefined, FORCE_COLOR: undefined };
  const runs = [
    await calshare(['calendars', ...LOGIN], { env: colourAllowed }),
    await calshare(['share', cal.url, 'bob@example.test', '--edit', '-v', ...LOGIN], { env: colourAllowed }),
    await calshare(['sharees', cal.url, ...LOGIN], { env: colourAllowed }),
    await calshare(['share', cal.url, 'not an address', '--view', ...LOGIN], { env: colourAllowed }),
  ];
  for (const r of runs) {
    assert.ok(!r.stdout.includes('\x1b') && !r.stderr.includes('\x1b'), `escape sequence in piped output:\n${r.stdout}${r.stderr}`);
  }
  assert.match(runs[2]!.stdout, /bob@example\.test\s+edit/, 'level spelled the way the user chose it');

  const trace = runs[1]!.stderr;
  assert.match(trace, /#\d+ PROPFIND http:\/\/127\.0\.0\.1:8008\/\S+ → 207 \(\d+ ms\)/);
  assert.match(trace, /#\d+ POST http:\/\/127\.0\.0\.1:8008\/\S+ → 20\d \(\d+ ms\)/);
  const basic = Buffer.from(`alice:${USERS.alice}`).toString('base64');
  for (const secret of [USERS.alice, basic]) assert.ok(!trace.includes(secret), 'no credentials in the trace');
});
