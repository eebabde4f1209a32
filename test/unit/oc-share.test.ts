// The Nextcloud sharing dialect (src/sharing/mechanisms/oc-share.ts), the people search and
// detection, on bodies recorded from a real Nextcloud 31.0.2 (test/fixtures/nextcloud/*.json).
// Only the tests marked "not recorded" use a body written here, and they say why.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { batches, ocShare, phpUrlencode, phpUrldecode, principalHref, shareBody, groupName } from '../../src/sharing/mechanisms/oc-share.js';
import { detect, judge, type ServerOptions } from '../../src/discovery/capabilities.js';
import { toCalendar, type Calendar } from '../../src/discovery/calendars.js';
import type { Principal } from '../../src/discovery/discover.js';
import { parseMultiStatus } from '../../src/xml/multistatus.js';
import { learnLayout } from '../../src/sharing/identity.js';
import { exactMatches, searchBody } from '../../src/people/search.js';
import { shareesOf } from '../../src/sharing/sharees.js';
import { fingerprint } from '../../src/servers/fingerprint.js';
import { quirksFor, quirksOf } from '../../src/servers/quirks.js';
import type { MechanismContext } from '../../src/sharing/types.js';
import { loadFixture, type Exchange } from '../helpers/replay.js';

const ORIGIN = 'http://127.0.0.1:8600';
const me: Principal = {
  url: new URL('/remote.php/dav/principals/users/alice/', ORIGIN),
  homeUrl: new URL('/remote.php/dav/calendars/alice/', ORIGIN),
  displayName: 'Alice Example',
  addresses: ['mailto:alice@example.test', '/remote.php/dav/principals/users/alice/'],
};
const ctx: MechanismContext = { me, layout: learnLayout(me, 'alice') };

const ex = (fixture: string, pick: (e: Exchange) => boolean): Exchange[] => loadFixture(fixture).exchanges.filter(pick);
const calendarFrom = (body: string, path = '/remote.php/dav/calendars/alice/personal/'): Calendar => {
  const rs = parseMultiStatus(body, new URL(path, ORIGIN));
  return toCalendar(rs.find((r) => r.url.pathname === path) ?? rs[0]!, me);
};
/** Every oc:invite read-back in oc-share-raw.json, in the order recorded. */
const readBacks = () => ex('oc-share-raw', (e) => e.request.method === 'PROPFIND').map((e) => calendarFrom(e.response.body));
const brief = (cal: Calendar) =>
  ocShare.grants(cal, ctx).map((g) => [g.group !== undefined ? `group:${g.group}` : (g.email ?? g.principal), g.level, g.status, g.name]);

describe('oc:invite (recorded read-backs)', () => {
  it('reads users and groups with their levels, names and the always-accepted status', () => {
    const states = readBacks().map(brief);
    assert.deepEqual(states[0], [], 'before any share: an empty <oc:invite/>');
    assert.deepEqual(states[1], [['bob@example.test', 'read', 'accepted', 'Bob Example']]);
    assert.deepEqual(states[2], [
      ['bob@example.test', 'edit', 'accepted', 'Bob Example'],
      ['carol@example.test', 'read', 'accepted', 'Carol Example'],
    ]);
    assert.deepEqual(states[3], [
      ['group:Team A', 'edit', 'accepted', 'Team A'],
      ['group:team', 'read', 'accepted', 'team'],
      ['bob@example.test', 'edit', 'accepted', 'Bob Example'],
      ['carol@example.test', 'read', 'accepted', 'Carol Example'],
    ]);
    assert.equal(states[4]![1]![1], 'edit', 'the group level changed with a second oc:set');
    assert.deepEqual(states[5], [], 'four oc:remove in one POST left nobody');
  });

  it('group principals become absolute URLs in the groups collection, named by their decoded id', () => {
    const g = ocShare.grants(readBacks()[3]!, ctx).find((x) => x.group === 'Team A')!;
    assert.equal(g.principal, `${ORIGIN}/remote.php/dav/principals/groups/Team+A/`);
    assert.equal(g.email, undefined);
    const sharees = shareesOf(readBacks()[3]!, ctx);
    assert.deepEqual(sharees.filter((s) => s.group !== undefined).map((s) => [s.group, s.level]).sort(), [['Team A', 'edit'], ['team', 'read']]);
  });

  it('while the calendar is published oc:invite lists the owner, who is not a sharee', () => {
    const published = ex('published', (e) => e.request.method === 'PROPFIND')[0]!;
    assert.match(published.response.body, /principal:principals\/users\/alice</, 'recorded: the owner is listed');
    assert.deepEqual(brief(calendarFrom(published.response.body)), [['bob@example.test', 'read', 'accepted', 'Bob Example']]);
  });

  it('after a 200 to an unknown user and a mailto: href, oc:invite is still empty: the status proves nothing', () => {
    const [post, read] = ex('oc-share-unknown', () => true);
    assert.equal(post!.response.status, 200);
    assert.equal(post!.response.headers['x-sabre-status'], 'everything-went-well');
    assert.deepEqual(brief(calendarFrom(read!.response.body)), []);
  });

  it('no sharee appears in DAV:acl, and the owner\'s calendar-proxy principals are not counted as sharees', () => {
    const first = ex('oc-share-raw', (e) => e.request.method === 'PROPFIND')[0]!;
    assert.match(first.response.body, /calendar-proxy-write/, 'recorded: the ACL names the owner\'s proxy principals');
    const cal = calendarFrom(first.response.body);
    assert.deepEqual(shareesOf(cal, ctx), []);
  });
});

describe('oc:share requests', () => {
  const who = (uid: string) => ({ email: `${uid}@example.test`, mailto: `mailto:${uid}@example.test`, principal: new URL(`/remote.php/dav/principals/users/${uid}/`, ORIGIN) });
  const group = (name: string) => ({ email: '', mailto: '', principal: ocShare.groupPrincipal!(name, ctx)!, group: name });

  it('removing groups and people: the groups first, in a POST of their own; anything else stays one POST', () => {
    const ids = (b: ReturnType<typeof batches>) => b.map((x) => x.map((c) => c.who.group ?? c.who.email));
    assert.deepEqual(ids(batches([{ who: who('bob'), level: 'none' }, { who: group('team'), level: 'none' }, { who: who('carol'), level: 'read' }])), [['team'], ['bob@example.test', 'carol@example.test']]);
    assert.deepEqual(ids(batches([{ who: who('bob'), level: 'none' }, { who: group('team'), level: 'read' }])), [['bob@example.test', 'team']]);
    assert.deepEqual(ids(batches([{ who: group('team'), level: 'none' }, { who: who('carol'), level: 'edit' }])), [['team', 'carol@example.test']]);
    assert.equal(ocShare.plan(calendarFrom('<d:multistatus xmlns:d="DAV:"><d:response><d:href>/remote.php/dav/calendars/alice/personal/</d:href></d:response></d:multistatus>'), [{ who: who('bob'), level: 'none' }, { who: group('Team A'), level: 'none' }], ctx).length, 2);
  });

  it('batches set (view-only), set with read-write (edit) and remove in one body, as the recorded POSTs did', () => {
    const body = shareBody([{ who: who('bob'), level: 'edit' }, { who: who('carol'), level: 'read' }, { who: group('Team A'), level: 'none' }], ctx);
    assert.match(body, /<oc:share xmlns:oc="http:\/\/owncloud.org\/ns"/);
    assert.match(body, /<oc:set><d:href>principal:principals\/users\/bob<\/d:href><oc:read-write\/><\/oc:set>/);
    assert.match(body, /<oc:set><d:href>principal:principals\/users\/carol<\/d:href><\/oc:set>/);
    assert.match(body, /<oc:remove><d:href>principal:principals\/groups\/Team\+A<\/d:href><\/oc:remove>/);
    // The recorded POST that shared with bob and carol had the same elements.
    const recorded = ex('oc-share-raw', (e) => e.request.method === 'POST')[1]!.request.body;
    assert.match(recorded, /<o:set><d:href>principal:principals\/users\/bob<\/d:href><o:read-write\/><\/o:set><o:set><d:href>principal:principals\/users\/carol<\/d:href><\/o:set>/);
  });

  it('sends an XML content type (text/plain was answered 501, recorded)', () => {
    const [req] = ocShare.plan(readBacks()[0]!, [{ who: who('bob'), level: 'read' }], ctx);
    assert.match(req!.headers['content-type']!, /^application\/xml/);
    const plain = ex('oc-share-unknown', (e) => e.request.headers['content-type'] === 'text/plain')[0]!;
    assert.equal(plain.response.status, 501);
  });

  it('refuses to name someone without a principal instead of sending a mailto: href Nextcloud would ignore', () => {
    assert.throws(() => shareBody([{ who: { email: 'x@example.test', mailto: 'mailto:x@example.test', principal: undefined }, level: 'read' }], ctx), /principal/);
  });

  it('principal hrefs are relative to the DAV root and carry no trailing slash', () => {
    assert.equal(principalHref(new URL('/remote.php/dav/principals/users/bob/', ORIGIN), ctx), 'principal:principals/users/bob');
    assert.equal(principalHref(new URL('/elsewhere/bob/', ORIGIN), ctx), undefined);
  });
});

describe('group names', () => {
  it('are encoded as PHP urlencode() does, which is how the recorded group-membership spells "Team A"', () => {
    const dave = ex('discovery', (e) => e.request.path === '/remote.php/dav/principals/users/dave/')[0]!;
    assert.match(dave.response.body, /principals\/groups\/Team\+A\//);
    assert.equal(phpUrlencode('Team A'), 'Team+A');
    assert.equal(phpUrlencode('a/b&c~é'), 'a%2Fb%26c%7E%C3%A9');
    assert.equal(phpUrldecode('a%2Fb%26c%7E%C3%A9+x'), 'a/b&c~é x');
    assert.equal(groupName(new URL('/remote.php/dav/principals/groups/Team+A/', ORIGIN)), 'Team A');
    assert.equal(groupName(new URL('/remote.php/dav/principals/users/bob/', ORIGIN)), undefined);
  });

  it('an existing group principal answers 207 and an unknown one 404 (recorded)', () => {
    // The existence check's PROPFIND (displayname); groups.json also holds group-member-set, which answers 500.
    const st = Object.fromEntries(ex('groups', (e) => !e.request.body.includes('group-member-set') && !e.request.path.includes('/users/')).map((e) => [e.request.path, e.response.status]));
    assert.equal(st['/remote.php/dav/principals/groups/team/'], 207);
    assert.equal(st['/remote.php/dav/principals/groups/Team+A/'], 207);
    assert.equal(st['/remote.php/dav/principals/groups/nosuchgroup/'], 404);
  });
});

describe('people by address (principal-property-search, recorded)', () => {
  const search = quirksOf(quirksFor('nextcloud'), 'people-by-search')[0]!;
  const searches = ex('people', () => true);
  const hits = (e: Exchange, email: string) =>
    [...exactMatches(parseMultiStatus(e.response.body, new URL(e.request.path, ORIGIN)), [email], search.prop).found.values()].map((p) => p.principal.pathname);

  it('searches s:email-address with the bare address, not mailto:', () => {
    assert.equal(search.prop!.ns, 'http://sabredav.org/ns');
    assert.equal(search.mailto, false);
    const body = searchBody('bob@example.test', search.prop, search.mailto);
    assert.match(body, /<d:match>bob@example.test<\/d:match>/);
    assert.match(body, /email-address/);
  });

  it('finds bob by his whole address in any case, nobody by a part of it or an unknown one', () => {
    assert.deepEqual(hits(searches[0]!, 'bob@example.test'), ['/remote.php/dav/principals/users/bob/']);
    assert.deepEqual(hits(searches[1]!, 'BOB@Example.TEST'), ['/remote.php/dav/principals/users/bob/']);
    assert.deepEqual(hits(searches[2]!, 'bob'), []);
    assert.deepEqual(hits(searches[3]!, 'nobody@example.test'), []);
    assert.equal(searches[4]!.response.body.includes('<d:response>'), false, 'calendar-user-address-set with mailto: finds nobody');
  });

  it('where only s:email-address answers (the search sent to the principals root), the bare address still matches', () => {
    assert.match(searches[5]!.response.body, /404 Not Found/, 'recorded: the CalDAV properties 404 there');
    assert.deepEqual(hits(searches[5]!, 'bob@example.test'), ['/remote.php/dav/principals/users/bob/']);
  });

  it('keeps only exact matches even when a server returns more — not recorded: a second response added', () => {
    const body = searches[0]!.response.body.replace('</d:multistatus>', '<d:response><d:href>/remote.php/dav/principals/users/bobby/</d:href><d:propstat><d:prop><s:email-address>bobby@example.test</s:email-address></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>');
    const found = exactMatches(parseMultiStatus(body, new URL('/remote.php/dav/principals/users/', ORIGIN)), ['bob@example.test'], search.prop).found;
    assert.deepEqual([...found.values()].map((p) => p.principal.pathname), ['/remote.php/dav/principals/users/bob/']);
  });
});

describe('detection on the recorded listing and OPTIONS', () => {
  const fx = loadFixture('cli-capabilities');
  // The read that carries the calendar's sharing state: its own Depth-0 PROPFIND (a calendar named by
  // name is found by a names-only listing, then read), or the home listing where that was the read.
  const listing =
    fx.exchanges.find((e) => e.request.method === 'PROPFIND' && e.request.path === '/remote.php/dav/calendars/alice/fixture/' && e.request.body.includes('invite')) ??
    fx.exchanges.find((e) => e.request.method === 'PROPFIND' && e.request.path === '/remote.php/dav/calendars/alice/')!;
  const opts = fx.exchanges.find((e) => e.request.method === 'OPTIONS')!;
  const list = (h: string | undefined) => (h ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const server: ServerOptions = {
    dav: list(opts.response.headers['dav']).map((s) => s.toLowerCase()),
    allow: list(opts.response.headers['allow']).map((s) => s.toUpperCase()),
    server: undefined,
    headers: {},
  };
  const cal = calendarFrom(listing.response.body, '/remote.php/dav/calendars/alice/fixture/');

  it('Allow lists no POST, yet oc-share is available and the default', () => {
    assert.ok(!server.allow.includes('POST'));
    assert.equal(fingerprint(server, cal).id, 'nextcloud');
    const caps = detect(cal, server);
    assert.equal(caps.preferred, 'oc-share');
    assert.deepEqual(caps.mechanisms.filter((m) => m.available).map((m) => m.id), ['oc-share']);
  });

  it('without the Nextcloud quirks (an unknown server with the same answers) CS would count: the quirk is what rules it out', () => {
    // Not recorded: the same recorded answers judged with no quirk table, to show the rule itself
    // does not refuse oc-share for a missing Allow: POST.
    const oc = judge(ocShare, cal, server, []);
    assert.equal(oc.available, true);
  });
});

