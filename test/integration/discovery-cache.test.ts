// The discovery cache (issue 14, src/discovery/cache.ts) with the real CLI against staging Cyrus:
// a warm command sends no discovery request; a cache whose home moved (301), vanished (404) or
// answers 401 drops itself, and the command still succeeds with exactly one rediscovery. Requests
// are counted from the --verbose trace. The suite keeps the cache off (test/helpers/staging.ts);
// these tests turn it on with a cache directory of their own.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomUUID } from 'node:crypto';
import { calshare } from '../helpers/cli.js';
import { CYRUS, PASSWORDS, ensureStaging } from '../helpers/staging.js';
import { freshCalendar, deleteCalendar } from '../helpers/dav.js';
import { FaultProxy } from '../helpers/fault-proxy.js';
import { cacheFile, serialise } from '../../src/discovery/cache.js';

interface Sent {
  method: string;
  path: string;
  status: string;
}

/** The requests a --verbose run sent, from its trace lines ("  #3 PROPFIND http://… → 207 (5 ms)"). */
function sent(stderr: string): Sent[] {
  return [...stderr.matchAll(/^ {2}#\d+ (\S+) (\S+) → (\S+)/gm)].map((m) => ({ method: m[1]!, path: new URL(m[2]!).pathname, status: m[3]! }));
}

const PRINCIPAL = CYRUS.principal('alice');
const HOME = new URL(CYRUS.home('alice')).pathname;
/** Discovery's own requests: the well-known URL (RFC 6764 §5) and the principal's PROPFIND. */
const isDiscovery = (r: Sent) => r.path.startsWith('/.well-known/') || (r.method === 'PROPFIND' && r.path === PRINCIPAL);

let xdg: string;
const dirOf = () => join(xdg, 'calshare');
const fileFor = (origin: string) => cacheFile(dirOf(), origin, 'alice');

function run(args: string[], url = CYRUS.url) {
  return calshare([...args, '--url', url, '--username', 'alice', '-v'], {
    env: { CALSHARE_PASSWORD: PASSWORDS.alice, XDG_CACHE_HOME: xdg, CALSHARE_CACHE: undefined },
  });
}

/** Writes a cache as calshare would, with the home (or principal) pointing where the test says. */
function seed(origin: string, home: string, principal = PRINCIPAL): void {
  mkdirSync(dirOf(), { recursive: true, mode: 0o700 });
  const me = { url: new URL(principal, origin), homeUrl: new URL(home, origin), displayName: 'alice', addresses: ['mailto:alice@example.test'] };
  writeFileSync(fileFor(origin), serialise(origin, 'alice', me), { mode: 0o600 });
}

const cachedHome = (origin: string) => JSON.parse(readFileSync(fileFor(origin), 'utf8')).home as string;

let cal: Awaited<ReturnType<typeof freshCalendar>>;

before(async () => {
  ensureStaging('cyrus');
  cal = await freshCalendar('alice', `cache-${randomUUID().slice(0, 8)}`);
});
after(async () => {
  if (cal) await deleteCalendar('alice', cal.url);
});

test('cold writes the cache (dir 0700, file 0600, no secret); warm commands send no discovery request', async () => {
  xdg = mkdtempSync(join(tmpdir(), 'calshare-cache-it-'));
  try {
    const cold = await run(['sharees', cal.url]);
    assert.equal(cold.code, 0, cold.stderr);
    // OPTIONS first where the command reads by product (Session.productQuirks), then the read itself.
    assert.equal(sent(cold.stderr).find((r) => r.method !== 'OPTIONS')?.method, 'REPORT', 'cold, the calendar and the principal come in one REPORT');
    const origin = new URL(CYRUS.url).origin;
    assert.equal(statSync(dirOf()).mode & 0o777, 0o700);
    assert.equal(statSync(fileFor(origin)).mode & 0o777, 0o600);
    const text = readFileSync(fileFor(origin), 'utf8');
    assert.doesNotMatch(text, new RegExp(PASSWORDS.alice));
    assert.equal(cachedHome(origin), CYRUS.home('alice'));

    for (const args of [['sharees', cal.url], ['sharees', cal.name], ['calendars']]) {
      const warm = await run(args);
      assert.equal(warm.code, 0, warm.stderr);
      const discovery = sent(warm.stderr).filter(isDiscovery);
      assert.deepEqual(discovery, [], `${args.join(' ')}: no discovery request when warm`);
    }
    // By URL, warm: one Depth-0 read of the calendar carries everything `sharees` shows, and the
    // product the cold OPTIONS named comes from the cache, so no OPTIONS either.
    assert.equal(JSON.parse(text).product, 'cyrus');
    const byUrl = sent((await run(['sharees', cal.url])).stderr);
    assert.deepEqual(byUrl[0], { method: 'PROPFIND', path: new URL(cal.url).pathname, status: '207' });
    const calPath = new URL(cal.url).pathname;
    assert.ok(!byUrl.some((r) => r.method === 'OPTIONS' && r.path === calPath), byUrl.map((r) => `${r.method} ${r.path}`).join(', '));
  } finally {
    rmSync(xdg, { recursive: true, force: true });
  }
});

test('share N people by URL: cold without the well-known detour, warm without discovery; both verified by reading back', async () => {
  xdg = mkdtempSync(join(tmpdir(), 'calshare-cache-it-'));
  try {
    const cold = await run(['share', cal.url, 'bob@example.test', 'carol@example.test', '--view']);
    assert.equal(cold.code, 0, cold.stderr + cold.stdout);
    const c = sent(cold.stderr);
    assert.ok(!c.some((r) => r.path.startsWith('/.well-known/')), 'a calendar named by URL needs no well-known lookup');
    // One REPORT DAV:expand-property reads the calendar and, through DAV:current-user-principal,
    // the principal (RFC 3253 §3.8, RFC 5397): no PROPFIND of the principal at all.
    assert.deepEqual(c.find((r) => r.method !== 'OPTIONS'), { method: 'REPORT', path: new URL(cal.url).pathname, status: '207' });
    assert.equal(c.filter((r) => r.path === PRINCIPAL).length, 0);
    // Issue 14's goal, cold: N + 4 = that REPORT, OPTIONS (Cyrus sends DAV only there), N existence
    // checks, the POST and the read-back.
    assert.ok(c.length <= 2 + 4, `cold: ${c.length} requests: ${c.map((r) => `${r.method} ${r.path}`).join(', ')}`);
    assert.equal(c.at(-1)?.method, 'PROPFIND', 'the state is read back after the write');
    assert.equal(c.at(-1)?.path, new URL(cal.url).pathname);

    const warm = await run(['share', cal.url, 'bob@example.test', 'carol@example.test', '--edit']);
    assert.equal(warm.code, 0, warm.stderr + warm.stdout);
    const w = sent(warm.stderr);
    assert.deepEqual(w.filter(isDiscovery), []);
    assert.match(warm.stdout, /bob@example\.test\s+edit/);
    assert.equal(w.filter((r) => r.method === 'POST').length, 1);
    assert.equal(w.at(-1)?.method, 'PROPFIND', 'the state is read back after the write');
  } finally {
    rmSync(xdg, { recursive: true, force: true });
  }
});

for (const [what, home, status] of [
  ['vanished (404)', `${HOME}gone-${randomUUID().slice(0, 8)}/`, '404'],
  ['moved (301)', '/.well-known/caldav', '301'],
] as const) {
  test(`a cached home that ${what.split(' ')[0]} drops the cache; the command succeeds after one rediscovery`, async () => {
    xdg = mkdtempSync(join(tmpdir(), 'calshare-cache-it-'));
    try {
      const origin = new URL(CYRUS.url).origin;
      for (const args of [['sharees', cal.name], ['sharees', cal.url]]) {
        seed(origin, home);
        const r = await run(args);
        assert.equal(r.code, 0, `${args.join(' ')}: ${r.stderr}`);
        assert.match(r.stdout, new RegExp(cal.name));
        const s = sent(r.stderr);
        if (args[1] === cal.name) assert.ok(s.some((x) => x.path === home && x.status === status), `the stale home answered ${status}: ${r.stderr}`);
        assert.ok(s.filter((x) => x.method === 'PROPFIND' && x.path === PRINCIPAL).length <= 1, 'one rediscovery');
        assert.ok(s.filter((x) => x.path.startsWith('/.well-known/')).length <= 1 + (home.startsWith('/.well-known/') ? 1 : 0), 'one rediscovery');
        assert.equal(cachedHome(origin), CYRUS.home('alice'), 'the cache now holds the real home');
      }
    } finally {
      rmSync(xdg, { recursive: true, force: true });
    }
  });
}

test('a cached home answering 401 drops the cache; the command succeeds after one rediscovery', async () => {
  xdg = mkdtempSync(join(tmpdir(), 'calshare-cache-it-'));
  // The first PROPFIND of the home answers 401 (as a home handed to another account would); later ones pass.
  const proxy = await FaultProxy.start({
    upstream: CYRUS.url,
    rules: [{ method: 'PROPFIND', path: new RegExp(`^${HOME}$`), fault: { kind: 'respond', status: 401, headers: { 'www-authenticate': 'Basic realm="x"' } } }],
  });
  try {
    const origin = new URL(proxy.url).origin;
    seed(origin, HOME);
    const r = await run(['sharees', cal.name], proxy.url);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, new RegExp(cal.name));
    const s = sent(r.stderr);
    assert.ok(s.some((x) => x.path === HOME && x.status === '401'), r.stderr);
    assert.equal(s.filter((x) => x.path.startsWith('/.well-known/')).length, 1, 'one rediscovery');
    assert.equal(s.filter((x) => x.method === 'PROPFIND' && x.path === PRINCIPAL).length, 1);
    assert.ok(existsSync(fileFor(origin)), 'rediscovery wrote the cache again');
  } finally {
    await proxy.close();
    rmSync(xdg, { recursive: true, force: true });
  }
});

test('a cache that is corrupt or readable by others is ignored: the command discovers as if cold', async () => {
  xdg = mkdtempSync(join(tmpdir(), 'calshare-cache-it-'));
  try {
    const origin = new URL(CYRUS.url).origin;
    seed(origin, `${HOME}elsewhere/`);
    writeFileSync(fileFor(origin), '{"v":1,', { mode: 0o600 });
    const a = await run(['sharees', cal.url]);
    assert.equal(a.code, 0, a.stderr);
    assert.equal(cachedHome(origin), CYRUS.home('alice'));
    seed(origin, `${HOME}elsewhere/`);
    const { chmodSync } = await import('node:fs');
    chmodSync(fileFor(origin), 0o644);
    const b = await run(['sharees', cal.name]);
    assert.equal(b.code, 0, b.stderr);
    assert.ok(!sent(b.stderr).some((x) => x.path === `${HOME}elsewhere/`), 'the loose file was not used');
  } finally {
    rmSync(xdg, { recursive: true, force: true });
  }
});

test('login writes the cache, a saved account uses it, logout deletes it', async () => {
  xdg = mkdtempSync(join(tmpdir(), 'calshare-cache-it-'));
  const home = mkdtempSync(join(tmpdir(), 'calshare-cache-home-'));
  try {
    const pw = join(home, 'alice-pw');
    writeFileSync(pw, `${PASSWORDS.alice}\n`, { mode: 0o600 });
    // A password-command account needs no keyring (none here), so logout can forget it.
    const env = { HOME: home, XDG_CONFIG_HOME: join(home, 'config'), XDG_CACHE_HOME: xdg, CALSHARE_CACHE: undefined, CALSHARE_PASSWORD: undefined, DBUS_SESSION_BUS_ADDRESS: 'unix:path=/nonexistent/calshare-no-bus' };
    const login = await calshare(['login', '--url', CYRUS.url, '--username', 'alice', '--account', 'c', '--password-command', `cat ${pw}`], { env });
    assert.equal(login.code, 0, login.stderr);
    const file = fileFor(new URL(CYRUS.url).origin);
    assert.ok(existsSync(file), 'login discovered, and kept what it found');
    const warm = await calshare(['sharees', cal.name, '--account', 'c', '-v'], { env });
    assert.equal(warm.code, 0, warm.stderr);
    assert.deepEqual(sent(warm.stderr).filter(isDiscovery), [], 'the saved account uses the cache');
    const out = await calshare(['logout', '--account', 'c'], { env });
    assert.equal(out.code, 0, out.stderr);
    assert.ok(!existsSync(file), 'logout deleted the cache file');
  } finally {
    rmSync(home, { recursive: true, force: true });
    rmSync(xdg, { recursive: true, force: true });
  }
});
