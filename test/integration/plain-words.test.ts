// Plain words and honest counts (issue 16 §5) against staging Cyrus: a grant the calendar home
// hands down is shown as "inherited from the calendar home" and counted apart; a free/busy-only
// grant is called that, not "other". Bob owns here: his home is touched by no other test file.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { as } from '../helpers/cli.js';
import { DEFAULT_ACL, canRead, dav, deleteCalendar, freshCalendar, ics } from '../helpers/dav.js';
import { CYRUS, ensureStaging } from '../helpers/staging.js';

const bob = as('bob', CYRUS.url);
const home = CYRUS.home('bob');
const created: string[] = [];
const withAce = (ace: string) => DEFAULT_ACL.replace('</d:acl>', `${ace}</d:acl>`);
const readFor = (who: string, priv = '<d:read/>') => `<d:ace><d:principal><d:href>${CYRUS.principal(who)}</d:href></d:principal><d:grant><d:privilege>${priv}</d:privilege></d:grant></d:ace>`;

before(() => ensureStaging('cyrus'));
after(async () => {
  await dav('bob', 'ACL', home, DEFAULT_ACL); // Cyrus answers 500 to an ACL on the home yet applies it
  for (const url of created) await deleteCalendar('bob', url);
});

test('a grant handed down by the calendar home is named so, counted apart, and real for the sharee', async () => {
  // As Cyrus's own spill did before calshare took it back: carol may read bob's whole home.
  await dav('bob', 'ACL', home, withAce(readFor('carol')));
  const name = `inherit-${randomUUID().slice(0, 8)}`;
  const url = `${home}${name}/`;
  const mk = await dav('bob', 'MKCALENDAR', url, `<?xml version="1.0" encoding="utf-8"?><c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><d:displayname>${name}</d:displayname></d:prop></d:set></c:mkcalendar>`);
  assert.equal(mk.status, 201);
  created.push(url);
  const put = await dav('bob', 'PUT', `${url}e.ics`, ics(`inherit-${name}`, `Secret plans ${name}`), { 'content-type': 'text/calendar; charset=utf-8' });
  assert.ok(put.status === 201 || put.status === 204);
  // Carol reads it (by content) though nobody shared this calendar: that is what the words must say.
  assert.equal(await canRead('carol', url, `${url}e.ics`), true);

  const json = await bob(['sharees', name, '--json']);
  assert.equal(json.code, 0, json.stderr);
  const row = (JSON.parse(json.stdout) as { calendars: { sharees: { email: string; origin: string; level: string }[] }[] }).calendars[0]!.sharees.find((s) => s.email === 'carol@example.test');
  assert.deepEqual([row?.origin, row?.level], ['home', 'view-only']);

  const text = await bob(['sharees', name]);
  assert.match(text.stdout, /carol@example\.test\s+view-only\s+inherited from the calendar home/);
  assert.match(text.stderr, /Everyone the calendar home is shared with can open every calendar in it/);

  const cals = JSON.parse((await bob(['calendars', '--json', 'name,sharedWith,fromHome'])).stdout) as { calendars: { name: string; sharedWith: number; fromHome: number }[] };
  const listed = cals.calendars.find((c) => c.name === name)!;
  assert.equal(listed.fromHome, 1);
  assert.ok(listed.sharedWith >= 1);
  const table = await bob(['calendars']);
  assert.match(table.stdout, new RegExp(`${name}\\s+mine\\s+you\\s+owner\\s+\\d+ \\+ 1 from home`));
});

test('a free/busy-only grant is called "free/busy only", never "other"', async () => {
  await dav('bob', 'ACL', home, DEFAULT_ACL);
  const cal = await freshCalendar('bob');
  created.push(cal.url);
  const acl = await dav('bob', 'ACL', cal.url, withAce(readFor('alice', '<c:read-free-busy/>')));
  assert.equal(acl.status, 200);
  await dav('bob', 'ACL', home, DEFAULT_ACL);
  assert.equal(await canRead('alice', cal.url, cal.eventUrl), false, 'alice cannot read the events');
  const text = await bob(['sharees', cal.name]);
  assert.equal(text.code, 0, text.stderr);
  assert.match(text.stdout, /alice@example\.test\s+free\/busy only\s+access list/);
  assert.doesNotMatch(text.stdout, /\bother\b/);
});
