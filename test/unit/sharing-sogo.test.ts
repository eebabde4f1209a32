// SOGo's acl-query mechanism as pure functions: role sets to levels, the un-namespaced answers,
// uids from principal URLs, and the exact request bodies (staging/SOGO.md §4, §7).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { levelOfRoles, parseRoles, parseUserList, ROLES, sogoAclQuery, uidOf } from '../../src/sharing/mechanisms/sogo-acl-query.js';
import { parseMultiStatus } from '../../src/xml/multistatus.js';
import { toCalendar } from '../../src/discovery/calendars.js';
import type { Principal } from '../../src/discovery/discover.js';
import type { MechanismContext } from '../../src/sharing/types.js';
import { el, elWith, serialize, XmlBuildError } from '../../src/xml/build.js';
import { qn } from '../../src/xml/names.js';

const ORIGIN = 'http://127.0.0.1:8200';
const me: Principal = { url: new URL('/SOGo/dav/alice', ORIGIN), homeUrl: new URL('/SOGo/dav/alice/Calendar/', ORIGIN), displayName: 'Alice', addresses: ['mailto:alice@example.test'] };
const ctx: MechanismContext = { me, layout: undefined };

const calendar = (reports: string) => {
  const body =
    '<?xml version="1.0" encoding="utf-8"?><D:multistatus xmlns:D="DAV:"><D:response><D:href>/SOGo/dav/alice/Calendar/personal/</D:href><D:propstat><D:status>HTTP/1.1 200 OK</D:status><D:prop>' +
    '<D:resourcetype><D:collection/><n1:calendar xmlns:n1="urn:ietf:params:xml:ns:caldav"/></D:resourcetype>' +
    `<D:supported-report-set xmlns:n2="urn:inverse:params:xml:ns:inverse-dav">${reports}</D:supported-report-set>` +
    '</D:prop></D:propstat></D:response></D:multistatus>';
  return toCalendar(parseMultiStatus(body, me.homeUrl)[0]!, me);
};
const SOGO_CAL = calendar('<D:supported-report><D:report><D:sync-collection/></D:report></D:supported-report><D:supported-report><D:report><n2:acl-query/></D:report></D:supported-report>');
const OTHER_CAL = calendar('<D:supported-report><D:report><D:sync-collection/></D:report></D:supported-report>');
const who = (email: string, uid: string) => ({ email, mailto: `mailto:${email}`, principal: new URL(`/SOGo/dav/${uid}/`, ORIGIN) });

describe('acl-query: role sets and levels', () => {
  it('view-only and edit are exactly the sets SOGo needs; order does not matter', () => {
    assert.equal(levelOfRoles(['PrivateViewer', 'PublicViewer', 'ConfidentialViewer']), 'read');
    assert.equal(levelOfRoles([...ROLES.edit].reverse()), 'edit');
    assert.equal(levelOfRoles([...ROLES.edit, ...ROLES.read]), 'edit');
  });
  it('no roles or only "None" is no access; anything else is "other"', () => {
    assert.equal(levelOfRoles([]), undefined);
    assert.equal(levelOfRoles(['None']), undefined);
    assert.equal(levelOfRoles(['PublicViewer']), 'other');
    assert.equal(levelOfRoles([...ROLES.read, 'ObjectCreator']), 'other', 'a write role makes it more than view-only');
    assert.equal(levelOfRoles(['PublicModifier', 'ConfidentialModifier', 'PrivateModifier', 'ObjectCreator']), 'other', 'edit needs delete too');
    assert.equal(levelOfRoles(['PublicDAndTViewer', 'ConfidentialDAndTViewer', 'PrivateDAndTViewer']), 'other');
  });
});

describe('acl-query: answers', () => {
  it('user-list: bare, un-namespaced, <default-user> skipped, email lower-cased, missing email tolerated', () => {
    const body =
      '<?xml version="1.0" encoding="utf-8"?>\r\n<user-list><default-user><id>&lt;default&gt;</id></default-user>' +
      '<user><id>bob</id><displayName>Bob Example</displayName><email>Bob@Example.TEST</email></user>' +
      '<user><id>ghost</id><displayName>ghost</displayName></user></user-list>';
    assert.deepEqual(parseUserList(body), [
      { uid: 'bob', name: 'Bob Example', email: 'bob@example.test' },
      { uid: 'ghost', name: 'ghost', email: undefined },
    ]);
    assert.deepEqual(parseUserList(''), []);
  });
  it('roles: element names; a 204 (empty body) is no roles', () => {
    assert.deepEqual(parseRoles('<?xml version="1.0" encoding="utf-8"?>\r\n<roles><ConfidentialViewer/><PrivateViewer/><PublicViewer/></roles>'), ['ConfidentialViewer', 'PrivateViewer', 'PublicViewer']);
    assert.deepEqual(parseRoles(''), []);
  });
});

describe('acl-query: uids', () => {
  it('one plain segment under the principal collection, with or without the final slash on mine', () => {
    assert.equal(uidOf(new URL('/SOGo/dav/bob/', ORIGIN), me.url), 'bob');
    assert.equal(uidOf(new URL('/SOGo/dav/bob', ORIGIN), new URL('/SOGo/dav/alice/', ORIGIN)), 'bob');
  });
  it('refuses what SOGo would misread: other origins, nested paths, commas, quotes', () => {
    assert.equal(uidOf(new URL('/SOGo/dav/bob/', 'http://elsewhere.test'), me.url), undefined);
    assert.equal(uidOf(new URL('/SOGo/dav/bob/Calendar/', ORIGIN), me.url), undefined);
    assert.equal(uidOf(new URL('/SOGo/dav/a%2Cb/', ORIGIN), me.url), undefined);
    assert.equal(uidOf(new URL("/SOGo/dav/o'brien/", ORIGIN), me.url), undefined);
    assert.equal(uidOf(new URL('/other/bob/', ORIGIN), me.url), undefined);
  });
});

describe('acl-query: detection, state reads and writes', () => {
  it('is offered only where supported-report-set lists acl-query', () => {
    assert.equal(sogoAclQuery.detect!(SOGO_CAL, { dav: [], allow: [], server: undefined }).for.length, 1);
    assert.equal(sogoAclQuery.detect!(OTHER_CAL, { dav: [], allow: [], server: undefined }).against.length, 1);
    assert.deepEqual(sogoAclQuery.stateRequests!(OTHER_CAL, ctx, []), [], 'no extra request on other servers');
  });

  it('reads state in two rounds: user-list, then roles per user; REPORTs, never POSTs', () => {
    const [first, ...more] = sogoAclQuery.stateRequests!(SOGO_CAL, ctx, []);
    assert.equal(more.length, 0);
    assert.equal(first!.method, 'REPORT');
    assert.match(first!.body, /<inv:acl-query xmlns:inv="urn:inverse:params:xml:ns:inverse-dav"><inv:user-list\/><\/inv:acl-query>/);
    const list = '<user-list><user><id>bob</id><email>bob@example.test</email></user><user><id>carol</id><email>carol@example.test</email></user></user-list>';
    const second = sogoAclQuery.stateRequests!(SOGO_CAL, ctx, [list]);
    assert.deepEqual(second.map((r) => [r.method, /user="(\w+)"/.exec(r.body)?.[1]]), [['REPORT', 'bob'], ['REPORT', 'carol']]);
    assert.deepEqual(sogoAclQuery.stateRequests!(SOGO_CAL, ctx, [list, '', '']), []);
    const grants = sogoAclQuery.parseState!(SOGO_CAL, [list, '<roles><PublicViewer/><PrivateViewer/><ConfidentialViewer/></roles>', ''], ctx);
    assert.deepEqual(grants.map((g) => [g.email, g.level, g.principal]), [['bob@example.test', 'read', `${ORIGIN}/SOGo/dav/bob/`]], 'carol (204, no roles) has no access');
  });

  it('share: one set-roles per level naming the users; revoke: remove-users, never an empty set-roles', () => {
    const [view] = sogoAclQuery.plan(SOGO_CAL, [{ who: who('bob@example.test', 'bob'), level: 'read' }, { who: who('carol@example.test', 'carol'), level: 'read' }], ctx);
    assert.equal(view!.method, 'POST');
    assert.equal(view!.headers['content-type'], 'application/xml; charset=utf-8');
    assert.match(view!.body, /<inv:set-roles users="bob,carol"><inv:PublicViewer\/><inv:ConfidentialViewer\/><inv:PrivateViewer\/><\/inv:set-roles>/);
    const [edit] = sogoAclQuery.plan(SOGO_CAL, [{ who: who('bob@example.test', 'bob'), level: 'edit' }], ctx);
    assert.match(edit!.body, /<inv:set-roles users="bob"><inv:PublicModifier\/><inv:ConfidentialModifier\/><inv:PrivateModifier\/><inv:ObjectCreator\/><inv:ObjectEraser\/><\/inv:set-roles>/);
    const [none] = sogoAclQuery.plan(SOGO_CAL, [{ who: who('bob@example.test', 'bob'), level: 'none' }], ctx);
    assert.match(none!.body, /<inv:remove-users users="bob"\/>/);
  });

  it('refuses to plan for someone without a usable uid, before anything is sent', () => {
    assert.throws(() => sogoAclQuery.plan(SOGO_CAL, [{ who: { email: 'x@example.test', mailto: 'mailto:x@example.test', principal: undefined }, level: 'read' }], ctx), /cannot tell which SOGo user/);
  });
});

describe('XML builder: attributes', () => {
  it('escapes values like text and refuses names that are not XML names', () => {
    assert.match(serialize(elWith(qn('urn:x', 'a'), { user: 'a"b<c&' })), /<(\w+):a xmlns:\1="urn:x" user="a&#34;b&#60;c&#38;"\/>/);
    assert.throws(() => serialize(elWith(qn('urn:x', 'a'), { 'bad name': 'x' })), XmlBuildError);
    assert.match(serialize(el(qn('urn:x', 'a'))), /<(\w+):a xmlns:\1="urn:x"\/>$/);
  });
});
