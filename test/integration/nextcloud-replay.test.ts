// calshare against Nextcloud, replayed: every exchange here was recorded from a real Nextcloud
// 31.0.2 (test/fixtures/nextcloud/cli-*.json, one CLI run each, as alice) and is served back by a
// loopback server (test/helpers/replay.ts). CI cannot run Nextcloud (no Debian or npm package), so
// this is the project's one recorded-exchange replay. What the sharee then could and could not do
// was recorded in verify-*.json and is proven live by nextcloud-live.test.ts.
//
// The CLI runs with --json added where the recording ran without it: the requests do not depend on
// the output format, and JSON is what these assertions read.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calshare } from '../helpers/cli.js';
import { loadFixture, replay, type Replay } from '../helpers/replay.js';

async function runFixture(name: string, opts: { json?: boolean } = {}) {
  const fx = loadFixture(name);
  const r = await replay(fx.exchanges);
  try {
    const args = [...fx.command!.args, ...(opts.json && !fx.command!.args.includes('--json') ? ['--json'] : [])];
    const out = await calshare([...args, '--url', r.url, '--username', 'alice'], { env: { CALSHARE_PASSWORD: 'alice-pw' } });
    return { fx, r, out };
  } finally {
    await r.close();
  }
}

const posts = (r: Replay) => r.received.filter((x) => x.method === 'POST');
const noMisses = (r: Replay) => assert.deepEqual(r.misses, [], 'every request calshare sent was one the real server answered');

test('capabilities: Nextcloud sharing is available and the default; CS and ACL are ruled out with the reason', async () => {
  const { r, out } = await runFixture('cli-capabilities');
  noMisses(r);
  assert.equal(out.code, 0, out.stderr);
  const cal = JSON.parse(out.stdout).calendars[0];
  assert.equal(cal.preferred, 'oc-share');
  const by = Object.fromEntries(cal.mechanisms.map((m: { id: string }) => [m.id, m]));
  assert.equal(by['oc-share'].available, true);
  assert.ok(by['oc-share'].evidence.some((e: string) => /oc:invite: 200/.test(e)));
  assert.ok(by['oc-share'].evidence.some((e: string) => /Allow lacks POST \(not held against it/.test(e)), 'a missing POST in Allow is not a no');
  assert.equal(by.cs.available, false);
  assert.ok(by.cs.evidence.some((e: string) => /501/.test(e)), 'says why CS is not used');
  assert.equal(by['resource-sharing'].available, false);
  assert.ok(by['resource-sharing'].evidence.some((e: string) => /does not advertise "resource-sharing"/.test(e)));
  assert.equal(by.acl.available, false);
  assert.equal(posts(r).length, 0);
});

test('calendars: no calendar shows the owner\'s own calendar-proxy principals as sharees', async () => {
  const { r, out } = await runFixture('cli-calendars', { json: true });
  noMisses(r);
  assert.equal(out.code, 0, out.stderr);
  const text = out.stdout;
  assert.ok(!/calendar-proxy/.test(text), text);
});

test('share --view: one oc:share POST with a principal: href, verified from oc:invite', async () => {
  const { r, out } = await runFixture('cli-share-view', { json: true });
  noMisses(r);
  assert.equal(out.code, 0, out.stderr);
  assert.deepEqual(r.unusedWrites(), []);
  const [post] = posts(r);
  assert.match(post!.headers['content-type'] ?? '', /^application\/xml/);
  assert.match(post!.body, /<oc:set><d:href>principal:principals\/users\/bob<\/d:href><\/oc:set>/);
  const res = JSON.parse(out.stdout);
  assert.equal(res.mechanism, 'oc-share');
  assert.deepEqual(res.results.map((x: { email: string; result: string; after: string }) => [x.email, x.result, x.after]), [['bob@example.test', 'shared', 'view-only']]);
  // The address was looked up by principal-property-search on s:email-address, not by a URL guess.
  const search = r.received.find((x) => x.method === 'REPORT');
  assert.match(search!.body, /<d:match>bob@example.test<\/d:match>/);
  assert.match(search!.body, /email-address/);
});

test('share --edit: the level change is one oc:set with oc:read-write, verified', async () => {
  const { r, out } = await runFixture('cli-share-edit');
  noMisses(r);
  assert.equal(out.code, 0, out.stderr);
  assert.match(posts(r)[0]!.body, /principal:principals\/users\/bob<\/d:href><oc:read-write\/>/);
  const res = JSON.parse(out.stdout).results[0];
  assert.deepEqual([res.result, res.before, res.after], ['changed', 'view-only', 'edit']);
});

test('share --group: group principals named as Nextcloud spells them ("Team A" → Team+A), each proven to exist first', async () => {
  const { r, out } = await runFixture('cli-share-group', { json: true });
  noMisses(r);
  assert.equal(out.code, 0, out.stderr);
  const lookups = r.received.filter((x) => x.path.startsWith('/remote.php/dav/principals/groups/')).map((x) => x.path);
  assert.deepEqual(lookups, ['/remote.php/dav/principals/groups/team/', '/remote.php/dav/principals/groups/Team+A/']);
  assert.match(posts(r)[0]!.body, /principal:principals\/groups\/team<.*principal:principals\/groups\/Team\+A</);
  const rows = JSON.parse(out.stdout).results.map((x: { group: string; email: string | null; result: string }) => [x.group, x.email, x.result]);
  assert.deepEqual(rows, [['team', null, 'shared'], ['Team A', null, 'shared']]);
});

test('sharees: groups listed as groups with their level, people by address', async () => {
  const { r, out } = await runFixture('cli-sharees-json');
  noMisses(r);
  assert.equal(out.code, 0, out.stderr);
  const s = JSON.parse(out.stdout).calendars[0].sharees;
  const brief = s.map((x: { group?: string; email: string | null; level: string; sources: string[] }) => [x.group ?? null, x.email, x.level, x.sources]);
  assert.deepEqual(brief, [
    ['team', null, 'view-only', ['oc-share']],
    ['Team A', null, 'view-only', ['oc-share']],
    [null, 'bob@example.test', 'edit', ['oc-share']],
  ]);
  const text = await runFixture('cli-sharees');
  assert.equal(text.out.code, 0);
  assert.match(text.out.stdout, /group Team A\s+view-only/);
});

test('an unknown address is refused before any write, even beside a known one (Nextcloud would answer 200 and share nothing)', async () => {
  const { r, out } = await runFixture('cli-share-unknown');
  noMisses(r);
  assert.equal(out.code, 2, out.stderr);
  assert.match(out.stderr, /no user nobody@example\.test/);
  assert.equal(posts(r).length, 0);
});

test('an unknown group is refused before any write', async () => {
  const { r, out } = await runFixture('cli-share-unknown-group');
  noMisses(r);
  assert.equal(out.code, 2, out.stderr);
  assert.match(out.stderr, /no group "No Such Group"/);
  assert.equal(posts(r).length, 0);
});

test('--via cs and --via acl are refused before any POST, naming oc-share', async () => {
  for (const name of ['cli-via-cs', 'cli-via-acl']) {
    const { r, out } = await runFixture(name);
    noMisses(r);
    assert.equal(out.code, 6, `${name}: ${out.stderr}`);
    assert.match(out.stderr, /--via oc-share/);
    // The calendar does share (through oc:share): no "this server cannot share a single calendar" advice.
    assert.doesNotMatch(out.stderr, /delegate|cannot share a single calendar/);
    assert.equal(r.received.filter((x) => x.method === 'POST' || x.method === 'ACL').length, 0);
  }
});

test('--dry-run: the exact oc:share body is printed and nothing is sent', async () => {
  const { r, out } = await runFixture('cli-share-dry');
  noMisses(r);
  assert.equal(out.code, 0, out.stderr);
  const res = JSON.parse(out.stdout);
  assert.equal(res.dryRun, true);
  assert.equal(res.requests.length, 1);
  assert.match(res.requests[0].body, /<oc:set><d:href>principal:principals\/users\/carol<\/d:href><oc:read-write\/><\/oc:set>/);
  assert.equal(posts(r).length, 0);
  const un = await runFixture('cli-unshare-dry');
  assert.equal(un.out.code, 0);
  // The group's removal goes first, in a POST of its own (a person removed while a group share stays gets a hidden exclusion).
  assert.match(un.out.stdout, /<oc:share[^>]*><oc:remove><d:href>principal:principals\/groups\/team<\/d:href><\/oc:remove><\/oc:share>[\s\S]*<oc:share[^>]*><oc:remove><d:href>principal:principals\/users\/bob<\/d:href><\/oc:remove><\/oc:share>/);
  assert.equal(posts(un.r).length, 0);
});

test('unshare of a person whose only access is through a group: nothing sent, the group and its level named, and the next step', async () => {
  const { r, out } = await runFixture('cli-unshare-through-group');
  noMisses(r);
  assert.equal(out.code, 0, out.stderr);
  assert.equal(posts(r).length, 0, 'no oc:remove: on Nextcloud it would hide the group share from carol in a record no listing shows');
  // Her groups were read from her principal (DAV:group-membership, RFC 3744 §4.4).
  const membership = r.received.find((x) => x.method === 'PROPFIND' && x.path === '/remote.php/dav/principals/users/carol/');
  assert.match(membership!.body, /group-membership/);
  const res = JSON.parse(out.stdout);
  assert.deepEqual(res.results.map((x: { email: string; result: string; after: string }) => [x.email, x.result, x.after]), [['carol@example.test', 'through-group', 'view-only']]);
  assert.match(res.warnings[0], /carol@example\.test still has access through group team \(view-only\)/);
  assert.match(res.warnings[0], /calshare unshare Fixture --group team --yes/);
  assert.match(res.warnings[0], /group's administrator/);
});

test('unshare people and groups: the groups in one POST, then the person (no hidden exclusion left), verified gone from oc:invite', async () => {
  const { r, out } = await runFixture('cli-unshare');
  noMisses(r);
  assert.equal(out.code, 0, out.stderr);
  const [groups, people] = posts(r);
  assert.equal(posts(r).length, 2);
  assert.match(groups!.body, /groups\/team<.*groups\/Team\+A</);
  assert.doesNotMatch(groups!.body, /users\//);
  assert.match(people!.body, /<oc:remove><d:href>principal:principals\/users\/bob<\/d:href><\/oc:remove>/);
  const rows = JSON.parse(out.stdout).results.map((x: { group?: string; email: string | null; result: string; after: string }) => [x.group ?? x.email, x.result, x.after]);
  assert.deepEqual(rows, [['bob@example.test', 'removed', 'no access'], ['team', 'removed', 'no access'], ['Team A', 'removed', 'no access']]);
});

// The rule for any server whose fingerprint is not known: an advertised mechanism whose write answers
// 501 or 405 ends in a clear error with nothing changed, and --via another still works. Recorded on
// Nextcloud with the Nextcloud quirk that rules CS out removed from calshare (so CS:share was really
// sent and really answered 501); replayed here in-process with the same quirk removed.
test('an advertised mechanism whose write answers 501: clear error, nothing changed; --via oc-share then shares', async () => {
  const { QUIRKS } = await import('../../src/servers/quirks.js');
  const { Session } = await import('../../src/session.js');
  const { share } = await import('../../src/sharing/engine.js');
  const { UnsupportedError } = await import('../../src/errors.js');
  const { basicCredentials } = await import('../../src/credentials/basic.js');
  const saved = QUIRKS.nextcloud;
  (QUIRKS as Record<string, unknown>).nextcloud = saved.filter((q) => !(q.kind === 'broken' && q.mechanism === 'cs'));
  try {
    for (const [name, via] of [['cli-advertised-501', undefined], ['cli-advertised-501-via', 'oc-share']] as const) {
      const r = await replay(loadFixture(name).exchanges);
      try {
        const s = await Session.open({ url: r.url, credentials: basicCredentials('alice', async () => 'alice-pw') });
        const cal = await s.resolveCalendar('Fixture');
        const run = share(s, cal, ['carol@example.test'], 'read', via ? { via } : {});
        if (!via) {
          await assert.rejects(run, (e: unknown) => {
            assert.ok(e instanceof UnsupportedError, String(e));
            assert.match(e.message, /advertises CalendarServer sharing but answered 501 Not Implemented.*nothing was changed/);
            assert.match(e.hint ?? '', /--via oc-share/);
            return true;
          });
          const sent = posts(r);
          assert.equal(sent.length, 1, 'one CS:share, no retry');
          assert.match(sent[0]!.body, /<cs:share/);
        } else {
          const outcome = await run;
          assert.deepEqual(outcome.results.map((x) => [x.email, x.result]), [['carol@example.test', 'shared']]);
        }
        noMisses(r);
      } finally {
        await r.close();
      }
    }
  } finally {
    (QUIRKS as Record<string, unknown>).nextcloud = saved;
  }
});

test('the replay itself refuses what the real server never saw: another body, another path, another user', async () => {
  const fx = loadFixture('cli-share-view');
  const r = await replay(fx.exchanges);
  try {
    const post = fx.exchanges.find((e) => e.request.method === 'POST')!;
    const auth = (u: string) => `Basic ${Buffer.from(`${u}:${u}-pw`).toString('base64')}`;
    const send = (method: string, path: string, body: string, user = 'alice') =>
      fetch(new URL(path, r.url), { method, body, headers: { authorization: auth(user), 'content-type': 'application/xml; charset=utf-8' } });
    // The recorded share, but to carol: not what was recorded.
    assert.equal((await send('POST', post.request.path, post.request.body.replace('users/bob', 'users/carol'))).status, 500);
    assert.equal((await send('PROPFIND', '/remote.php/dav/calendars/alice/never-recorded/', '')).status, 500);
    // The recorded share as someone else.
    assert.equal((await send('POST', post.request.path, post.request.body, 'bob')).status, 401);
    assert.equal(r.misses.length, 3, r.misses.join('\n'));
    // The recorded share itself is answered as recorded, once.
    assert.equal((await send('POST', post.request.path, post.request.body)).status, post.response.status);
    assert.equal((await send('POST', post.request.path, post.request.body)).status, 500, 'a write is never answered twice');
  } finally {
    await r.close();
  }
});

test('the replay answers a read from the state after as many writes as were replayed, however often it was read before', async () => {
  // Recorded: the state read twice, a write, the state read once. Replayed: read once (the web UI
  // shares one listing among overlapping page requests), the write, then read twice.
  const ex = (method: string, body: string) => ({
    as: 'alice',
    request: { method, path: '/c/', headers: method === 'POST' ? {} : { depth: '0' }, body: method === 'POST' ? '<x:share xmlns:x="urn:t"/>' : '' },
    response: { status: method === 'POST' ? 200 : 207, headers: {}, body },
  });
  const r = await replay([ex('PROPFIND', 'before'), ex('PROPFIND', 'before'), ex('POST', ''), ex('PROPFIND', 'after')]);
  try {
    const send = async (method: string, body = '') => {
      const res = await fetch(new URL('/c/', r.url), {
        method,
        body: body || undefined,
        headers: { authorization: `Basic ${Buffer.from('alice:alice-pw').toString('base64')}`, ...(method === 'POST' ? {} : { depth: '0' }) },
      });
      return res.text();
    };
    assert.equal(await send('PROPFIND'), 'before');
    await send('POST', '<x:share xmlns:x="urn:t"/>');
    assert.equal(await send('PROPFIND'), 'after', 'not the second "before", which only the count of reads would give');
    assert.equal(await send('PROPFIND'), 'after');
    assert.deepEqual(r.misses, []);
  } finally {
    await r.close();
  }
});
