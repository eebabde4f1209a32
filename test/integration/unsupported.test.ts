// Servers that cannot share over CalDAV: calshare refuses with exit 6 and administrator guidance,
// sends no POST or ACL (Xandikos would store a POSTed share as a junk calendar object), and leaves
// the calendar byte-for-byte as it was.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { as } from '../helpers/cli.js';
import { dav } from '../helpers/dav.js';
import { RADICALE, XANDIKOS, ensureStaging } from '../helpers/staging.js';
import { radicaleRights } from '../../src/servers/advice.js';
import { writes } from './sharing-lib.js';

/** Everything the owner can see of the calendar and its members (Depth-1 allprop PROPFIND, raw). */
async function snapshot(calUrl: string): Promise<{ body: string; hrefs: string[] }> {
  const r = await dav('alice', 'PROPFIND', calUrl, '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:allprop/></d:propfind>', { depth: '1' });
  assert.equal(r.status, 207, r.body);
  const hrefs = [...r.body.matchAll(/<(?:\w+:)?href>([^<]+)<\/(?:\w+:)?href>/g)].map((m) => m[1]!).sort();
  return { body: r.body, hrefs };
}

const ATTEMPTS = [
  ['share', '--view'],
  ['share', '--edit'],
  ['share', '--view', '--via', 'cs'],
  ['share', '--edit', '--via', 'resource-sharing'],
  ['share', '--view', '--via', 'acl'],
] as const;

function refuses(server: 'radicale' | 'xandikos', calUrl: string, calRef: string, hint: (args: readonly string[]) => RegExp | string) {
  test(`${server}: every share attempt is refused with exit 6 and leaves the calendar unchanged`, async () => {
    ensureStaging(server);
    const cli = as('alice', server === 'radicale' ? RADICALE.url : XANDIKOS.url);
    const before = await snapshot(calUrl);
    assert.deepEqual(await snapshot(calUrl), before, 'two reads in a row agree (the comparison can be trusted)');
    for (const args of ATTEMPTS) {
      const [cmd, ...flags] = args;
      const r = await cli([cmd, calRef, 'bob@example.test', ...flags, '-v']);
      const what = `${args.join(' ')}: exit ${r.code}\n${r.stderr}`;
      assert.equal(r.code, 6, what);
      const expected = hint(args);
      if (typeof expected === 'string') assert.ok(r.stderr.includes(expected), `${what}\nwanted the hint:\n${expected}`);
      else assert.match(r.stderr, expected, what);
      assert.deepEqual(writes(r.stderr), [], `${what}\nno POST or ACL was sent`);
    }
    const un = await cli(['unshare', calRef, 'bob@example.test', '--yes', '-v']);
    assert.equal(un.code, 6, un.stderr);
    assert.deepEqual(writes(un.stderr), []);
    const after = await snapshot(calUrl);
    assert.deepEqual(after.hrefs, before.hrefs, 'no new resource in the collection');
    assert.equal(after.body, before.body, 'the Depth-1 PROPFIND is byte-for-byte the same');
  });
}

describe('servers without sharing over CalDAV', () => {
  refuses('radicale', RADICALE.calendar, "Alice's calendar", (args) =>
    args.includes('--via')
      // A forced mechanism is refused as unavailable; the hint still carries the rights-file advice.
      ? /not available[\s\S]*rights file/
      : radicaleRights('alice', new URL(RADICALE.calendar).pathname, 'bob', args.includes('--edit') ? 'edit' : 'read'));
  refuses('xandikos', XANDIKOS.calendar, 'calendar', () => /administrator/i);
});
