// The interactive flows on Nextcloud, replayed: `calshare share` and `unshare` run in a real
// pseudo-terminal (tmux, test/helpers/tty.ts) against a loopback server answering with exchanges
// recorded from a real Nextcloud 31.0.2 while these same flows ran (test/fixtures/nextcloud/tty-*.json;
// test/helpers/replay.ts). A request the real server never saw fails the test. The tests run in
// order (one file, node:test runs its tests one after another): each starts from the state the one
// before left, as when they were recorded.
//
// Recording (outside CI): CALSHARE_NEXTCLOUD_RECORD names the recording proxy, CALSHARE_NEXTCLOUD_URL
// the real server; then each effect is also proven as the sharee with their own credentials (bob by
// address; carol through group "team"): the seed event read by its SUMMARY, writes refused (404) or
// accepted by level, and no access after the removal.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { Tty } from '../helpers/tty.js';
import { asSharee, nextcloudTarget, type NextcloudTarget } from '../helpers/replay.js';

const ENV = { CALSHARE_PASSWORD: 'alice-pw', NO_COLOR: '1' };
const ttys: Tty[] = [];
const targets: NextcloudTarget[] = [];

after(async () => {
  await Promise.all(ttys.map((t) => t.kill()));
  await Promise.all(targets.map((t) => t.close()));
});

async function start(name: string, args: string[]): Promise<{ t: Tty; target: NextcloudTarget }> {
  const target = await nextcloudTarget(name);
  targets.push(target);
  const t = await Tty.start([...args, '--url', target.url, '--username', 'alice'], ENV);
  ttys.push(t);
  return { t, target };
}

function settled(target: NextcloudTarget, posts: number): void {
  if (!target.replay) return;
  assert.deepEqual(target.replay.misses, [], 'every request calshare sent was one the real server answered');
  assert.deepEqual(target.replay.unusedWrites(), [], 'every recorded write was sent again');
  assert.equal(target.replay.received.filter((x) => x.method === 'POST').length, posts);
}

test('interactive share: pick "Fixture", type an address (a bad one first), view-only, confirm; one oc:share, verified', async () => {
  const { t, target } = await start('tty-share', ['share']);
  await t.waitFor('Which calendar?');
  await t.choose('Fixture');
  await t.waitFor('Share with whom?');
  await t.type('bob@example');
  await t.keys('Enter');
  await t.waitFor('not a usable e-mail address');
  await t.type('.test');
  await t.keys('Enter');
  await t.waitFor('Which access?');
  await t.choose('view-only');
  const summary = await t.waitFor('Same as:');
  assert.match(summary, /calshare share Fixture bob@example\.test --view --url \S+ --username alice/);
  await t.keys('Enter');
  assert.equal(await t.exitCode(), 0, await t.screen());
  assert.match(await t.screen(), /bob@example\.test\s+view-only\s+shared/);
  settled(target, 1);
  const bob = await asSharee('bob');
  if (bob) assert.deepEqual(bob, { read: true, write: 404 }, 'bob reads the seed event; his write is refused');
});

test('interactive share --group team: asks only the level, shows --group in the summary, shares the group', async () => {
  const { t, target } = await start('tty-share-group', ['share', 'Fixture', '--group', 'team']);
  const first = await t.waitFor('Which access?');
  assert.doesNotMatch(first, /Share with whom\?/, 'a group given on the command line is enough');
  await t.choose('edit');
  const summary = await t.waitFor('Same as:');
  assert.match(summary, /Groups\s+team/);
  assert.match(summary, /calshare share Fixture --group team --edit --url/);
  await t.keys('Enter');
  assert.equal(await t.exitCode(), 0, await t.screen());
  assert.match(await t.screen(), /group team\s+edit\s+shared/);
  settled(target, 1);
  const carol = await asSharee('carol');
  if (carol) assert.deepEqual(carol, { read: true, write: 201 }, 'carol (in team) reads and writes');
});

test('interactive unshare: the list shows bob and group team with their levels; both ticked, confirmed, removed (the group first)', async () => {
  const { t, target } = await start('tty-unshare', ['unshare']);
  await t.waitFor('Which calendar?');
  await t.waitFor(/Fixture\s+1 person \+ 1 group\s/);
  await t.choose('Fixture');
  const who = await t.waitFor('Remove whom?');
  assert.match(who, /bob@example\.test\s+view-only/);
  assert.match(who, /group team\s+edit/);
  await t.tick(['bob@example.test', 'group team']);
  const summary = await t.waitFor('Same as:');
  assert.match(summary, /calshare unshare Fixture bob@example\.test --group team --yes --url/);
  await t.keys('Enter');
  assert.equal(await t.exitCode(), 0, await t.screen());
  const screen = await t.screen();
  assert.match(screen, /bob@example\.test\s+no access\s+removed/);
  assert.match(screen, /group team\s+no access\s+removed/);
  settled(target, 2);
  const [bob, carol] = [await asSharee('bob'), await asSharee('carol')];
  if (bob) assert.equal(bob.read, false, 'bob lost access');
  if (carol) assert.equal(carol.read, false, 'carol lost access');
});
