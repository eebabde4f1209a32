// The discovery cache file (src/discovery/cache.ts): where it lives, its modes, what it holds, and
// everything it refuses to trust. The Session's use of it is tested against staging Cyrus in
// test/integration/discovery-cache.test.ts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileDiscoveryCache, MAX_AGE_MS, cacheDir, cacheFile, parseCached, provesStale, serialise } from '../../src/discovery/cache.js';
import type { Principal } from '../../src/discovery/discover.js';

const ORIGIN = 'https://cal.example.test';
const me: Principal = {
  url: new URL('https://cal.example.test/dav/principals/user/alice/'),
  homeUrl: new URL('https://cal.example.test/dav/calendars/user/alice/'),
  displayName: 'Alice',
  addresses: ['mailto:alice@example.test'],
};

function fresh(): { root: string; dir: string; done: () => void } {
  const root = mkdtempSync(join(tmpdir(), 'calshare-cache-unit-'));
  return { root, dir: join(root, 'calshare'), done: () => rmSync(root, { recursive: true, force: true }) };
}

test('cacheDir: $XDG_CACHE_HOME/calshare, ~/.cache/calshare without it or with a relative one (XDG spec)', () => {
  assert.equal(cacheDir({ XDG_CACHE_HOME: '/x/cache' }), '/x/cache/calshare');
  assert.match(cacheDir({}), /\/\.cache\/calshare$/);
  assert.match(cacheDir({ XDG_CACHE_HOME: 'relative' }), /\/\.cache\/calshare$/);
});

test('one file per origin and user, named by a hash (neither shows in a listing)', () => {
  const a = cacheFile('/c', ORIGIN, 'alice');
  assert.notEqual(a, cacheFile('/c', ORIGIN, 'bob'));
  assert.notEqual(a, cacheFile('/c', 'https://other.example.test', 'alice'));
  assert.doesNotMatch(a, /alice|example/);
});

test('save then load: directory 0700, file 0600, no temporary file left, the principal round-trips', async () => {
  const { dir, done } = fresh();
  try {
    const c = new FileDiscoveryCache(ORIGIN, 'alice', dir);
    await c.save(me);
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.equal(statSync(c.path).mode & 0o777, 0o600);
    assert.deepEqual(readdirSync(dir), [c.path.split('/').pop()]);
    const back = await c.load();
    assert.equal(back?.url.href, me.url.href);
    assert.equal(back?.homeUrl.href, me.homeUrl.href);
    assert.deepEqual(back?.addresses, me.addresses);
    assert.equal(back?.displayName, 'Alice');
    // Another user on the same origin has no cache of their own yet.
    assert.equal(await new FileDiscoveryCache(ORIGIN, 'bob', dir).load(), undefined);
    await c.drop();
    assert.equal(await c.load(), undefined);
    await c.drop(); // dropping what is gone is fine
  } finally {
    done();
  }
});

test('never a secret: only the fields discovery found are written', () => {
  const text = serialise(ORIGIN, 'alice', me);
  assert.deepEqual(Object.keys(JSON.parse(text)).sort(), ['addresses', 'displayName', 'home', 'origin', 'principal', 'savedAt', 'user', 'v']);
  assert.doesNotMatch(text, /pw|password|token|authorization|basic|bearer/i);
});

test('a group- or world-readable file, a loose directory, or a symlink is ignored', async () => {
  const { root, dir, done } = fresh();
  try {
    const c = new FileDiscoveryCache(ORIGIN, 'alice', dir);
    await c.save(me);
    chmodSync(c.path, 0o644);
    assert.equal(await c.load(), undefined, 'file 0644');
    chmodSync(c.path, 0o600);
    chmodSync(dir, 0o755);
    assert.equal(await c.load(), undefined, 'directory 0755');
    await c.save(me); // saving tightens its own directory again
    assert.equal(statSync(dir).mode & 0o777, 0o700);
    assert.ok(await c.load());
    const elsewhere = join(root, 'planted.json');
    writeFileSync(elsewhere, serialise(ORIGIN, 'alice', me), { mode: 0o600 });
    rmSync(c.path);
    symlinkSync(elsewhere, c.path);
    assert.equal(await c.load(), undefined, 'symlink');
  } finally {
    done();
  }
});

test('a file of another owner is ignored', { skip: process.getuid?.() !== 0 && 'needs root to chown' }, async () => {
  const { dir, done } = fresh();
  try {
    const c = new FileDiscoveryCache(ORIGIN, 'alice', dir);
    await c.save(me);
    const { chownSync } = await import('node:fs');
    chownSync(c.path, 65534, 65534);
    assert.equal(await c.load(), undefined);
  } finally {
    done();
  }
});

test('the product an OPTIONS named is kept; one the cache does not know is dropped, the rest kept', () => {
  const now = 1_000_000 + 1000;
  const withProduct = serialise(ORIGIN, 'alice', { ...me, product: 'cyrus' }, 1_000_000);
  assert.equal(parseCached(withProduct, ORIGIN, 'alice', now)?.product, 'cyrus');
  const o = JSON.parse(withProduct) as Record<string, unknown>;
  o.product = 'apache-with-a-twist';
  const odd = parseCached(JSON.stringify(o), ORIGIN, 'alice', now);
  assert.ok(odd && odd.product === undefined && odd.homeUrl.href === me.homeUrl.href);
});

test('a corrupt, foreign or old file is ignored, never trusted', () => {
  const good = serialise(ORIGIN, 'alice', me, 1_000_000);
  const now = 1_000_000 + 1000;
  assert.ok(parseCached(good, ORIGIN, 'alice', now));
  assert.equal(parseCached(good.slice(0, 40), ORIGIN, 'alice', now), undefined, 'cut off');
  assert.equal(parseCached('null', ORIGIN, 'alice', now), undefined);
  assert.equal(parseCached('[]', ORIGIN, 'alice', now), undefined);
  assert.equal(parseCached(good, 'https://other.example.test', 'alice', now), undefined, 'other origin');
  assert.equal(parseCached(good, ORIGIN, 'bob', now), undefined, 'other user');
  assert.equal(parseCached(good, ORIGIN, 'alice', 1_000_000 + MAX_AGE_MS + 1), undefined, 'older than a week');
  const edit = (f: (o: Record<string, unknown>) => void) => {
    const o = JSON.parse(good) as Record<string, unknown>;
    f(o);
    return parseCached(JSON.stringify(o), ORIGIN, 'alice', now);
  };
  assert.equal(edit((o) => (o.v = 2)), undefined, 'other version');
  assert.equal(edit((o) => (o.home = 'https://evil.example.net/dav/')), undefined, 'home on another origin');
  assert.equal(edit((o) => (o.principal = 'not a url')), undefined);
  assert.equal(edit((o) => (o.addresses = 'mailto:alice@example.test')), undefined);
  assert.equal(edit((o) => (o.addresses = [1])), undefined);
  assert.equal(edit((o) => (o.displayName = {})), undefined);
});

test('a corrupt file on disk loads as no cache, and the next save replaces it', async () => {
  const { dir, done } = fresh();
  try {
    mkdirSync(dir, { mode: 0o700 });
    const c = new FileDiscoveryCache(ORIGIN, 'alice', dir);
    writeFileSync(c.path, '{"v":1,"origin":', { mode: 0o600 });
    assert.equal(await c.load(), undefined);
    await c.save(me);
    assert.equal(JSON.parse(readFileSync(c.path, 'utf8')).home, me.homeUrl.href);
  } finally {
    done();
  }
});

test('an unwritable cache directory costs nothing but the cache (reported, not thrown)', async () => {
  const { root, done } = fresh();
  try {
    writeFileSync(join(root, 'calshare'), 'a file where the directory should be');
    const problems: string[] = [];
    const c = new FileDiscoveryCache(ORIGIN, 'alice', join(root, 'calshare'), (m) => problems.push(m));
    await c.save(me);
    assert.equal(problems.length, 1);
    assert.equal(await c.load(), undefined);
  } finally {
    done();
  }
});

test('provesStale: 301, 404 or 401 on the cached principal or home (either spelling of the slash); nothing else', () => {
  const at = (url: string, status: number | string) => provesStale({ url, status }, me);
  for (const s of [301, 308, 404, 410, 401]) assert.equal(at(me.homeUrl.href, s), true, `home ${s}`);
  assert.equal(at('https://cal.example.test/dav/principals/user/alice', 404), true, 'principal without its slash');
  assert.equal(at(me.homeUrl.href, 207), false);
  assert.equal(at(me.homeUrl.href, 403), false, 'a refusal is no move');
  assert.equal(at(me.homeUrl.href, 'ECONNRESET'), false);
  assert.equal(at('https://cal.example.test/dav/calendars/user/alice/work/', 404), false, 'a missing calendar says nothing about discovery');
  assert.equal(at('https://other.example.test/dav/calendars/user/alice/', 404), false);
});
