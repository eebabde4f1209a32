// A deliberately plain DAV client for tests: it acts as a given user (owner or sharee) and
// reports raw statuses, so tests prove effects on the server independently of calshare's code.
import { randomUUID } from 'node:crypto';
import { request } from 'undici';
import { CYRUS, PASSWORDS, type User } from './staging.js';

export interface Raw {
  status: number;
  body: string;
  headers: Record<string, string | string[] | undefined>;
}

/** One request as `user`, following same-origin redirects (Cyrus sends sharees to their own URL). */
export async function dav(user: User | { user: string; password: string }, method: string, url: string, body?: string, headers: Record<string, string> = {}): Promise<Raw> {
  const [name, pw] = typeof user === 'string' ? [user, PASSWORDS[user]] : [user.user, user.password];
  let target = new URL(url);
  for (let hop = 0; hop < 5; hop++) {
    const send = () =>
      request(target, {
        method: method as 'GET',
        headers: { authorization: `Basic ${Buffer.from(`${name}:${pw}`).toString('base64')}`, ...(body ? { 'content-type': 'application/xml; charset=utf-8' } : {}), ...headers },
        body: body ?? null,
      });
    // SOGo ends connections after its answer without always saying so; a request that takes such a
    // pooled socket finds it closed before the server read a byte of it, so it is sent once more.
    const res = await send().catch((e: { code?: string }) => {
      if (e?.code === 'UND_ERR_SOCKET' || e?.code === 'ECONNRESET') return send();
      throw e;
    });
    const text = await res.body.text();
    const loc = res.headers.location;
    if ([301, 302, 307, 308].includes(res.statusCode) && typeof loc === 'string') {
      const next = new URL(loc, target);
      if (next.origin !== target.origin) throw new Error(`cross-origin redirect to ${next}`);
      target = next;
      continue;
    }
    return { status: res.statusCode, body: text, headers: res.headers };
  }
  throw new Error('redirect loop');
}

export const ics = (uid: string, summary: string) =>
  ['BEGIN:VCALENDAR', 'VERSION:2.0', 'PRODID:-//calshare tests//EN', 'BEGIN:VEVENT', `UID:${uid}`, 'DTSTAMP:20260101T000000Z',
    'DTSTART:20261201T100000Z', 'DTEND:20261201T110000Z', `SUMMARY:${summary}`, 'END:VEVENT', 'END:VCALENDAR', ''].join('\r\n');

export const DEFAULT_ACL = '<?xml version="1.0" encoding="utf-8"?><d:acl xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav">'
  + '<d:ace><d:principal><d:self/></d:principal><d:grant><d:privilege><d:all/></d:privilege></d:grant></d:ace>'
  + '<d:ace><d:principal><d:all/></d:principal><d:grant><d:privilege><c:read-free-busy/></d:privilege></d:grant></d:ace></d:acl>';

/** Creates a fresh calendar owned by `owner` on Cyrus, with one event in it; isolates each test. */
export async function freshCalendar(owner: User = 'alice', name = `t-${randomUUID().slice(0, 8)}`): Promise<{ url: string; name: string; eventUrl: string }> {
  const url = `${CYRUS.home(owner)}${name}/`;
  const mk = await dav(owner, 'MKCALENDAR', url,
    `<?xml version="1.0" encoding="utf-8"?><c:mkcalendar xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><d:set><d:prop><d:displayname>${name}</d:displayname></d:prop></d:set></c:mkcalendar>`);
  if (mk.status !== 201) throw new Error(`MKCALENDAR ${url} → ${mk.status} ${mk.body}`);
  // Cyrus copies the home's ACL into a new calendar, and the home holds a read grant for anyone an
  // ACL grants read on any sibling calendar (another test's share): start from Cyrus's own default.
  const acl = await dav(owner, 'ACL', url, DEFAULT_ACL);
  if (acl.status !== 200) throw new Error(`ACL ${url} → ${acl.status} ${acl.body}`);
  // That ACL write made Cyrus grant the home to everyone in any sibling's ACL (the spill calshare
  // takes back after its own writes): take it back here too, or it would leak into later tests.
  // Cyrus answers 500 to an ACL on the home yet applies it.
  await dav(owner, 'ACL', CYRUS.home(owner), DEFAULT_ACL);
  const eventUrl = `${url}seed.ics`;
  // Cyrus refuses a UID already used in another of the owner's calendars (unique-scheduling-object-resource).
  const put = await dav(owner, 'PUT', eventUrl, ics(`seed-${name}`, 'Seed event'), { 'content-type': 'text/calendar; charset=utf-8' });
  if (put.status !== 201 && put.status !== 204) throw new Error(`PUT seed → ${put.status}`);
  return { url, name, eventUrl };
}

export async function deleteCalendar(owner: User, url: string): Promise<void> {
  await dav(owner, 'DELETE', url);
}

/** What `who` can do on a calendar: read its events? create/change/delete one? */
export async function canRead(who: User, calUrl: string, eventUrl: string): Promise<boolean> {
  const r = await dav(who, 'GET', eventUrl);
  return r.status === 200 && r.body.includes('BEGIN:VEVENT');
}

export async function tryWrite(who: User, calUrl: string): Promise<{ create: number; change?: number; remove?: number }> {
  const uid = randomUUID();
  const url = `${calUrl}${uid}.ics`;
  const create = (await dav(who, 'PUT', url, ics(uid, 'By sharee'), { 'content-type': 'text/calendar; charset=utf-8', 'if-none-match': '*' })).status;
  if (create !== 201 && create !== 204) return { create };
  const change = (await dav(who, 'PUT', url, ics(uid, 'Changed by sharee'), { 'content-type': 'text/calendar; charset=utf-8' })).status;
  const remove = (await dav(who, 'DELETE', url)).status;
  return { create, change, remove };
}

/** The calendar's DAV:acl as raw XML, read by its owner. */
export async function rawAcl(owner: User, calUrl: string): Promise<string> {
  return (await dav(owner, 'PROPFIND', calUrl, '<?xml version="1.0"?><d:propfind xmlns:d="DAV:"><d:prop><d:acl/></d:prop></d:propfind>', { depth: '0' })).body;
}
