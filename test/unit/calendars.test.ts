// Calendar listing: which collections count as calendars, and whose they are. listCalendars runs
// against a real local HTTP server answering one hand-written Depth-1 PROPFIND.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calendarName, listCalendars, P, readCalendar, toCalendar } from '../../src/discovery/calendars.js';
import { ServerRefusedError } from '../../src/errors.js';
import type { Principal } from '../../src/discovery/discover.js';
import { Transport } from '../../src/transport/http.js';
import { parseMultiStatus, prop, propStatus } from '../../src/xml/multistatus.js';

const response = (href: string, props: string) =>
  `<D:response><D:href>${href}</D:href><D:propstat><D:prop>${props}</D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>`;
const multistatus = (...responses: string[]) =>
  '<?xml version="1.0" encoding="utf-8"?>' +
  '<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/" xmlns:X="http://example.com/not-caldav">' +
  responses.join('') +
  '</D:multistatus>';

const HOME = multistatus(
  response('/calendars/alice/', '<D:resourcetype><D:collection/></D:resourcetype>'),
  response('/calendars/alice/work/', '<D:resourcetype><D:collection/><C:calendar/></D:resourcetype><D:displayname>Work</D:displayname>'),
  // Right local name, wrong namespace: not a CalDAV calendar.
  response('/calendars/alice/decoy/', '<D:resourcetype><D:collection/><X:calendar/></D:resourcetype><D:displayname>Decoy</D:displayname>'),
  // Unprefixed, in no namespace at all: not one either.
  response('/calendars/alice/bare/', '<D:resourcetype><D:collection/><calendar xmlns=""/></D:resourcetype>'),
  response('/calendars/alice/inbox/', '<D:resourcetype><D:collection/><C:schedule-inbox/></D:resourcetype>'),
  // C:calendar without DAV:collection is not a collection (RFC 4791 §4.2).
  response('/calendars/alice/odd.ics', '<D:resourcetype><C:calendar/></D:resourcetype>'),
  // A calendar whose name uses a different prefix for CalDAV, locally declared.
  response('/calendars/alice/home%20life/', '<D:resourcetype><D:collection/><cal:calendar xmlns:cal="urn:ietf:params:xml:ns:caldav"/></D:resourcetype>'),
);

const principal = (origin: string): Principal => ({
  url: new URL('/principals/alice/', origin),
  homeUrl: new URL('/calendars/alice/', origin),
  displayName: 'Alice',
  addresses: [],
});

describe('listCalendars', () => {
  const server = createServer((req, res) => {
    req.resume().on('end', () => {
      if (req.method === 'PROPFIND' && req.url === '/calendars/alice/' && req.headers.depth === '1') {
        res.writeHead(207, { 'content-type': 'application/xml; charset=utf-8' }).end(HOME);
      } else res.writeHead(400).end();
    });
  });
  const transport = new Transport({ credentials: { user: 'alice', scheme: 'basic', authorization: async () => 'Basic YWxpY2U6eA==' }, timeoutMs: 5_000 });
  after(async () => {
    await transport.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('lists only real CalDAV calendar collections, ignoring decoys in foreign namespaces', async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const cals = await listCalendars(transport, principal(origin));
    assert.deepEqual(
      cals.map((c) => c.url.pathname),
      ['/calendars/alice/work/', '/calendars/alice/home%20life/'],
    );
    assert.deepEqual(cals.map(calendarName), ['Work', 'home life']);
    assert.equal(transport.requestCount, 1, 'one PROPFIND for the whole listing');
  });
});

describe('toCalendar: ownership', () => {
  const me = principal('https://cal.example.com');
  const one = (props: string) => {
    const [r] = parseMultiStatus(multistatus(response('/calendars/alice/work/', props)), me.homeUrl);
    assert.ok(r);
    return toCalendar(r, me);
  };

  it('DAV:share-access decides first (draft-pot)', () => {
    assert.equal(one('<D:share-access><D:not-shared/></D:share-access>').owned, true);
    assert.equal(one('<D:share-access><D:shared-owner/></D:share-access>').owned, true);
    assert.equal(one('<D:share-access><D:read/></D:share-access><D:owner><D:href>/principals/alice/</D:href></D:owner>').owned, false);
    assert.equal(one('<D:share-access><D:read-write/></D:share-access>').owned, false);
  });

  it('CS:shared-url marks a calendar shared with the user', () => {
    assert.equal(one('<CS:shared-url><D:href>/calendars/bob/team/</D:href></CS:shared-url>').owned, false);
  });

  it('otherwise DAV:owner is compared with the principal, however the href is spelled', () => {
    assert.equal(one('<D:owner><D:href>/principals/alice</D:href></D:owner>').owned, true);
    assert.equal(one('<D:owner><D:href>https://cal.example.com/principals/%61lice/</D:href></D:owner>').owned, true);
    const bobs = one('<D:owner><D:href>/principals/bob/</D:href></D:owner>');
    assert.equal(bobs.owned, false);
    assert.equal(bobs.ownerHref, '/principals/bob/');
    assert.equal(one('<D:owner><D:href>https://other.example.net/principals/alice/</D:href></D:owner>').owned, false);
  });

  it('reads display name, colour and description, treating empty ones as absent', () => {
    const c = one(
      '<D:displayname> Work </D:displayname><X:ignored/>' +
        '<calendar-color xmlns="http://apple.com/ns/ical/">#FF0000FF</calendar-color>' +
        '<C:calendar-description></C:calendar-description>',
    );
    assert.equal(c.displayName, 'Work');
    assert.equal(c.color, '#FF0000FF');
    assert.equal(c.description, undefined);
    assert.equal(one('<D:displayname/>').displayName, undefined);
  });
});

describe('calendarName', () => {
  it('falls back to the decoded last path segment', () => {
    assert.equal(calendarName({ url: new URL('https://x/calendars/alice/home%20life/'), displayName: undefined }), 'home life');
    assert.equal(calendarName({ url: new URL('https://x/calendars/alice/bad%E0%A4%A/'), displayName: undefined }), 'bad%E0%A4%A');
    assert.equal(calendarName({ url: new URL('https://x/calendars/alice/work/'), displayName: 'Work' }), 'Work');
  });
});

// A server that, like SOGo 5.8, refuses the whole PROPFIND (501) when one property (here DAV:acl)
// fails on one resource, instead of answering that property's status inside the 207.
describe('listCalendars: a server that refuses the whole PROPFIND over one property', () => {
  const requests: string[] = [];
  // Which property fails where: `acl` on the home's Depth-1 answer (SOGo: its .ics/.xml export
  // views), `sync-token` on the calendar itself when asked together with others (the per-property
  // fallback's case).
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (c: Buffer) => (body += c)).on('end', () => {
      const asks = (local: string) => new RegExp(`<[^>]*:?${local}\\b`).test(body);
      requests.push(`${req.headers.depth} ${req.url} ${asks('acl') ? 'acl' : ''}${asks('sync-token') ? ' sync-token' : ''}`.trim());
      const ok = (xml: string) => res.writeHead(207, { 'content-type': 'application/xml; charset=utf-8' }).end(xml);
      if (req.method !== 'PROPFIND') return res.writeHead(405).end();
      if (req.url === '/dav/alice/Calendar/' && req.headers.depth === '1') {
        if (asks('acl')) return res.writeHead(501, 'Request Failed').end();
        return ok(
          multistatus(
            response('/dav/alice/Calendar/', '<D:resourcetype><D:collection/></D:resourcetype>'),
            response('/dav/alice/Calendar/personal/', '<D:resourcetype><D:collection/><C:calendar/></D:resourcetype>'),
            response('/dav/alice/Calendar/personal.ics', '<D:resourcetype/>'),
            response('/dav/alice/Calendar/work/', '<D:resourcetype><D:collection/><C:calendar/></D:resourcetype>'),
          ),
        );
      }
      if (req.url === '/dav/alice/Calendar/personal/' && req.headers.depth === '0') {
        return ok(
          multistatus(
            response(
              '/dav/alice/Calendar/personal/',
              '<D:resourcetype><D:collection/><C:calendar/></D:resourcetype><D:displayname>Personal Calendar</D:displayname>' +
                '<D:acl><D:ace><D:principal><D:href>/dav/bob/</D:href></D:principal><D:grant><D:privilege><D:read/></D:privilege></D:grant></D:ace></D:acl>',
            ),
          ),
        );
      }
      if (req.url === '/dav/alice/Calendar/work/' && req.headers.depth === '0') {
        const alone = (body.match(/<[A-Za-z]+:[a-z-]+\/>/g) ?? []).length === 1;
        if (asks('sync-token')) return res.writeHead(alone ? 500 : 501).end();
        if (!alone) return res.writeHead(501).end();
        const props: Record<string, string> = {
          resourcetype: '<D:resourcetype><D:collection/><C:calendar/></D:resourcetype>',
          displayname: '<D:displayname>Work</D:displayname>',
        };
        const name = Object.keys(props).find((n) => asks(n));
        return ok(multistatus(name ? response('/dav/alice/Calendar/work/', props[name] ?? '') : `<D:response><D:href>/dav/alice/Calendar/work/</D:href><D:propstat><D:prop><D:${/<[A-Za-z]+:([a-z-]+)\/>/.exec(body)?.[1] ?? 'x'}/></D:prop><D:status>HTTP/1.1 404 Not Found</D:status></D:propstat></D:response>`));
      }
      res.writeHead(404).end();
    });
  });
  const transport = new Transport({ credentials: { user: 'alice', scheme: 'basic', authorization: async () => 'Basic YWxpY2U6eA==' }, timeoutMs: 5_000 });
  after(async () => {
    await transport.close();
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  it('lists with the one property every server answers, then reads each calendar on its own', async () => {
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const me: Principal = { url: new URL('/dav/alice/', origin), homeUrl: new URL('/dav/alice/Calendar/', origin), displayName: 'Alice', addresses: [] };
    const cals = await listCalendars(transport, me);
    assert.deepEqual(cals.map(calendarName), ['Personal Calendar', 'Work']);
    const [personal, work] = cals;
    assert.ok(personal && work);
    // The same facts as one listing would have given: personal's ACL is there.
    assert.ok(prop(personal.props, P.acl), 'DAV:acl read with Depth 0');
    // Work refused every request naming sync-token: that property alone reads as absent, with its status.
    assert.equal(prop(work.props, P.syncToken), undefined);
    assert.equal(propStatus(work.props, P.syncToken), 500);
    assert.equal(work.displayName, 'Work');
    assert.equal(requests[0], '1 /dav/alice/Calendar/ acl sync-token', 'the single PROPFIND is tried first');
    assert.equal(requests[1], '1 /dav/alice/Calendar/', 'then the home with resourcetype only');
  });

  it('readCalendar falls back the same way', async () => {
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const me: Principal = { url: new URL('/dav/alice/', origin), homeUrl: new URL('/dav/alice/Calendar/', origin), displayName: 'Alice', addresses: [] };
    const work = await readCalendar(transport, me, new URL('/dav/alice/Calendar/work/', origin), 'checking');
    assert.equal(work?.displayName, 'Work');
    assert.equal(propStatus(work.props, P.acl), 404);
  });

  it('still fails when the resource itself is refused, with the server\'s status', async () => {
    const origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const me: Principal = { url: new URL('/dav/alice/', origin), homeUrl: new URL('/dav/alice/Calendar/', origin), displayName: 'Alice', addresses: [] };
    await assert.rejects(readCalendar(transport, me, new URL('/dav/alice/Calendar/gone/', origin), 'checking'), (e: unknown) => e instanceof ServerRefusedError && e.status === 404);
  });
});
