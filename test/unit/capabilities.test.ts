// Capability detection on synthetic answers shaped like those of real servers: the DAV: header is a
// claim, the properties are the proof.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { detect, type Capabilities, type MechanismId, type ServerOptions } from '../../src/discovery/capabilities.js';
import { toCalendar, type Calendar } from '../../src/discovery/calendars.js';
import type { Principal } from '../../src/discovery/discover.js';
import { parseMultiStatus } from '../../src/xml/multistatus.js';

const ORIGIN = 'https://cal.example.com';
const principal: Principal = {
  url: new URL('/principals/alice/', ORIGIN),
  homeUrl: new URL('/calendars/alice/', ORIGIN),
  displayName: 'Alice',
  addresses: ['mailto:alice@example.com'],
};

// Property snippets (prefixes as declared on the multistatus below).
const RT = '<D:resourcetype><D:collection/><C:calendar/></D:resourcetype>';
const NAME = '<D:displayname>Work</D:displayname>';
const OWNER = '<D:owner><D:href>/principals/alice/</D:href></D:owner>';
const CS_MODES = '<CS:allowed-sharing-modes><CS:can-be-shared/><CS:can-be-published/></CS:allowed-sharing-modes>';
const CS_INVITE = '<CS:invite/>';
const SHARE_ACCESS = (a: string) => `<D:share-access><D:${a}/></D:share-access>`;
const INVITE = '<D:invite/>';
const ACL =
  '<D:acl><D:ace><D:principal><D:href>/principals/alice/</D:href></D:principal>' +
  '<D:grant><D:privilege><D:all/></D:privilege></D:grant><D:protected/></D:ace></D:acl>';
const SUPPORTED =
  '<D:supported-privilege-set><D:supported-privilege><D:privilege><D:all/></D:privilege>' +
  '<D:abstract/><D:description xml:lang="en">Any operation</D:description></D:supported-privilege></D:supported-privilege-set>';
const PRIVS = (...p: string[]) =>
  `<D:current-user-privilege-set>${p.map((x) => `<D:privilege><D:${x}/></D:privilege>`).join('')}</D:current-user-privilege-set>`;

/** One calendar as a Depth-0 answer: `found` answered 200, `missing` 404 and `forbidden` 403 (element names). */
function calendar(found: string[], missing: string[] = [], forbidden: string[] = []): Calendar {
  const propstat = (props: string[], status: string) =>
    props.length ? `<D:propstat><D:prop>${props.join('')}</D:prop><D:status>HTTP/1.1 ${status}</D:status></D:propstat>` : '';
  const body =
    '<?xml version="1.0" encoding="utf-8"?>' +
    '<D:multistatus xmlns:D="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/">' +
    `<D:response><D:href>/calendars/alice/work/</D:href>${propstat(found, '200 OK')}` +
    `${propstat(missing.map((m) => `<${m}/>`), '404 Not Found')}` +
    `${propstat(forbidden.map((m) => `<${m}/>`), '403 Forbidden')}</D:response></D:multistatus>`;
  const [r] = parseMultiStatus(body, principal.homeUrl);
  assert.ok(r);
  return toCalendar(r, principal);
}

const ALLOW_ALL = ['OPTIONS', 'GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PROPFIND', 'PROPPATCH', 'REPORT', 'ACL', 'MKCALENDAR'];
const server = (dav: string[], allow = ALLOW_ALL): ServerOptions => ({ dav, allow, server: undefined });

const mech = (caps: Capabilities, id: MechanismId) => {
  const m = caps.mechanisms.find((x) => x.id === id);
  assert.ok(m, `mechanism ${id} is reported`);
  return m;
};
const available = (caps: Capabilities) => caps.mechanisms.filter((m) => m.available).map((m) => m.id);
const evidence = (caps: Capabilities, id: MechanismId) => mech(caps, id).evidence.join('\n');

// Cyrus: advertises everything and answers every sharing property.
const CYRUS_DAV = ['1', '2', '3', 'access-control', 'extended-mkcol', 'calendar-access', 'calendar-auto-schedule', 'calendarserver-sharing', 'resource-sharing'];
const cyrusCalendar = (access = 'not-shared') =>
  calendar([RT, NAME, OWNER, CS_MODES, CS_INVITE, SHARE_ACCESS(access), INVITE, ACL, SUPPORTED, PRIVS('read', 'write', 'write-acl', 'read-acl')]);

describe('detect', () => {
  it('(a) Cyrus-like: all three mechanisms, the CalendarServer extension preferred', () => {
    const caps = detect(cyrusCalendar(), server(CYRUS_DAV));
    assert.deepEqual(available(caps), ['cs', 'resource-sharing', 'acl']);
    assert.equal(caps.preferred, 'cs');
    assert.match(evidence(caps, 'cs'), /advertises "calendarserver-sharing"/);
    assert.match(evidence(caps, 'cs'), /CS:invite: 200/);
    assert.match(evidence(caps, 'acl'), /Allow includes ACL/);
    assert.deepEqual(mech(caps, 'acl').request.method, 'ACL');
    assert.deepEqual(mech(caps, 'cs').request.method, 'POST');
    assert.deepEqual(caps.scheduling.advertised, ['calendar-auto-schedule']);
    assert.equal(caps.scheduling.neededForSharing, false);
  });

  it('(a) without the CalendarServer extension, draft-pot resource sharing is preferred over ACL', () => {
    const caps = detect(cyrusCalendar(), server(CYRUS_DAV.filter((c) => c !== 'calendarserver-sharing')));
    assert.deepEqual(available(caps), ['resource-sharing', 'acl']);
    assert.equal(caps.preferred, 'resource-sharing');
  });

  describe('(b) SabreDAV-1.8-like: advertises calendarserver-sharing it does not implement', () => {
    const SABRE_DAV = ['1', '3', 'extended-mkcol', 'access-control', 'calendarserver-principal-property-search', 'calendar-access', 'calendar-proxy', 'calendarserver-sharing'];
    const NOT_THERE = ['CS:allowed-sharing-modes', 'CS:invite', 'D:share-access', 'D:invite'];

    it('does not offer the CS extension, and says why', () => {
      const caps = detect(calendar([RT, NAME, OWNER, ACL, SUPPORTED, PRIVS('all')], NOT_THERE), server(SABRE_DAV));
      const cs = mech(caps, 'cs');
      assert.equal(cs.available, false);
      assert.match(evidence(caps, 'cs'), /DAV header advertises "calendarserver-sharing"/);
      assert.match(evidence(caps, 'cs'), /CS:allowed-sharing-modes: 404/);
      assert.match(evidence(caps, 'cs'), /CS:invite: 404/);
      assert.match(evidence(caps, 'cs'), /advertises calendarserver-sharing but answers none of its properties/);
      assert.equal(mech(caps, 'resource-sharing').available, false);
      assert.deepEqual(available(caps), ['acl']);
      assert.equal(caps.preferred, 'acl');
    });

    it('offers ACL when the user holds DAV:write-acl', () => {
      const caps = detect(calendar([RT, NAME, OWNER, ACL, SUPPORTED, PRIVS('read', 'write', 'write-acl')], NOT_THERE), server(SABRE_DAV));
      assert.equal(mech(caps, 'acl').available, true);
      assert.equal(caps.preferred, 'acl');
    });

    it('does not offer ACL without DAV:write-acl, and says so', () => {
      const caps = detect(calendar([RT, NAME, OWNER, ACL, SUPPORTED, PRIVS('read', 'write', 'read-acl')], NOT_THERE), server(SABRE_DAV));
      assert.equal(mech(caps, 'acl').available, false);
      assert.match(evidence(caps, 'acl'), /lacks DAV:write-acl/);
      assert.deepEqual(available(caps), []);
      assert.equal(caps.preferred, undefined);
    });
  });

  it('(c) Xandikos-like: no sharing classes, so nothing, however broad the privileges', () => {
    const caps = detect(
      calendar([RT, NAME, PRIVS('all')], ['CS:allowed-sharing-modes', 'CS:invite', 'D:share-access', 'D:invite', 'D:acl', 'D:supported-privilege-set', 'D:owner']),
      server(['1', '2', '3', 'calendar-access'], ['GET', 'PUT', 'DELETE', 'POST', 'PROPFIND', 'PROPPATCH', 'REPORT', 'MKCALENDAR']),
    );
    assert.equal(caps.calendar.owned, true, 'no owner property: taken as the user’s own');
    assert.deepEqual(available(caps), []);
    assert.equal(caps.preferred, undefined);
    assert.match(evidence(caps, 'cs'), /does not advertise "calendarserver-sharing"/);
    assert.match(evidence(caps, 'resource-sharing'), /does not advertise "resource-sharing"/);
    assert.match(evidence(caps, 'acl'), /does not advertise "access-control"/);
    assert.match(evidence(caps, 'acl'), /Allow lacks ACL/);
    assert.deepEqual(caps.scheduling.advertised, []);
  });

  it('(d) a calendar shared with the user (share-access read): nothing, because only the owner can share', () => {
    const cal = cyrusCalendar('read');
    assert.equal(cal.owned, false);
    const caps = detect(cal, server(CYRUS_DAV));
    assert.deepEqual(available(caps), []);
    assert.equal(caps.preferred, undefined);
    for (const m of caps.mechanisms) assert.match(m.evidence.join('\n'), /not the owner/);
  });

  it('(d) a calendar owned by someone else per DAV:owner: nothing either', () => {
    const cal = calendar([RT, NAME, '<D:owner><D:href>/principals/bob/</D:href></D:owner>', ACL, SUPPORTED, PRIVS('all')]);
    assert.equal(cal.owned, false);
    assert.equal(cal.ownerHref, '/principals/bob/');
    const caps = detect(cal, server(['1', '3', 'access-control', 'calendar-access']));
    assert.equal(mech(caps, 'acl').available, false);
    assert.match(evidence(caps, 'acl'), /not the owner/);
  });

  it('does not offer ACL when DAV:acl cannot be read: the ACL method would replace it blind', () => {
    // The ACL method sends the whole new ACL; without the current one, every existing ACE would be lost.
    for (const privs of [PRIVS('all'), PRIVS('read', 'write')]) {
      const caps = detect(calendar([RT, NAME, OWNER, SUPPORTED, privs], [], ['D:acl']), server(['1', '3', 'access-control', 'calendar-access']));
      assert.equal(mech(caps, 'acl').available, false);
      assert.match(evidence(caps, 'acl'), /DAV:acl: 403/);
      assert.match(evidence(caps, 'acl'), /DAV:acl is not readable/);
    }
  });

  it('(e) an Allow header without ACL rules out the ACL mechanism only', () => {
    const caps = detect(cyrusCalendar(), server(CYRUS_DAV, ALLOW_ALL.filter((m) => m !== 'ACL')));
    assert.equal(mech(caps, 'acl').available, false);
    assert.match(evidence(caps, 'acl'), /Allow lacks ACL/);
    assert.deepEqual(available(caps), ['cs', 'resource-sharing']);
  });

  // Nextcloud and DAViCal handle POST without listing it in Allow (staging/NEXTCLOUD.md, DAVICAL.md):
  // a missing POST is reported, not held against the sharing extensions.
  it('an Allow header without POST is evidence, not a "no"', () => {
    const caps = detect(cyrusCalendar(), server(CYRUS_DAV, ALLOW_ALL.filter((m) => m !== 'POST')));
    assert.deepEqual(available(caps), ['cs', 'resource-sharing', 'acl']);
    assert.match(evidence(caps, 'cs'), /Allow lacks POST \(not held against it/);
  });

  it('reports the Content-Type each mechanism really sends', () => {
    const caps = detect(cyrusCalendar(), server(CYRUS_DAV));
    assert.equal(mech(caps, 'cs').request.contentType, 'text/xml');
    assert.equal(mech(caps, 'resource-sharing').request.contentType, 'application/davsharing+xml');
    assert.equal(mech(caps, 'acl').request.contentType, 'application/xml');
  });

  it('no Allow header at all is not held against any mechanism', () => {
    const caps = detect(cyrusCalendar(), server(CYRUS_DAV, []));
    assert.deepEqual(available(caps), ['cs', 'resource-sharing', 'acl']);
    assert.doesNotMatch(evidence(caps, 'acl'), /Allow/);
  });

  it('properties alone, without the DAV class, are not enough', () => {
    const caps = detect(cyrusCalendar(), server(['1', '2', '3', 'calendar-access']));
    assert.deepEqual(available(caps), []);
  });
});
