// The two sharing extensions: the one POST each plans for a batch of changes (read back with the XML
// parser and checked by namespace and structure, never as strings), and the grants each reads from
// its state property, whatever prefixes the server chose.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { calendarServer } from '../../src/sharing/mechanisms/cs.js';
import { resourceSharing } from '../../src/sharing/mechanisms/resource-sharing.js';
import { parseXml, type XmlElement } from '../../src/xml/parse.js';
import { NS } from '../../src/xml/names.js';
import type { Change, Grant } from '../../src/sharing/types.js';
import { CAL_PATH, calendarFromBody, calendarWith, ctx, fixture, person } from './fixtures/sharing.js';

/** An element as {namespace}name with its children, text only where there are no children. */
type Shape = { n: string; c?: Shape[]; t?: string };
const shape = (e: XmlElement): Shape =>
  e.children.length ? { n: `{${e.ns}}${e.name}`, c: e.children.map(shape) } : e.text.trim() ? { n: `{${e.ns}}${e.name}`, t: e.text.trim() } : { n: `{${e.ns}}${e.name}` };
const D = (n: string, ...c: Shape[]): Shape => (c.length ? { n: `{DAV:}${n}`, c } : { n: `{DAV:}${n}` });
const CS = (n: string, ...c: Shape[]): Shape => (c.length ? { n: `{${NS.CS}}${n}`, c } : { n: `{${NS.CS}}${n}` });
const href = (t: string): Shape => ({ n: '{DAV:}href', t });

const changes: Change[] = [
  { who: person('bob'), level: 'read' },
  { who: person('carol'), level: 'edit' },
  { who: person('dave'), level: 'none' },
];
const cal = calendarWith();

describe('CalendarServer sharing: the CS:share POST (caldav-sharing §5.3.2)', () => {
  const [req, ...more] = calendarServer.plan(cal, changes, ctx);
  assert.ok(req);
  assert.equal(more.length, 0, 'one request for everyone');

  it('is one POST to the calendar for every person at once', () => {
    assert.equal(req.method, 'POST');
    assert.equal(req.url.href, `http://127.0.0.1:8008${CAL_PATH}`);
  });

  it('sends text/xml: Cyrus answers 403 to application/xml on sharing POSTs', () => {
    assert.match(req.headers['content-type']!, /^text\/xml\b/);
    assert.doesNotMatch(req.headers['content-type']!, /application\/xml/);
  });

  it('has CS:set with CS:read / CS:read-write and CS:remove, each with a DAV:href mailto', () => {
    assert.deepEqual(
      shape(parseXml(req.body)),
      CS(
        'share',
        CS('set', href('mailto:bob@example.test'), CS('read')),
        CS('set', href('mailto:carol@example.test'), CS('read-write')),
        CS('remove', href('mailto:dave@example.test')),
      ),
    );
  });

  it('carries no credentials', () => {
    assert.deepEqual(Object.keys(req.headers).filter((h) => /authorization|cookie/i.test(h)), []);
  });
});

describe('WebDAV resource sharing: the DAV:share-resource POST (draft-pot §5.1)', () => {
  const [req, ...more] = resourceSharing.plan(cal, changes, ctx);
  assert.ok(req);
  assert.equal(more.length, 0, 'one request for everyone');

  it('is one POST to the calendar for every person at once', () => {
    assert.equal(req.method, 'POST');
    assert.equal(req.url.href, `http://127.0.0.1:8008${CAL_PATH}`);
  });

  it('sends application/davsharing+xml (draft-pot §5.1; Cyrus refuses application/xml)', () => {
    assert.match(req.headers['content-type']!, /^application\/davsharing\+xml\b/);
  });

  it('has one DAV:sharee per person; DAV:no-access removes (§4.4.1)', () => {
    const sharee = (h: string, access: string) => D('sharee', href(h), D('share-access', D(access)));
    assert.deepEqual(
      shape(parseXml(req.body)),
      D(
        'share-resource',
        sharee('mailto:bob@example.test', 'read'),
        sharee('mailto:carol@example.test', 'read-write'),
        sharee('mailto:dave@example.test', 'no-access'),
      ),
    );
  });

  it('escapes what it must: an address with & and \' stays text', () => {
    const odd = { email: "o'b&c@example.test", mailto: "mailto:o'b&c@example.test", principal: undefined };
    const body = parseXml(resourceSharing.plan(cal, [{ who: odd, level: 'read' }], ctx)[0]!.body);
    assert.equal(body.children[0]!.children[0]!.text, "mailto:o'b&c@example.test");
  });
});

// The same state written with arbitrary prefixes, and the default namespace, as servers are free to.
const csInvite = (users: string) => `<S:invite>${users}</S:invite>`;
const csUser = (h: string, status: string, access: string, extra = '') =>
  `<S:user><X:href>${h}</X:href>${extra}<S:${status}/><S:access><S:${access}/></S:access></S:user>`;
const davInvite = (sharees: string) => `<X:invite>${sharees}</X:invite>`;
const davSharee = (h: string, status: string, access: string, extra = '') =>
  `<X:sharee><X:href>${h}</X:href>${extra}<X:${status}/><X:share-access><X:${access}/></X:share-access></X:sharee>`;

const pick = (gs: Grant[]) => gs.map((g) => ({ email: g.email, level: g.level, status: g.status }));

describe('CS:invite → grants (caldav-sharing §5.2.2)', () => {
  it('reads every invite status and access level', () => {
    const c = calendarWith(
      csInvite(
        csUser('mailto:bob@example.test', 'invite-noresponse', 'read') +
          csUser('MAILTO:Carol@Example.TEST', 'invite-accepted', 'read-write', '<S:common-name>Carol C</S:common-name>') +
          csUser('mailto:dave@example.test', 'invite-declined', 'read') +
          csUser('mailto:erin@example.test', 'invite-invalid', 'read-write'),
      ),
    );
    const gs = calendarServer.grants(c, ctx);
    assert.deepEqual(pick(gs), [
      { email: 'bob@example.test', level: 'read', status: 'pending' },
      { email: 'carol@example.test', level: 'edit', status: 'accepted' },
      { email: 'dave@example.test', level: 'read', status: 'declined' },
      { email: 'erin@example.test', level: 'edit', status: 'invalid' },
    ]);
    assert.equal(gs[1]!.name, 'Carol C');
    assert.ok(gs.every((g) => g.via === 'cs'));
  });

  it('does not depend on prefixes: default namespace and odd prefixes read the same', () => {
    const body =
      '<multistatus xmlns="DAV:"><response><href>/dav/calendars/user/alice/work/</href><propstat><prop>' +
      '<resourcetype><collection/><cal:calendar xmlns:cal="urn:ietf:params:xml:ns:caldav"/></resourcetype>' +
      '<invite xmlns="http://calendarserver.org/ns/"><user><href xmlns="DAV:">mailto:bob@example.test</href>' +
      '<invite-accepted/><access><read-write/></access></user></invite>' +
      '</prop><status>HTTP/1.1 200 OK</status></propstat></response></multistatus>';
    assert.deepEqual(pick(calendarServer.grants(calendarFromBody(body), ctx)), [{ email: 'bob@example.test', level: 'edit', status: 'accepted' }]);
  });

  it('ignores same-named elements in the wrong namespace', () => {
    const c = calendarWith(csInvite(`<S:user><X:href>mailto:bob@example.test</X:href><X:invite-accepted/><S:access><S:read/></S:access></S:user>`));
    assert.equal(calendarServer.grants(c, ctx)[0]!.status, undefined);
  });

  it('does not mistake an element named like an Object.prototype member for a status', () => {
    const c = calendarWith(csInvite(csUser('mailto:bob@example.test', 'invite-accepted', 'read', '<S:constructor/><S:toString/>')));
    assert.equal(calendarServer.grants(c, ctx)[0]!.status, 'accepted');
    const c2 = calendarWith(csInvite(`<S:user><X:href>mailto:bob@example.test</X:href><S:constructor/><S:access><S:read/></S:access></S:user>`));
    assert.equal(calendarServer.grants(c2, ctx)[0]!.status, undefined);
  });

  it('reports an unknown access as "other" and skips users without an href', () => {
    const c = calendarWith(csInvite(csUser('mailto:bob@example.test', 'invite-accepted', 'admin') + '<S:user><S:invite-accepted/></S:user>'));
    assert.deepEqual(pick(calendarServer.grants(c, ctx)), [{ email: 'bob@example.test', level: 'other', status: 'accepted' }]);
  });

  it('keeps two non-mailto users apart (a principal or urn:uuid href is an identity too)', () => {
    const c = calendarWith(csInvite(csUser('urn:uuid:1111', 'invite-accepted', 'read') + csUser('/dav/principals/user/bob/', 'invite-accepted', 'read')));
    const gs = calendarServer.grants(c, ctx);
    assert.equal(gs.length, 2);
    assert.notEqual(gs[0]!.principal, gs[1]!.principal);
    assert.equal(gs[1]!.principal, 'http://127.0.0.1:8008/dav/principals/user/bob/');
    assert.equal(gs[1]!.email, 'bob@example.test', 'the layout maps the principal back to the address');
  });

  it('reads nothing from an absent or 404 property', () => {
    assert.deepEqual(calendarServer.grants(calendarWith(), ctx), []);
  });
});

describe('DAV:invite → grants (draft-pot §4.4.2)', () => {
  it('reads statuses, levels and display names, and ignores a no-access entry', () => {
    const c = calendarWith(
      davInvite(
        davSharee('mailto:bob@example.test', 'invite-noresponse', 'read') +
          davSharee('mailto:carol@example.test', 'invite-accepted', 'read-write', '<X:prop><X:displayname>Carol C</X:displayname></X:prop>') +
          davSharee('mailto:dave@example.test', 'invite-declined', 'read') +
          davSharee('mailto:erin@example.test', 'invite-invalid', 'read') +
          davSharee('mailto:gone@example.test', 'invite-accepted', 'no-access'),
      ),
    );
    const gs = resourceSharing.grants(c, ctx);
    assert.deepEqual(pick(gs), [
      { email: 'bob@example.test', level: 'read', status: 'pending' },
      { email: 'carol@example.test', level: 'edit', status: 'accepted' },
      { email: 'dave@example.test', level: 'read', status: 'declined' },
      { email: 'erin@example.test', level: 'read', status: 'invalid' },
    ]);
    assert.equal(gs[1]!.name, 'Carol C');
    assert.ok(gs.every((g) => g.via === 'resource-sharing'));
  });

  it('resolves a principal href against the calendar URL, so it matches the same principal in the ACL', () => {
    const c = calendarWith(davInvite(davSharee('/dav/principals/user/bob/', 'invite-accepted', 'read')));
    const [g] = resourceSharing.grants(c, ctx);
    assert.equal(g!.principal, 'http://127.0.0.1:8008/dav/principals/user/bob/');
    assert.equal(g!.email, 'bob@example.test');
  });

  it('ignores CS: elements of the same local name', () => {
    const c = calendarWith(davInvite(`<X:sharee><X:href>mailto:bob@example.test</X:href><S:invite-accepted/><X:share-access><X:read/></X:share-access></X:sharee>`));
    assert.equal(resourceSharing.grants(c, ctx)[0]!.status, undefined);
  });
});

describe('a real Cyrus answer (fixtures/cyrus-shared.xml: bob read via CS:share, carol read-write)', () => {
  const real = calendarFromBody(fixture('cyrus-shared.xml'));

  it('CS:invite and DAV:invite agree', () => {
    const want = [
      { email: 'bob@example.test', level: 'read', status: 'pending' },
      { email: 'carol@example.test', level: 'edit', status: 'pending' },
    ];
    assert.deepEqual(pick(calendarServer.grants(real, ctx)), want);
    assert.deepEqual(pick(resourceSharing.grants(real, ctx)), want);
  });
});
