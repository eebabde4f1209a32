// A share made with one mechanism is listed by `sharees` and revoked by `unshare` forced through
// another: on Cyrus all three write the same underlying ACL, and calshare reads all three records.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { canRead, deleteCalendar, freshCalendar } from '../helpers/dav.js';
import { ensureStaging } from '../helpers/staging.js';
import { aliceOk, pathOf, sharees } from './sharing-lib.js';

const BOB = 'bob@example.test';
const PAIRS = [
  ['acl', 'cs'],
  ['cs', 'acl'],
  ['resource-sharing', 'acl'],
  ['acl', 'resource-sharing'],
  ['cs', 'resource-sharing'],
  ['resource-sharing', 'cs'],
] as const;

for (const [made, undone] of PAIRS) {
  for (const level of ['--view', '--edit'] as const) {
    test(`shared ${level} via ${made}, listed, revoked via ${undone}`, async (t) => {
      ensureStaging('cyrus');
      const cal = await freshCalendar('alice');
      t.after(() => deleteCalendar('alice', cal.url));
      const path = pathOf(cal.url);

      await aliceOk(['share', path, BOB, level, '--via', made]);
      assert.ok(await canRead('bob', cal.url, cal.eventUrl), 'bob reads after the share');
      const row = (await sharees(path)).get(BOB);
      assert.ok(row, 'sharees lists bob');
      assert.equal(row.level, level === '--view' ? 'view-only' : 'edit');
      assert.ok(row.sources.includes(made), `sources ${row.sources} include ${made}`);

      const r = await aliceOk(['unshare', path, BOB, '--yes', '--via', undone, '--json']);
      const [result] = (JSON.parse(r.stdout) as { results: { email: string; result: string; after: string }[] }).results;
      assert.deepEqual(result, { ...result, email: BOB, result: 'removed', after: 'no access' });
      assert.equal(await canRead('bob', cal.url, cal.eventUrl), false, 'bob refused after the revoke');
      assert.equal((await sharees(path)).has(BOB), false, 'bob no longer listed');
    });
  }
}
