// Calendar listing: which collections count as calendars, and whose they are. listCalendars runs
// against a real local HTTP server answering one hand-written Depth-1 PROPFIND.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { calendarName, listCalendars, toCalendar } from '../../src/discovery/calendars.js';
import type { Principal } from '../../src/discovery/discover.js';
import { Transport } from '../../src/transport/http.js';
import { parseMultiStatus } from '../../src/xml/multistatus.js';

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
