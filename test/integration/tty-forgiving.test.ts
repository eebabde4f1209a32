// The forgiving prompt (issue 16 §2) in a real pseudo-terminal: every bad address is named at once
// with what is wrong; an address the server does not know is reported before anything is sent, and
// the question comes back with the good ones kept; nothing says "Done" before the result. Proven
// AS THE SHAREES by event content.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { after, before, test } from 'node:test';
import { dav, deleteCalendar, freshCalendar, ics } from '../helpers/dav.js';
import { CYRUS, USERS, ensureStaging } from '../helpers/staging.js';
import { Tty } from '../helpers/tty.js';

let t: Tty | undefined;
let cal: { url: string; name: string; eventUrl: string } | undefined;

before(() => ensureStaging('cyrus'));
after(async () => {
  await t?.kill();
  if (cal) await deleteCalendar('alice', cal.url);
});

test('bad and unknown addresses are all named at once; the prompt asks again keeping the good ones', { timeout: 300_000 }, async () => {
  cal = await freshCalendar('alice');
  const summary = `Forgiving prompt ${randomUUID().slice(0, 8)}`;
  const eventUrl = `${cal.url}forgiving.ics`;
  const put = await dav('alice', 'PUT', eventUrl, ics(`forgiving-${cal.name}`, summary), { 'content-type': 'text/calendar; charset=utf-8' });
  assert.ok(put.status === 201 || put.status === 204);
  const nobody = `nobody-${randomUUID().slice(0, 6)}@example.test`;

  t = await Tty.start(['share', cal.name, '--view', '--url', CYRUS.url, '--username', 'alice'], { CALSHARE_PASSWORD: USERS.alice });
  await t.waitFor('Share with whom?');
  // Two misspelt addresses: both named in one message, nothing asked of the server yet.
  const typo = 'bob@example.test, carol@example, x@';
  await t.type(typo);
  await t.keys('Enter');
  const spelling = await t.waitFor(/"x@" is not a usable/);
  assert.match(spelling, /"carol@example" is not a usable e-mail address: "example" is not a valid domain/);
  for (let i = 0; i < typo.length; i++) await t.keys('BSpace');
  // Spelt right, but one of them has no account on the server.
  await t.type(`bob@example.test, ${nobody}, carol@example.test`);
  await t.keys('Enter');
  const unknown = await t.waitFor('the good ones are kept');
  assert.match(unknown, new RegExp(`no user ${nobody} on this server`));
  assert.match(unknown, /nothing has been shared yet/);
  assert.doesNotMatch(unknown, /Done/);
  // The question comes back holding bob and carol; Enter keeps them.
  assert.match(unknown, /bob@example\.test, carol@example\.test,/);
  await t.keys('Enter');
  await t.waitFor('Same as:');
  await t.keys('Enter');
  assert.equal(await t.exitCode(), 0, await t.screen());
  const done = await t.screen();
  assert.match(done, /bob@example\.test\s+view-only\s+shared/);
  assert.match(done, /carol@example\.test\s+view-only\s+shared/);
  assert.doesNotMatch(done, new RegExp(nobody.replace('.', '\\.') + '\\s+view-only'));

  // As each sharee: the event's real SUMMARY is readable, and writing is refused.
  for (const who of ['bob', 'carol'] as const) {
    const r = await dav(who, 'GET', eventUrl);
    assert.equal(r.status, 200, `${who} reads the event`);
    assert.ok(r.body.includes(`SUMMARY:${summary}`), `${who} sees the real summary`);
    const w = await dav(who, 'PUT', `${cal.url}${who}-${randomUUID()}.ics`, ics(`w-${randomUUID()}`, 'not allowed'), { 'content-type': 'text/calendar; charset=utf-8' });
    assert.ok([401, 403, 404].includes(w.status), `${who} cannot write (view-only): ${w.status}`);
  }
});
