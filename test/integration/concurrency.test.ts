// Two calshare processes changing the same ACL-only calendar at once. The ACL method replaces the
// whole ACL (RFC 3744 §8.1), so each process does read-modify-write and can overwrite the other's
// grants; the engine must notice on read-back and converge. Afterwards every grant asked for is
// there (proved by each sharee logging in and reading), every revoke took, and the owner still
// has full access (proved by writing). Rounds: CALSHARE_CONCURRENCY_ROUNDS (default 2) per scenario.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { calshare, type CliResult } from '../helpers/cli.js';
import { dav, ics } from '../helpers/dav.js';
import { CYRUS, ensureCyrusUsers, ensureStaging } from '../helpers/staging.js';
import { aclState, freshCalendarOf, levelIn, privilegeTree } from '../helpers/acl-state.js';

const ROUNDS = Number(process.env.CALSHARE_CONCURRENCY_ROUNDS ?? 2);
// The owner is a numbered user no other test shares calendars of (Cyrus also writes ACL grants onto
// the owner's calendar home; alice's stays out of it). The 50 sharees are u001..u050.
const OWNER = { user: 'u051', password: 'u-pw' };
let users: string[] = [];

const email = (u: string) => `${u}@${CYRUS.domain}`;
const owner = (args: string[]): Promise<CliResult> =>
  calshare([...args, '--via', 'acl', '--json', '--url', CYRUS.url, '--username', OWNER.user], { env: { CALSHARE_PASSWORD: OWNER.password }, timeoutMs: 120_000 });
const share = (path: string, who: string[]) => owner(['share', path, ...who.map(email), '--view']);
const unshare = (path: string, who: string[]) => owner(['unshare', path, ...who.map(email), '--yes']);

async function readsAs(u: string, eventUrl: string): Promise<boolean> {
  const r = await dav({ user: u, password: 'u-pw' }, 'GET', eventUrl);
  return r.status === 200 && r.body.includes('BEGIN:VEVENT');
}

const ok = (r: CliResult, what: string) => assert.equal(r.code, 0, `${what} exited ${r.code}\n${r.stderr}`);

/** The end state, read straight from Cyrus and proved by logging in as each person. */
async function assertEndState(cal: { url: string; eventUrl: string }, granted: string[], revoked: string[]): Promise<void> {
  const state = await aclState(OWNER, cal.url);
  const tree = await privilegeTree(OWNER, cal.url);
  const level = (u: string) => levelIn(state, tree, CYRUS.principal(u));
  assert.deepEqual(granted.filter((u) => level(u) !== 'read'), [], 'every grant is in the ACL at view-only');
  assert.deepEqual(revoked.filter((u) => level(u) !== 'none'), [], 'every revoke took');
  assert.equal(state.get('self'), 'grant:{DAV:}all|deny:', "the owner's own ACE is intact");
  const reads = await Promise.all([...granted, ...revoked].map((u) => readsAs(u, cal.eventUrl)));
  assert.deepEqual(granted.filter((_, i) => !reads[i]), [], 'every sharee can read the events');
  assert.deepEqual(revoked.filter((_, i) => reads[granted.length + i]), [], 'no revoked person can read');
  const uidOwn = `owner-${Date.now()}`;
  const own = `${cal.url}${uidOwn}.ics`;
  const mine = [
    (await dav(OWNER, 'PUT', own, ics(uidOwn, 'mine'), { 'content-type': 'text/calendar; charset=utf-8' })).status,
    (await dav(OWNER, 'PUT', own, ics(uidOwn, 'mine, changed'), { 'content-type': 'text/calendar; charset=utf-8' })).status,
    (await dav(OWNER, 'DELETE', own)).status,
  ];
  assert.deepEqual(mine, [201, 204, 204], 'the owner can still create, change and delete events');
  const uid = `view-only-${granted[0]}`;
  const theirs = await dav({ user: granted[0]!, password: 'u-pw' }, 'PUT', `${cal.url}${uid}.ics`, ics(uid, 'sneaky'), { 'content-type': 'text/calendar; charset=utf-8' });
  assert.equal(theirs.status, 403, 'a view-only sharee cannot write');
}

describe('two calshare processes on one ACL at the same time', () => {
  before(() => {
    ensureStaging('cyrus');
    users = ensureCyrusUsers(51).slice(0, 50);
  });

  for (let round = 1; round <= ROUNDS; round++) {
    it(`grant 25 + grant 25 others: all 50 present, owner intact (round ${round})`, async () => {
      const cal = await freshCalendarOf(OWNER);
      const path = new URL(cal.url).pathname;
      try {
        const [a, b] = await Promise.all([share(path, users.slice(0, 25)), share(path, users.slice(25))]);
        ok(a, 'first share');
        ok(b, 'second share');
        await assertEndState(cal, users, []);
      } finally {
        await dav(OWNER, 'DELETE', cal.url);
      }
    });

    it(`revoke 25 while granting 25 others: exactly the second 25 remain (round ${round})`, async () => {
      const cal = await freshCalendarOf(OWNER);
      const path = new URL(cal.url).pathname;
      try {
        ok(await share(path, users.slice(0, 25)), 'initial share');
        const [r, g] = await Promise.all([unshare(path, users.slice(0, 25)), share(path, users.slice(25))]);
        ok(r, 'unshare');
        ok(g, 'share');
        await assertEndState(cal, users.slice(25), users.slice(0, 25));
      } finally {
        await dav(OWNER, 'DELETE', cal.url);
      }
    });
  }
});
