// Grants that name no person (issue 11 §2): DAV:all, DAV:authenticated, DAV:unauthenticated, DAV:invert
// and groups are shown for what they are, with their level, and no write ever treats one as a person.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mergeAcl, parseAcl, webdavAcl } from '../../src/sharing/mechanisms/acl.js';
import { othersOf, otherLine, shareesOf, sharingOthers } from '../../src/sharing/sharees.js';
import { parseXml } from '../../src/xml/parse.js';
import { serialize } from '../../src/xml/build.js';
import { ORIGIN, calendarFromBody, calendarWith, ctx, fixture, person } from './fixtures/sharing.js';
import { shareesJson } from '../../src/cli/commands/sharing-output.js';
import { sharedWithCell } from '../../src/cli/commands/calendars.js';
import { sharedWithText } from '../../src/web/pages.js';
import { shareesSection } from '../../src/web/fragments.js';
import type { CalendarSharees } from '../../src/sharing/engine.js';

// Recorded style (Cyrus 3.6 spelling of the principals), prefixes deliberately not calshare's own.
const ace = (principal: string, grant: string[], invert = false) =>
  '<X:ace>' +
  (invert ? `<X:invert><X:principal>${principal}</X:principal></X:invert>` : `<X:principal>${principal}</X:principal>`) +
  `<X:grant>${grant.map((p) => `<X:privilege>${p.startsWith('Q:') ? `<${p}/>` : `<X:${p}/>`}</X:privilege>`).join('')}</X:grant></X:ace>`;
const href = (p: string) => `<X:href>${p}</X:href>`;
const user = (u: string) => href(`/dav/principals/user/${u}/`);

const wide = () =>
  calendarWith(
    '<X:acl>' +
      ace('<X:self/>', ['all']) +
      ace('<X:property><X:owner/></X:property>', ['all']) +
      ace('<X:all/>', ['read']) +
      ace('<X:authenticated/>', ['read', 'write']) +
      ace('<X:unauthenticated/>', ['Q:read-free-busy']) +
      ace(user('dave'), ['read'], true) +
      ace(href('/remote.php/dav/principals/groups/staff/'), ['read']) +
      ace(user('bob'), ['read']) +
      '</X:acl>',
  );

describe('grants to no person', () => {
  it('each is a grant of its kind with its level, never with an address', () => {
    const gs = webdavAcl.grants(wide(), ctx);
    assert.deepEqual(
      gs.filter((g) => g.kind).map((g) => [g.kind, g.href, g.email, g.level]),
      [
        ['everyone', 'DAV:all', undefined, 'read'],
        ['authenticated', 'DAV:authenticated', undefined, 'edit'],
        ['unauthenticated', 'DAV:unauthenticated', undefined, 'other'],
        ['except', '/dav/principals/user/dave/', undefined, 'read'],
        ['group', '/remote.php/dav/principals/groups/staff/', undefined, 'read'],
      ],
    );
  });

  it('Cyrus stores DAV:authenticated read as DAV:all read + DAV:unauthenticated deny read (recorded on staging): all signed-in users', () => {
    const cal = calendarWith(
      '<X:acl>' + ace('<X:self/>', ['all']) + ace('<X:all/>', ['read']) +
        '<X:ace><X:principal><X:unauthenticated/></X:principal><X:deny><X:privilege><X:read/></X:privilege></X:deny></X:ace>' +
        ace('<X:all/>', ['read']) + '</X:acl>',
    );
    assert.deepEqual(othersOf(cal, ctx).map(otherLine), ['all signed-in users: view-only']);
    assert.deepEqual(shareesOf(cal, ctx), []);
  });

  it('sharees lists people only; othersOf names the rest in plain words; the owner (self, property owner) is neither', () => {
    assert.deepEqual(shareesOf(wide(), ctx).map((s) => s.email), ['bob@example.test']);
    assert.deepEqual(othersOf(wide(), ctx).map(otherLine), [
      'all signed-in users: edit',
      'everyone: view-only',
      'everyone except dave@example.test: view-only',
      'everyone not signed in: free/busy only',
      'group staff: view-only',
    ]);
  });

  it("Cyrus's recorded default (DAV:all read-free-busy) reads \"everyone: free/busy only\" and does not count as sharing", () => {
    const cal = calendarFromBody(fixture('cyrus-shared.xml'));
    const others = othersOf(cal, ctx);
    assert.deepEqual(others.map(otherLine), ['everyone: free/busy only']);
    assert.deepEqual(sharingOthers(others), []);
    assert.equal(sharedWithCell(0, 0, others), '0');
    assert.equal(sharedWithText(0, others), 'nobody');
  });

  it('shared with everyone never reads as shared with no one (calendars cell, web list)', () => {
    const others = othersOf(wide(), ctx);
    assert.equal(sharedWithCell(0, 0, others.filter((o) => o.kind === 'everyone')), '0 + everyone (view-only)');
    assert.equal(sharedWithCell(2, 1, others.filter((o) => o.kind === 'group')), '1 + 1 from home + group staff (view-only)');
    assert.equal(sharedWithText(0, others.filter((o) => o.kind === 'everyone')), 'everyone (view-only)');
    assert.equal(sharedWithText(1, others.filter((o) => o.kind === 'authenticated')), '1 person + all signed-in users (edit)');
  });

  it('sharees --json: people keep their fields plus kind "person"; the rest come in `others` with the same fields', () => {
    const cal = wide();
    const listed: CalendarSharees = { calendar: cal, sharees: shareesOf(cal, ctx), fromHome: new Set(), others: othersOf(cal, ctx) };
    const [doc] = shareesJson([listed]).calendars;
    assert.deepEqual(doc!.sharees.map((s) => [s.kind, s.email, s.level]), [['person', 'bob@example.test', 'view-only']]);
    assert.deepEqual(
      doc!.others.map((o) => [o.kind, o.name, o.level, o.email, o.principal]),
      [
        ['authenticated', 'all signed-in users', 'edit', null, 'DAV:authenticated'],
        ['everyone', 'everyone', 'view-only', null, 'DAV:all'],
        ['except', 'everyone except dave@example.test', 'view-only', null, '/dav/principals/user/dave/'],
        ['unauthenticated', 'everyone not signed in', 'free/busy only', null, 'DAV:unauthenticated'],
        ['group', 'group staff', 'view-only', null, '/remote.php/dav/principals/groups/staff/'],
      ],
    );
  });

  it('web sharee list shows them, not selectable for removal; "Not shared with anyone" only when no one can see events', () => {
    const cal = { ...wide(), owned: true };
    const only = (kinds: string[]) => othersOf(cal, ctx).filter((o) => kinds.includes(o.kind));
    const section = (others: ReturnType<typeof only>) => shareesSection({ csrf: 'c', calendar: cal }, { calendar: cal, sharees: [], fromHome: new Set(), others }).toString();
    const everyone = section(only(['everyone']));
    assert.match(everyone, /<span data-grantee="everyone">everyone: view-only<\/span>/);
    assert.doesNotMatch(everyone, /Not shared with anyone/);
    assert.doesNotMatch(everyone, /type="checkbox"/);
    const fb = section(only(['unauthenticated']));
    assert.match(fb, /Not shared with anyone\./);
    assert.match(fb, /<span data-grantee="unauthenticated">everyone not signed in: free\/busy only<\/span>/);
  });

  it('an ACL merge (revoking a person) keeps every non-person ACE untouched and in order', () => {
    const cal = wide();
    const [req] = webdavAcl.plan(cal, [{ who: person('bob'), level: 'none' }], ctx);
    const out = parseAcl(parseXml(req!.body), cal.url);
    const shape = (a: ReturnType<typeof parseAcl>[number]) => `${a.invert ? '!' : ''}${a.special ?? a.principal?.pathname}`;
    assert.deepEqual(out.map(shape), ['self', 'property', 'all', 'authenticated', 'unauthenticated', '!/dav/principals/user/dave/', '/remote.php/dav/principals/groups/staff/']);
    // and a revoke of everyone by address (unshare --all) names only people: the group is not one.
    const merged = parseAcl(parseXml(serialize(mergeAcl(parseAcl(parseXml(`<X:acl xmlns:X="DAV:">${ace(href('/remote.php/dav/principals/groups/staff/'), ['read'])}</X:acl>`), new URL(ORIGIN)), [{ principal: new URL('/dav/principals/user/bob/', ORIGIN), privileges: null }]))), new URL(ORIGIN));
    assert.deepEqual(merged.map((a) => a.principal?.pathname), ['/remote.php/dav/principals/groups/staff/']);
  });
});
