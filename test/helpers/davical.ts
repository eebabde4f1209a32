// Staging DAViCal as the sharee sees it: a plain DAV client that logs in as any of its users, and
// proofs by event content. DAViCal gives every signed-in user a "Busy" copy of any event
// (shared/staging/DAVICAL.md §5.1), so "can read" means the real SUMMARY, never a status alone.
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { DAVICAL } from './staging.js';

export type Who = (typeof DAVICAL.users)[number];
export const pw = (u: Who) => `${u}-pw`;
/** henry's address is not his user name (staging/davical.sh EMAIL_OF). */
export const email = (u: Who) => (u === 'henry' ? 'hal@example.test' : `${u}@example.test`);
const CALENDAR = { 'content-type': 'text/calendar; charset=utf-8' };

export interface Raw {
  status: number;
  body: string;
}

/** One request as `who`, with a User-Agent (DAViCal logs a PHP warning without one). */
export async function dav(who: Who, method: string, url: string, body?: string, headers: Record<string, string> = {}): Promise<Raw> {
  const res = await request(url, {
    method: method as 'GET',
    headers: {
      authorization: `Basic ${Buffer.from(`${who}:${pw(who)}`).toString('base64')}`,
      'user-agent': 'calshare-tests',
      ...(body && !headers['content-type'] ? { 'content-type': 'application/xml; charset=utf-8' } : {}),
      ...headers,
    },
    body: body ?? null,
  });
  return { status: res.statusCode, body: await res.body.text() };
}

export const ics = (uid: string, summary: string) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//calshare tests//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20260101T000000Z',
    'DTSTART:20261201T100000Z', 'DTEND:20261201T110000Z', `SUMMARY:${summary}`, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');

export interface Cal {
  url: string;
  path: string;
  eventUrl: string;
  summary: string;
}

/** A calendar of alice's own for one test, with one event whose SUMMARY nobody else could guess. */
export async function freshCalendar(): Promise<Cal> {
  const name = `t-${randomUUID().slice(0, 8)}`;
  const url = `${DAVICAL.home('alice')}${name}/`;
  const mk = await dav('alice', 'MKCALENDAR', url,
    `<?xml version="1.0" encoding="utf-8"?><c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><d:displayname>${name}</d:displayname></d:prop></d:set></c:mkcalendar>`);
  assert.equal(mk.status, 201, `MKCALENDAR ${url}: ${mk.body}`);
  const summary = `Seed ${randomUUID()}`;
  const eventUrl = `${url}seed.ics`;
  const put = await dav('alice', 'PUT', eventUrl, ics(`seed-${name}`, summary), CALENDAR);
  assert.ok([201, 204].includes(put.status), `PUT seed → ${put.status}`);
  return { url, path: new URL(url).pathname, eventUrl, summary };
}

export const summaryOf = (body: string) => /^SUMMARY:(.*)$/m.exec(body)?.[1]?.trim();

/** Bob reads the real event (not DAViCal's free/busy "Busy" copy). */
export async function provesRead(who: Who, cal: Cal): Promise<void> {
  const r = await dav(who, 'GET', cal.eventUrl);
  assert.equal(r.status, 200, `${who} GET the event → ${r.status}`);
  assert.equal(summaryOf(r.body), cal.summary, `${who} reads the real SUMMARY (DAViCal shows "Busy" without read)`);
}

export async function provesWriteRefused(who: Who, cal: Cal): Promise<void> {
  const uid = randomUUID();
  const r = await dav(who, 'PUT', `${cal.url}${uid}.ics`, ics(uid, `By ${who}`), { ...CALENDAR, 'if-none-match': '*' });
  assert.equal(r.status, 403, `${who}'s write is refused (got ${r.status})`);
}

/** The sharee creates, changes and deletes an event; the owner sees each step. */
export async function provesEdit(who: Who, cal: Cal): Promise<void> {
  const uid = randomUUID();
  const url = `${cal.url}${uid}.ics`;
  const create = await dav(who, 'PUT', url, ics(uid, `Made by ${who} ${uid}`), { ...CALENDAR, 'if-none-match': '*' });
  assert.equal(create.status, 201, `${who} create → ${create.status} ${create.body}`);
  assert.equal(summaryOf((await dav('alice', 'GET', url)).body), `Made by ${who} ${uid}`);
  const change = await dav(who, 'PUT', url, ics(uid, `Changed by ${who} ${uid}`), CALENDAR);
  assert.ok([201, 204].includes(change.status), `${who} change → ${change.status}`);
  assert.equal(summaryOf((await dav('alice', 'GET', url)).body), `Changed by ${who} ${uid}`);
  const remove = await dav(who, 'DELETE', url);
  assert.ok([200, 204].includes(remove.status), `${who} delete → ${remove.status}`);
  assert.equal((await dav('alice', 'GET', url)).status, 404, `the event ${who} deleted is gone for alice too`);
}

/** Revoked on DAViCal: 403 for everything, even the free/busy copy (DAVICAL.md §5.3). */
export async function provesNoAccess(who: Who, cal: Cal): Promise<void> {
  const r = await dav(who, 'GET', cal.eventUrl);
  assert.notEqual(summaryOf(r.body), cal.summary, `${who} no longer reads the real event`);
  assert.ok(r.status === 403 || summaryOf(r.body) === 'Busy', `${who} GET → ${r.status} ${summaryOf(r.body)}`);
  await provesWriteRefused(who, cal);
}

export async function provesOwner(cal: Cal): Promise<void> {
  await provesRead('alice', cal);
  const uid = randomUUID();
  const url = `${cal.url}${uid}.ics`;
  assert.equal((await dav('alice', 'PUT', url, ics(uid, 'Owner'), { ...CALENDAR, 'if-none-match': '*' })).status, 201, 'the owner still writes');
  assert.ok([200, 204].includes((await dav('alice', 'DELETE', url)).status), 'the owner still deletes');
}

