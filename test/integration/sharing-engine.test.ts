// The sharing engine's guarantees on staging Cyrus, beyond the happy path: refusals that change
// nothing, --dry-run that sends nothing (and prints a request that works as printed), the --json
// shape, ACL writes that keep every ACE they did not mean to touch, and one write for N people.
import assert from 'node:assert/strict';
import { before, test } from 'node:test';
import { canRead, dav, deleteCalendar, freshCalendar, tryWrite } from '../helpers/dav.js';
import { ensureCyrusUsers, ensureStaging } from '../helpers/staging.js';
import { USERS } from '../helpers/staging.js';
import { aceSet, aliceOk, pathOf, writes } from './sharing-lib.js';

const BOB = 'bob@example.test';
const CAROL = 'carol@example.test';

before(() => ensureStaging('cyrus'));

async function fresh(t: { after: (fn: () => Promise<void>) => void }) {
  const cal = await freshCalendar('alice');
  t.after(() => deleteCalendar('alice', cal.url));
  return { ...cal, path: pathOf(cal.url) };
}

test('a nonexistent user: exit 2 naming them, nothing changed', async (t) => {
  const cal = await fresh(t);
  const aclBefore = await aceSet('alice', cal.url);
  for (const via of [[], ['--via', 'acl'], ['--via', 'resource-sharing']]) {
    const r = await aliceOk(['share', cal.path, 'nosuchuser@example.test', BOB, '--view', '-v', ...via], 2);
    assert.match(r.stderr, /no user nosuchuser@example\.test/);
    assert.deepEqual(writes(r.stderr), [], 'no state-changing request was sent');
  }
  assert.deepEqual(await aceSet('alice', cal.url), aclBefore);
  assert.equal(await canRead('bob', cal.url, cal.eventUrl), false, 'bob, named with them, got nothing either');
});

test('an address in a foreign domain: exit 2 (Cyrus would give it to the local bob)', async (t) => {
  const cal = await fresh(t);
  const aclBefore = await aceSet('alice', cal.url);
  const r = await aliceOk(['share', cal.path, 'bob@elsewhere.org', '--edit', '-v'], 2);
  assert.match(r.stderr, /bob@elsewhere\.org/);
  assert.match(r.stderr, /bob@example\.test/, 'the hint names the address to use instead');
  assert.deepEqual(writes(r.stderr), []);
  assert.deepEqual(await aceSet('alice', cal.url), aclBefore);
  assert.equal(await canRead('bob', cal.url, cal.eventUrl), false);
});

test('--dry-run prints the exact request, without credentials, and changes nothing', async (t) => {
  const cal = await fresh(t);
  const aclBefore = await aceSet('alice', cal.url);

  const text = await aliceOk(['share', cal.path, BOB, '--view', '--dry-run', '-v']);
  assert.match(text.stdout, new RegExp(`^POST ${cal.url}$`, 'm'));
  assert.match(text.stdout, /^content-type: text\/xml; charset=utf-8$/m);
  assert.match(text.stdout, /<cs:set><d:href>mailto:bob@example\.test<\/d:href><cs:read\/><\/cs:set>/);
  assert.doesNotMatch(text.stdout + text.stderr, /authorization|basic /i);
  assert.ok(!(text.stdout + text.stderr).includes(USERS.alice), 'no password');
  assert.deepEqual(writes(text.stderr), [], 'nothing state-changing sent');

  const acl = await aliceOk(['share', cal.path, BOB, CAROL, '--edit', '--via', 'acl', '--dry-run', '-v']);
  assert.match(acl.stdout, new RegExp(`^ACL ${cal.url}$`, 'm'));
  assert.match(acl.stdout, /<d:href>\/dav\/principals\/user\/bob\/<\/d:href>/);
  assert.match(acl.stdout, /<d:href>\/dav\/principals\/user\/carol\/<\/d:href>/);
  assert.deepEqual(writes(acl.stderr), []);

  assert.deepEqual(await aceSet('alice', cal.url), aclBefore, 'the ACL is untouched');
  assert.equal(await canRead('bob', cal.url, cal.eventUrl), false);

  // "Exact": the printed request, sent as printed by the owner, does the share.
  const json = await aliceOk(['share', cal.path, BOB, '--view', '--dry-run', '--json']);
  const [req] = (JSON.parse(json.stdout) as { requests: { method: string; url: string; headers: Record<string, string>; body: string }[] }).requests;
  assert.ok(req);
  assert.deepEqual(Object.keys(req.headers).map((h) => h.toLowerCase()), ['content-type']);
  const sent = await dav('alice', req.method, req.url, req.body, req.headers);
  assert.ok(sent.status >= 200 && sent.status < 300, `${sent.status} ${sent.body}`);
  assert.ok(await canRead('bob', cal.url, cal.eventUrl), 'the printed request shares when sent');
});

test('--json: one stable object per sharee, before and after', async (t) => {
  const cal = await fresh(t);
  const results = async (args: string[]) =>
    (JSON.parse((await aliceOk([...args, '--json'])).stdout) as { mechanism: string; results: Record<string, unknown>[] });

  // Issue 18: share --json also says, per person, where they find the calendar (shareeStep).
  type Step = { step: string; command: string | null; url: string; text: string };
  const withoutStep = (rs: Record<string, unknown>[]) => rs.map(({ shareeStep: _, ...rest }) => rest);
  const steps = (rs: Record<string, unknown>[]) => rs.map((r) => r.shareeStep as Step | null);

  const first = await results(['share', cal.path, BOB, CAROL, '--view']);
  assert.equal(first.mechanism, 'cs');
  for (const r of first.results) assert.deepEqual(Object.keys(r), ['email', 'requested', 'result', 'before', 'after', 'invite', 'shareeStep']);
  assert.deepEqual(withoutStep(first.results), [
    { email: BOB, requested: 'view-only', result: 'shared', before: 'no access', after: 'view-only', invite: 'pending' },
    { email: CAROL, requested: 'view-only', result: 'shared', before: 'no access', after: 'view-only', invite: 'pending' },
  ]);
  // A pending Cyrus invitation: the sharee accepts first, then it is in their calendar list.
  for (const [i, step] of steps(first.results).entries()) {
    const who = [BOB, CAROL][i]!;
    assert.deepEqual(Object.keys(step ?? {}), ['step', 'command', 'url', 'text']);
    assert.equal(step!.step, 'accept-invitation', who);
    assert.match(step!.command ?? '', /^calshare accept \S/, who);
    assert.equal(step!.url, String(cal.url), who);
    assert.ok(step!.text.includes(who), `${who}: ${step!.text}`);
  }

  const second = await results(['share', cal.path, BOB, CAROL, '--edit', '--via', 'resource-sharing']);
  assert.deepEqual(second.results.map((r) => [r.email, r.result, r.before, r.after]), [
    [BOB, 'changed', 'view-only', 'edit'],
    [CAROL, 'changed', 'view-only', 'edit'],
  ]);

  assert.ok(steps(second.results).every((st) => st !== null && st.url === String(cal.url)), 'everyone with access has a step');

  const again = await results(['share', cal.path, BOB, '--edit']);
  assert.deepEqual(again.results.map((r) => [r.result, r.before, r.after]), [['unchanged', 'edit', 'edit']]);
  assert.ok(steps(again.results)[0] !== null, 'an unchanged share still says where bob finds it');

  const removed = await results(['unshare', cal.path, BOB, 'nobody-here@example.test', '--yes']);
  assert.deepEqual(removed.results.map((r) => [r.email, r.requested, r.result, r.after]), [
    [BOB, 'no access', 'removed', 'no access'],
    ['nobody-here@example.test', 'no access', 'not-shared', 'no access'],
  ]);
});

test('ACL writes keep the owner\'s, other people\'s and deny ACEs', async (t) => {
  const cal = await fresh(t);
  // Hand-made: the owner's own ACE (Cyrus protects none), free-busy for everyone, a grant to carol
  // and a deny for carol. Cyrus refuses group principals it does not know (recognized-principal).
  const handMade = [
    '<d:ace><d:principal><d:self/></d:principal><d:grant><d:privilege><d:all/></d:privilege></d:grant></d:ace>',
    '<d:ace><d:principal><d:all/></d:principal><d:grant><d:privilege><c:read-free-busy/></d:privilege></d:grant></d:ace>',
    '<d:ace><d:principal><d:href>/dav/principals/user/carol/</d:href></d:principal><d:grant><d:privilege><d:read/></d:privilege><d:privilege><d:write/></d:privilege></d:grant></d:ace>',
    '<d:ace><d:principal><d:href>/dav/principals/user/carol/</d:href></d:principal><d:deny><d:privilege><d:write-content/></d:privilege></d:deny></d:ace>',
  ].join('');
  const put = await dav('alice', 'ACL', cal.url, `<?xml version="1.0" encoding="utf-8"?><d:acl xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">${handMade}</d:acl>`);
  assert.equal(put.status, 200, put.body);
  const original = await aceSet('alice', cal.url);
  assert.equal(original.size, 4, [...original].join('\n'));
  const carolEffect = async () => [await canRead('carol', cal.url, cal.eventUrl), (await tryWrite('carol', cal.url)).create];
  assert.deepEqual(await carolEffect(), [true, 403], 'carol reads; her deny ACE stops her writes');

  const keeps = async (step: string) => {
    const now = await aceSet('alice', cal.url);
    for (const ace of original) assert.ok(now.has(ace), `${step}: lost ${ace}\nnow:\n${[...now].join('\n')}`);
    return [...now].filter((a) => !original.has(a));
  };
  await aliceOk(['share', cal.path, BOB, '--view', '--via', 'acl']);
  const added = await keeps('share --view');
  assert.equal(added.length, 1, `one new ACE: ${added}`);
  assert.match(added[0]!, /^\/dav\/principals\/user\/bob\/ grant\[\{DAV:\}read/);
  await aliceOk(['share', cal.path, BOB, '--edit', '--via', 'acl']);
  assert.match((await keeps('share --edit')).join(), /bob\/ grant\[.*\{DAV:\}write/);
  await aliceOk(['unshare', cal.path, BOB, '--yes', '--via', 'acl']);
  assert.deepEqual(await keeps('unshare'), [], 'back to exactly the hand-made ACL');

  assert.equal(await canRead('bob', cal.url, cal.eventUrl), false);
  assert.deepEqual(await carolEffect(), [true, 403], 'carol\'s grant and deny still in force');
  assert.ok(await canRead('alice', cal.url, cal.eventUrl), 'the owner reads');
  const w = await tryWrite('alice', cal.url);
  assert.deepEqual([w.create, w.change, w.remove], [201, 204, 204], 'the owner writes');
});

test('a share with 5 people is one write request, for each mechanism', async (t) => {
  const extra = ensureCyrusUsers(3).map((u) => `${u}@example.test`);
  const people = [BOB, CAROL, ...extra];
  for (const via of ['cs', 'resource-sharing', 'acl']) {
    const cal = await fresh(t);
    const r = await aliceOk(['share', cal.path, ...people, '--view', '--via', via, '-v', '--json']);
    // Writes to the calendar itself; an ACL share may add one to the home (src/sharing/home-spill.ts).
    const toCal = (stderr: string) => writes(stderr).filter((w) => w.url === cal.url);
    assert.equal(toCal(r.stderr).length, 1, `${via}: one write\n${r.stderr}`);
    const results = (JSON.parse(r.stdout) as { results: { email: string; result: string }[] }).results;
    assert.deepEqual(results.map((x) => x.result), people.map(() => 'shared'), via);
    assert.ok(await canRead('bob', cal.url, cal.eventUrl), `${via}: bob reads`);
    const u = await dav({ user: extra[2]!.split('@')[0]!, password: 'u-pw' }, 'GET', cal.eventUrl);
    assert.equal(u.status, 200, `${via}: ${extra[2]} reads`);
    const off = await aliceOk(['unshare', cal.path, '--all', '--yes', '--via', via, '-v']);
    assert.equal(toCal(off.stderr).length, 1, `${via}: revoking all five is one write too\n${off.stderr}`);
  }
});
