// The end-to-end test of the whole flow, from keystrokes in a real pseudo-terminal (tmux) to the
// CalDAV server's behaviour for the sharee: bob is logged in as himself to prove each effect.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { CYRUS, USERS, ensureStaging } from '../helpers/staging.js';
import { canRead, deleteCalendar, freshCalendar, rawAcl, tryWrite } from '../helpers/dav.js';
import { as, calshare } from '../helpers/cli.js';
import { Tty } from '../helpers/tty.js';

const LOGIN = ['--url', CYRUS.url, '--username', 'alice'];
const ENV = { CALSHARE_PASSWORD: USERS.alice };
const ttys: Tty[] = [];
const cals: string[] = [];

async function tty(args: string[], env: Record<string, string | undefined> = ENV): Promise<Tty> {
  const t = await Tty.start(args, env);
  ttys.push(t);
  return t;
}

async function calendar() {
  const c = await freshCalendar('alice');
  cals.push(c.url);
  return c;
}

const refused = (s: number) => s === 401 || s === 403 || s === 404;

before(() => ensureStaging('cyrus'));
after(async () => {
  await Promise.all(ttys.map((t) => t.kill()));
  await Promise.all(cals.map((u) => deleteCalendar('alice', u)));
});

test('interactive share, then interactive unshare of two people, proven as each sharee', async () => {
  const cal = await calendar();
  assert.equal(await canRead('bob', cal.url, cal.eventUrl), false, 'bob starts without access');

  // share: pick the calendar → type an address (a bad one first) → view-only → confirm.
  const t = await tty(['share', ...LOGIN]);
  await t.waitFor('Which calendar?');
  await t.choose(cal.name);
  await t.waitFor('Share with whom?');
  await t.type('bob@example');
  await t.keys('Enter');
  const complaint = await t.waitFor('not a usable e-mail address');
  assert.match(complaint, /"bob@example" is not a usable e-mail address/);
  await t.type('.test');
  await t.keys('Enter');
  await t.waitFor('Which access?');
  await t.choose('view-only');
  const summary = await t.waitFor('Same as:');
  const line = `calshare share ${cal.name} bob@example.test --view --url ${CYRUS.url} --username alice`;
  assert.ok(summary.includes(line), `summary shows the scriptable command:\n${summary}`);
  await t.keys('Enter');
  assert.equal(await t.exitCode(), 0, await t.screen());
  assert.match(await t.screen(), /bob@example\.test\s+view-only\s+shared/);

  // As bob: reads events, every write refused.
  assert.equal(await canRead('bob', cal.url, cal.eventUrl), true, 'bob can read after the interactive share');
  const w = await tryWrite('bob', cal.url);
  assert.ok(refused(w.create), `bob must not create events in a view-only calendar, got ${w.create}`);

  // The command line the summary offered does the same thing without a terminal: nothing to change.
  const again = await calshare([...line.split(' ').slice(1), '--json'], { env: ENV });
  assert.equal(again.code, 0, again.stderr);
  assert.equal(JSON.parse(again.stdout).results[0].result, 'unchanged');

  // carol too, non-interactively; then unshare both through the multi-select.
  const carol = await as('alice', CYRUS.url)(['share', cal.url, 'carol@example.test', '--edit']);
  assert.equal(carol.code, 0, carol.stderr);
  assert.equal(await canRead('carol', cal.url, cal.eventUrl), true);

  const u = await tty(['unshare', ...LOGIN]);
  await u.waitFor('Which calendar?');
  await u.choose(cal.name);
  const who = await u.waitFor('Remove whom?');
  assert.match(who, /bob@example\.test\s+view-only\s+pending/, 'who has access, with level and invite status');
  assert.match(who, /carol@example\.test\s+edit/);
  await u.tick(['bob@example.test', 'carol@example.test']);
  const confirm = await u.waitFor('Same as:');
  assert.ok(confirm.includes(`calshare unshare ${cal.name} bob@example.test carol@example.test --yes`), confirm);
  await u.keys('Enter');
  assert.equal(await u.exitCode(), 0, await u.screen());
  const done = await u.screen();
  assert.match(done, /bob@example\.test\s+no access\s+removed/);
  assert.match(done, /carol@example\.test\s+no access\s+removed/);

  // As each of them: refused.
  for (const who of ['bob', 'carol'] as const) {
    assert.equal(await canRead(who, cal.url, cal.eventUrl), false, `${who} cannot read after unshare`);
    const w2 = await tryWrite(who, cal.url);
    assert.ok(refused(w2.create), `${who} cannot write after unshare, got ${w2.create}`);
  }
});

test('Ctrl-C at a prompt exits 130 and sends nothing; Ctrl-D exits 2', async () => {
  const cal = await calendar();
  const acl = await rawAcl('alice', cal.url);

  const t = await tty(['share', ...LOGIN]);
  await t.waitFor('Which calendar?');
  await t.choose(cal.name);
  await t.waitFor('Share with whom?');
  await t.type('bob@example.test');
  await t.keys('Enter');
  await t.waitFor('Which access?');
  await t.keys('C-c');
  assert.equal(await t.exitCode(), 130, await t.screen());
  assert.match(await t.screen(), /interrupted; nothing was changed/);

  const d = await tty(['share', cal.name, ...LOGIN]);
  await d.waitFor('Share with whom?');
  await d.keys('C-d');
  assert.equal(await d.exitCode(), 2, await d.screen());

  assert.equal(await rawAcl('alice', cal.url), acl, 'the ACL is byte-for-byte what it was');
  assert.equal(await canRead('bob', cal.url, cal.eventUrl), false);
});

test('colour on a terminal; none with NO_COLOR', async () => {
  // One fresh calendar: output short enough to stay on screen whatever else alice owns.
  const cal = await calendar();
  const sgr = /\x1b\[[0-9;]*m/;
  const coloured = await tty(['sharees', cal.url, ...LOGIN], { ...ENV, NO_COLOR: undefined });
  assert.equal(await coloured.exitCode(), 0);
  assert.match(await coloured.screen(true), sgr, 'the calendar name is styled on a terminal');
  const plain = await tty(['sharees', cal.url, ...LOGIN], { ...ENV, NO_COLOR: '1' });
  assert.equal(await plain.exitCode(), 0);
  assert.doesNotMatch(await plain.screen(true), sgr, 'NO_COLOR: no styling at all');
});
