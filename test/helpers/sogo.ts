// Staging SOGo 5.8 for the web and plan tests: a fresh calendar of alice's own with one event whose
// SUMMARY is unique, and proofs made as the sharee with his own credentials (every SOGo user's
// password is `<user>-pw`: staging/sogo.sh).
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { dav as rawDav, ics, type Raw } from './dav.js';
import { SOGO } from './staging.js';

export type SogoUser = (typeof SOGO.users)[number];
export const email = (who: SogoUser) => `${who}@${SOGO.domain}`;
export const pw = (who: SogoUser) => `${who}-pw`;
export const dav = (who: SogoUser, method: string, url: string, body?: string, headers: Record<string, string> = {}): Promise<Raw> =>
  rawDav({ user: who, password: pw(who) }, method, url, body, headers);

const ICAL = { 'content-type': 'text/calendar; charset=utf-8' };

export interface Cal {
  url: string;
  path: string;
  name: string;
  eventUrl: string;
  summary: string;
}

/** A calendar of `owner`'s with a random name and one event; the caller deletes it (`dav(owner, 'DELETE', cal.url)`). */
export async function freshCalendar(owner: SogoUser = 'alice'): Promise<Cal> {
  const name = `t-${randomUUID().slice(0, 8)}`;
  const url = `${SOGO.home(owner)}${name}/`;
  const mk = await dav(owner, 'MKCALENDAR', url,
    `<?xml version="1.0" encoding="utf-8"?><c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><d:displayname>${name}</d:displayname></d:prop></d:set></c:mkcalendar>`);
  assert.equal(mk.status, 201, `MKCALENDAR ${url} → ${mk.status} ${mk.body}`);
  const uid = `seed-${randomUUID()}`;
  const summary = `Plan of ${owner} ${name}`;
  const eventUrl = `${url}${uid}.ics`;
  const put = await dav(owner, 'PUT', eventUrl, ics(uid, summary), { ...ICAL, 'if-none-match': '*' });
  assert.equal(put.status, 201, `PUT seed → ${put.status} ${put.body}`);
  return { url, path: new URL(url).pathname, name, eventUrl, summary };
}

async function reads(who: SogoUser, cal: Cal): Promise<boolean> {
  const r = await dav(who, 'GET', cal.eventUrl);
  return r.status === 200 && r.body.includes(`SUMMARY:${cal.summary}`);
}

/** `who` reads the owner's event and sees its real SUMMARY. */
export async function provesRead(who: SogoUser, cal: Cal): Promise<void> {
  assert.ok(await reads(who, cal), `${who} reads "${cal.summary}"`);
}

/** `who`'s new event and his change of the owner's event are both refused; the event is unchanged. */
export async function provesWriteRefused(who: SogoUser, cal: Cal, owner: SogoUser = 'alice'): Promise<void> {
  const uid = randomUUID();
  const create = await dav(who, 'PUT', `${cal.url}${uid}.ics`, ics(uid, `By ${who}`), { ...ICAL, 'if-none-match': '*' });
  assert.equal(create.status, 403, `${who}'s new event on a view-only calendar is refused`);
  const change = await dav(who, 'PUT', cal.eventUrl, ics('x', 'Overwritten'), ICAL);
  assert.equal(change.status, 403, `${who}'s change of the owner's event is refused`);
  assert.ok(await reads(owner, cal), "the owner's event is unchanged");
}

/** `who` creates, changes and deletes an event, each seen by the owner. */
export async function provesEdit(who: SogoUser, cal: Cal, owner: SogoUser = 'alice'): Promise<void> {
  const uid = randomUUID();
  const url = `${cal.url}${uid}.ics`;
  const create = await dav(who, 'PUT', url, ics(uid, `Made by ${who}`), { ...ICAL, 'if-none-match': '*' });
  assert.equal(create.status, 201, `${who} creates → ${create.status}`);
  assert.match((await dav(owner, 'GET', url)).body, new RegExp(`SUMMARY:Made by ${who}`));
  const change = await dav(who, 'PUT', url, ics(uid, `Changed by ${who}`), ICAL);
  assert.ok([201, 204].includes(change.status), `${who} changes → ${change.status}`);
  assert.match((await dav(owner, 'GET', url)).body, new RegExp(`SUMMARY:Changed by ${who}`));
  const remove = await dav(who, 'DELETE', url);
  assert.ok([200, 204].includes(remove.status), `${who} deletes → ${remove.status}`);
  assert.equal((await dav(owner, 'GET', url)).status, 404, `the event ${who} deleted is gone for the owner too`);
}

/** SOGo answers 404 (not 403) to everything of a calendar someone has no role on (SOGO.md §6). */
export async function provesNoAccess(who: SogoUser, cal: Cal): Promise<void> {
  assert.equal(await reads(who, cal), false, `${who} no longer reads`);
  const uid = randomUUID();
  const create = await dav(who, 'PUT', `${cal.url}${uid}.ics`, ics(uid, `By ${who}`), { ...ICAL, 'if-none-match': '*' });
  assert.ok(create.status >= 400, `${who} can no longer write (got ${create.status})`);
}
