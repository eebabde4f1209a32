// DAViCal's departures from RFC 3744, as calshare handles them (servers/quirks.ts), on answers saved
// from staging DAViCal 1.1.12: the ACL method upserts and revokes with an empty <grant/>; an ACE
// with an empty grant means no access and is never a sharee; .in/.out look like calendars.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { toCalendar, type Calendar } from '../../src/discovery/calendars.js';
import type { Principal } from '../../src/discovery/discover.js';
import { parseMultiStatus } from '../../src/xml/multistatus.js';
import { parseXml, children, child } from '../../src/xml/parse.js';
import { NS, qn } from '../../src/xml/names.js';
import { learnLayout, type Identity } from '../../src/sharing/identity.js';
import { webdavAcl } from '../../src/sharing/mechanisms/acl.js';
import { othersOf, otherLine, shareesOf } from '../../src/sharing/sharees.js';
import { fingerprint } from '../../src/servers/fingerprint.js';
import { quirksFor, quirksOf } from '../../src/servers/quirks.js';
import { notCalendar } from '../../src/discovery/calendars.js';
import type { MechanismContext } from '../../src/sharing/types.js';

const ORIGIN = 'http://127.0.0.1:8100';
const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}`, import.meta.url), 'utf8');
const alice: Principal = {
  url: new URL('/caldav.php/alice/', ORIGIN),
  homeUrl: new URL('/caldav.php/alice/', ORIGIN),
  displayName: 'Alice Example',
  addresses: ['mailto:alice@example.test', '/caldav.php/alice/'],
};
const quirks = quirksFor('davical');
const ctx: MechanismContext = { me: alice, layout: learnLayout(alice, 'alice'), server: 'davical', quirks };
const rfcCtx: MechanismContext = { me: alice, layout: learnLayout(alice, 'alice') };

/** fixture-cal: bob edit, carol view-only, dave revoked (his ACE has an empty grant). */
const shared = (): Calendar => {
  const [r] = parseMultiStatus(fixture('davical-shared.xml'), alice.homeUrl);
  return toCalendar(r!, alice);
};
const who = (u: string): Identity => ({ email: `${u}@example.test`, mailto: `mailto:${u}@example.test`, principal: new URL(`/caldav.php/${u}/`, ORIGIN) });
const D = (n: string) => qn(NS.DAV, n);

/** The ACEs of a planned ACL body: principal path → granted privilege names. */
function acesOf(body: string): Map<string, string[]> {
  const root = parseXml(body);
  return new Map(
    children(root, D('ace')).map((a) => [
      child(child(a, D('principal')), D('href'))?.text.trim() ?? child(a, D('principal'))!.children[0]!.name,
      children(child(a, D('grant')), D('privilege')).flatMap((p) => p.children.map((c) => c.name)),
    ]),
  );
}

describe('DAViCal is recognised and has its quirks as data', () => {
  it('by X-DAViCal-Version', () => {
    assert.equal(fingerprint({ dav: [], allow: [], server: 'Apache', headers: { 'x-davical-version': 'DAViCal/1.1.12; DB/1.3.5' } }).id, 'davical');
  });
  it('each quirk carries its observation', () => {
    assert.ok(quirks.length >= 3);
    for (const q of quirks) assert.match(q.seen, /DAViCal 1\.1\.12/);
    assert.equal(quirksOf(quirks, 'acl-upsert')[0]?.revoke, 'empty-grant');
  });
});

describe('ACL on DAViCal: grants', () => {
  it('lists bob (edit) and carol (view-only), never dave, whose ACE has an empty grant', () => {
    const g = webdavAcl.grants(shared(), ctx).filter((x) => !x.kind);
    assert.deepEqual(
      g.map((x) => [x.email, x.level]).sort(),
      [['bob@example.test', 'edit'], ['carol@example.test', 'read']],
    );
  });
  it('the <authenticated/> default is all signed-in users, free/busy only (DAVICAL.md §5.1: a stranger GETs "Busy"), never a person', () => {
    const g = webdavAcl.grants(shared(), ctx).filter((x) => x.kind);
    assert.deepEqual(g.map((x) => [x.kind, x.href, x.email, x.level]), [['authenticated', 'DAV:authenticated', undefined, 'other']]);
    assert.deepEqual(othersOf(shared(), ctx).map(otherLine), ['all signed-in users: free/busy only']);
    assert.ok(shareesOf(shared(), ctx).every((s) => s.email));
  });
});

describe('ACL on DAViCal: plan (upsert)', () => {
  it('a share sends only the sharee\'s ACE: no owner, no <authenticated/>, no other sharee', () => {
    const [req] = webdavAcl.plan(shared(), [{ who: who('erin'), level: 'read' }], ctx);
    const aces = acesOf(req!.body);
    assert.deepEqual([...aces.keys()], ['/caldav.php/erin/']);
    assert.deepEqual(aces.get('/caldav.php/erin/')!.sort(), ['read', 'read-free-busy']);
  });

  it('a revoke sends the sharee\'s ACE with an empty <grant/> (leaving it out changes nothing on DAViCal)', () => {
    const [req] = webdavAcl.plan(shared(), [{ who: who('bob'), level: 'none' }], ctx);
    const root = parseXml(req!.body);
    const aces = children(root, D('ace'));
    assert.equal(aces.length, 1);
    assert.equal(child(child(aces[0], D('principal')), D('href'))?.text.trim(), '/caldav.php/bob/');
    const grant = child(aces[0], D('grant'));
    assert.ok(grant, 'a grant element is sent');
    assert.equal(grant.children.length, 0, 'and it is empty');
  });

  it('several people in one request; edit is read + write, never a privilege DAViCal does not list', () => {
    const [req] = webdavAcl.plan(shared(), [{ who: who('erin'), level: 'edit' }, { who: who('carol'), level: 'none' }, { who: who('dave'), level: 'read' }], ctx);
    const aces = acesOf(req!.body);
    assert.deepEqual([...aces.keys()], ['/caldav.php/erin/', '/caldav.php/carol/', '/caldav.php/dave/']);
    assert.deepEqual(aces.get('/caldav.php/erin/')!.sort(), ['read', 'read-free-busy', 'write']);
    assert.deepEqual(aces.get('/caldav.php/carol/'), []);
  });

  it('without the quirk (an RFC server), the whole ACL is re-sent and a revoked ACE is dropped', () => {
    const [req] = webdavAcl.plan(shared(), [{ who: who('bob'), level: 'none' }], rfcCtx);
    const aces = acesOf(req!.body);
    assert.equal(aces.has('/caldav.php/bob/'), false);
    assert.ok(aces.has('owner') || aces.has('property'), 'the owner ACE is re-sent');
    assert.ok(aces.has('/caldav.php/carol/'));
  });
});

describe('DAViCal home listing', () => {
  it('.in/ and .out/ are scheduling boxes, not calendars; calendar/ is one', () => {
    const rs = parseMultiStatus(fixture('davical-home.xml'), alice.homeUrl);
    const skipped = rs.filter((r) => notCalendar(r.url, alice, quirks)).map((r) => r.url.pathname).sort();
    assert.deepEqual(skipped, ['/caldav.php/alice/.in/', '/caldav.php/alice/.out/']);
    assert.equal(rs.filter((r) => notCalendar(r.url, alice, [])).length, 0, 'an RFC server keeps them all');
  });
});
