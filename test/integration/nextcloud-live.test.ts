// The whole sharing flow on a real Nextcloud, proven as the sharees with their own credentials.
// Skipped unless CALSHARE_NEXTCLOUD_URL names one (CI has none: there is no Debian or npm package of
// Nextcloud; test/integration/nextcloud-replay.test.ts replays recorded exchanges instead).
//
// The server needs users alice, bob and carol with passwords <user>-pw and addresses
// <user>@example.test, and a group (CALSHARE_NEXTCLOUD_GROUP, default "team") with carol in it and
// not alice. Each run makes its own calendar with a random name and deletes it at the end.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { calshare } from '../helpers/cli.js';
import { dav, ics } from '../helpers/dav.js';

const BASE = process.env.CALSHARE_NEXTCLOUD_URL;
const GROUP = process.env.CALSHARE_NEXTCLOUD_GROUP ?? 'team';
const skip = BASE ? false : 'CALSHARE_NEXTCLOUD_URL is not set';

const u = (name: 'alice' | 'bob' | 'carol') => ({ user: name, password: `${name}-pw` });
const root = () => new URL('/remote.php/dav/', BASE!).href;
const as = (args: string[]) => calshare([...args, '--url', BASE!, '--username', 'alice', '--json'], { env: { CALSHARE_PASSWORD: 'alice-pw' } });

const OWNER_PROPS =
  '<?xml version="1.0" encoding="utf-8"?><d:propfind xmlns:d="DAV:"><d:prop><d:resourcetype/><d:owner/></d:prop></d:propfind>';

/**
 * The sharee's own copy of alice's calendar: found in the sharee's home by its owner and by the
 * event it holds, not by a URL pattern (Nextcloud gives the sharee a new URL and name).
 */
async function shareeCopy(sharee: 'bob' | 'carol', summary: string): Promise<string | undefined> {
  const home = new URL(`calendars/${sharee}/`, root()).href;
  const res = await dav(u(sharee), 'PROPFIND', home, OWNER_PROPS, { depth: '1' });
  assert.equal(res.status, 207, res.body);
  const hrefs = [...res.body.matchAll(/<d:response><d:href>([^<]+)<\/d:href>(.*?)<\/d:response>/gs)]
    .filter(([, , props]) => /principals\/users\/alice\//.test(props!) && /calendar/.test(props!))
    .map(([, href]) => new URL(href!, BASE!).href);
  for (const cal of hrefs) {
    const got = await dav(u(sharee), 'GET', `${cal}seed.ics`);
    if (got.status === 200 && got.body.includes(`SUMMARY:${summary}`)) return cal;
  }
  return undefined;
}

test('Nextcloud live: view-only, edit, revoke, group, unknown address — each checked as the sharee', { skip }, async () => {
  const name = `t-${randomUUID().slice(0, 8)}`;
  const cal = new URL(`calendars/alice/${name}/`, root()).href;
  const summary = `Seed ${randomUUID()}`;
  const mk = await dav(u('alice'), 'MKCALENDAR', cal,
    `<?xml version="1.0" encoding="utf-8"?><c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><d:displayname>${name}</d:displayname></d:prop></d:set></c:mkcalendar>`);
  assert.equal(mk.status, 201, mk.body);
  try {
    const put = await dav(u('alice'), 'PUT', `${cal}seed.ics`, ics(`seed-${name}`, summary), { 'content-type': 'text/calendar; charset=utf-8' });
    assert.equal(put.status, 201);

    // view-only
    let r = await as(['share', cal, 'bob@example.test', '--view']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).mechanism, 'oc-share');
    const bobCal = await shareeCopy('bob', summary);
    assert.ok(bobCal, 'bob reads the event, with its real SUMMARY, in his own copy');
    const denied = await dav(u('bob'), 'PUT', `${bobCal}bob-${name}.ics`, ics(`bob-${name}`, 'by bob'), { 'content-type': 'text/calendar; charset=utf-8' });
    assert.ok([403, 404].includes(denied.status), `a view-only sharee cannot write (Nextcloud answers 404): ${denied.status}`);

    // edit
    r = await as(['share', cal, 'bob@example.test', '--edit']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).results[0].result, 'changed');
    const wrote = await dav(u('bob'), 'PUT', `${bobCal}bob-${name}.ics`, ics(`bob-${name}`, 'Written by bob'), { 'content-type': 'text/calendar; charset=utf-8' });
    assert.equal(wrote.status, 201, wrote.body);
    const seen = await dav(u('alice'), 'GET', `${cal}bob-${name}.ics`);
    assert.match(seen.body, /SUMMARY:Written by bob/, 'alice sees what bob wrote');

    // revoke
    r = await as(['unshare', cal, 'bob@example.test', '--yes']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal((await dav(u('bob'), 'GET', `${bobCal}seed.ics`)).status, 404, 'bob can no longer read');

    // group
    r = await as(['share', cal, '--group', GROUP, '--view']);
    assert.equal(r.code, 0, r.stderr);
    assert.deepEqual(JSON.parse(r.stdout).results.map((x: { group: string; result: string }) => [x.group, x.result]), [[GROUP, 'shared']]);
    assert.ok(await shareeCopy('carol', summary), `carol reads the event through group ${GROUP}`);
    r = await as(['sharees', cal]);
    assert.deepEqual(JSON.parse(r.stdout).calendars[0].sharees.map((s: { group?: string; level: string }) => [s.group, s.level]), [[GROUP, 'view-only']]);
    // Removing carol as a person cannot take the group's access: said so, nothing sent, she still reads.
    r = await as(['unshare', cal, 'carol@example.test', '--yes']);
    assert.equal(r.code, 0, r.stderr);
    const kept = JSON.parse(r.stdout);
    assert.deepEqual(kept.results.map((x: { result: string; after: string }) => [x.result, x.after]), [['through-group', 'view-only']]);
    assert.match(kept.warnings[0], new RegExp(`through group ${GROUP} \\(view-only\\).*--group ${GROUP} --yes`));
    assert.ok(await shareeCopy('carol', summary), 'carol still reads through the group');
    r = await as(['unshare', cal, '--group', GROUP, '--yes']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(await shareeCopy('carol', summary), undefined, 'carol lost the group share');

    // unknown address: refused, nothing written
    r = await as(['share', cal, 'nobody-' + randomUUID().slice(0, 6) + '@example.test', '--view']);
    assert.equal(r.code, 2, r.stderr);
    r = await as(['sharees', cal]);
    assert.deepEqual(JSON.parse(r.stdout).calendars[0].sharees, []);
  } finally {
    await dav(u('alice'), 'DELETE', cal);
  }
});
