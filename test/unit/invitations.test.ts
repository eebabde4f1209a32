// The sharee's side as pure functions: invitation bodies (CalendarServer and draft-pot forms, as
// Cyrus 3.6.1 sends them), reply bodies, picking an INVITE from what a person typed, where a shared
// calendar reaches the sharee (per mechanism and server), and "mine" vs "shared with me".
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  bindBody, bindingSegment, csReplyBody, davReplyBody, isoStamp, myInviteStatus, parseNotification, sharedAsHref, subscribeBody, unsubscribeBody,
} from '../../src/invitations/xml.js';
import { pickInvitation, ownerEmail, type Invitation } from '../../src/invitations/inbox.js';
import { guidance, ownerStep, shareeStepFor, stepFor, SHAREE_STEPS } from '../../src/invitations/steps.js';
import { heldLevel, originOf, ownerOf } from '../../src/invitations/shared-with-me.js';
import { homeEntryFor } from '../../src/invitations/reply.js';
import { parseXml } from '../../src/xml/parse.js';
import { NS } from '../../src/xml/names.js';
import { toCalendar } from '../../src/discovery/calendars.js';
import { parseMultiStatus } from '../../src/xml/multistatus.js';
import { UsageError } from '../../src/errors.js';
import { ORIGIN, alice, ctx } from './fixtures/sharing.js';

// Exactly as Cyrus 3.6.1 answers a GET of bob's notification (SERVERS.md, "the sharee's side").
const CYRUS_NOTIFICATION = `<?xml version="1.0" encoding="utf-8"?>
<CS:notification xmlns:CS="http://calendarserver.org/ns/"><CS:dtstamp>20261207T004135Z</CS:dtstamp><CS:invite-notification><CS:uid>7c7efcec-f2ed9e2c-b3464de3-b8747aa.xml</CS:uid><D:href xmlns:D="DAV:">/dav/principals/user/bob/</D:href><CS:invite-noresponse/><CS:access><CS:read/></CS:access><CS:hosturl><D:href xmlns:D="DAV:">/dav/calendars/user/alice/sx31990/</D:href></CS:hosturl><CS:organizer><D:href xmlns:D="DAV:">/dav/principals/user/alice/</D:href><CS:common-name>alice</CS:common-name></CS:organizer><CS:summary>hello</CS:summary><C:supported-calendar-component-set xmlns:C="urn:ietf:params:xml:ns:caldav"><C:comp name="VEVENT"/></C:supported-calendar-component-set></CS:invite-notification></CS:notification>`;

describe('parseNotification', () => {
  it('reads the CalendarServer form: uid, calendar, owner, level, stamp', () => {
    const n = parseNotification(CYRUS_NOTIFICATION)!;
    assert.equal(n.form, 'cs');
    assert.equal(n.uid, '7c7efcec-f2ed9e2c-b3464de3-b8747aa.xml');
    assert.equal(n.calendarHref, '/dav/calendars/user/alice/sx31990/');
    assert.equal(n.ownerHref, '/dav/principals/user/alice/');
    assert.equal(n.ownerName, 'alice');
    assert.equal(n.summary, 'hello');
    assert.equal(n.level, 'read');
    assert.equal(n.status, 'pending');
    assert.equal(n.sent, '2026-12-07T00:41:35.000Z');
  });
  it('a revoked share (Cyrus: CS:no-access) reads as level "none"', () => {
    assert.equal(parseNotification(CYRUS_NOTIFICATION.replace('<CS:read/>', '<CS:no-access/>'))!.level, 'none');
    assert.equal(parseNotification(CYRUS_NOTIFICATION.replace('<CS:read/>', '<CS:read-write/>'))!.level, 'edit');
  });
  it('reads the draft-pot form', () => {
    const body = '<D:notification xmlns:D="DAV:"><D:dtstamp>2026-12-07T00:00:00Z</D:dtstamp><D:invite-notification>'
      + '<D:principal><D:href>/p/alice/</D:href><D:prop><D:displayname>Alice</D:displayname></D:prop></D:principal>'
      + '<D:sharer-resource-uri><D:href>/cal/alice/work/</D:href></D:sharer-resource-uri><D:invite-accepted/>'
      + '<D:share-access><D:read-write/></D:share-access></D:invite-notification></D:notification>';
    const n = parseNotification(body)!;
    assert.deepEqual([n.form, n.calendarHref, n.ownerHref, n.ownerName, n.level, n.status], ['dav', '/cal/alice/work/', '/p/alice/', 'Alice', 'edit', 'accepted']);
  });
  it('other notification types and foreign roots are not invitations', () => {
    assert.equal(parseNotification('<CS:notification xmlns:CS="http://calendarserver.org/ns/"><CS:invite-reply/></CS:notification>'), undefined);
    assert.equal(parseNotification('<x xmlns="urn:x"/>'), undefined);
  });
  it('refuses a DOCTYPE (no entity expansion)', () => {
    assert.throws(() => parseNotification('<!DOCTYPE x [<!ENTITY e "x">]><CS:notification xmlns:CS="http://calendarserver.org/ns/"/>'));
  });
  it('isoStamp: iCalendar UTC form and ISO; garbage is undefined', () => {
    assert.equal(isoStamp('20260101T000000Z'), '2026-01-01T00:00:00.000Z');
    assert.equal(isoStamp('nonsense'), undefined);
    assert.equal(isoStamp(undefined), undefined);
  });
});

describe('reply bodies', () => {
  it('CS:invite-reply carries owner, answer, hosturl and in-reply-to, escaped', () => {
    const x = parseXml(csReplyBody({ ownerHref: 'mailto:alice@example.test', calendarHref: '/dav/calendars/user/alice/a&b/', uid: 'u<1>' }, true));
    assert.equal(x.ns, NS.CS);
    assert.equal(x.name, 'invite-reply');
    assert.deepEqual(x.children.map((c) => c.name), ['href', 'invite-accepted', 'hosturl', 'in-reply-to']);
    assert.equal(x.children[2]!.children[0]!.text, '/dav/calendars/user/alice/a&b/');
    assert.equal(x.children[3]!.text, 'u<1>');
    assert.equal(parseXml(csReplyBody({ ownerHref: 'x', calendarHref: '/c/', uid: 'u' }, false)).children[1]!.name, 'invite-declined');
  });
  it('DAV:invite-reply: create-in only when accepting', () => {
    assert.deepEqual(parseXml(davReplyBody(true, '/home/bob/')).children.map((c) => c.name), ['invite-accepted', 'create-in']);
    assert.deepEqual(parseXml(davReplyBody(false, '/home/bob/')).children.map((c) => c.name), ['invite-declined']);
  });
  it('CS:shared-as from the accept answer', () => {
    assert.equal(sharedAsHref('<CS:shared-as xmlns:CS="http://calendarserver.org/ns/"><D:href xmlns:D="DAV:">/dav/calendars/user/bob/alice.Default/</D:href></CS:shared-as>'), '/dav/calendars/user/bob/alice.Default/');
    assert.equal(sharedAsHref(''), undefined);
  });
  it('SOGo subscribe and RFC 5842 BIND', () => {
    const sub = parseXml(subscribeBody());
    assert.deepEqual([sub.ns, sub.name], ['urn:inverse:params:xml:ns:inverse-dav', 'subscribe']);
    const unsub = parseXml(unsubscribeBody());
    assert.deepEqual([unsub.ns, unsub.name, unsub.children.length], ['urn:inverse:params:xml:ns:inverse-dav', 'unsubscribe', 0]);
    const b = parseXml(bindBody('alice.calendar', '/caldav.php/alice/calendar/'));
    assert.deepEqual(b.children.map((c) => [c.name, c.text]), [['segment', 'alice.calendar'], ['href', '/caldav.php/alice/calendar/']]);
  });
  it('binding segments name owner and calendar, and are safe path segments', () => {
    assert.equal(bindingSegment('alice', 'calendar'), 'alice.calendar');
    assert.equal(bindingSegment('al/ice', '../x y'), 'al-ice.x-y');
    assert.match(bindingSegment('', '%%%'), /^x\.x$/);
  });
});

describe('myInviteStatus: the sharee finds their own entry', () => {
  const me = { addresses: ['mailto:bob@example.test'], principal: new URL('/dav/principals/user/bob/', ORIGIN) };
  const base = new URL('/dav/calendars/user/bob/alice.x/', ORIGIN);
  it('by address, among others', () => {
    const inv = parseXml('<D:invite xmlns:D="DAV:"><D:sharee><D:href>mailto:carol@example.test</D:href><D:invite-declined/></D:sharee><D:sharee><D:href>mailto:BOB@example.test</D:href><D:invite-accepted/></D:sharee></D:invite>');
    assert.equal(myInviteStatus(inv, NS.DAV, me, base), 'accepted');
  });
  it('by principal URL, trailing slash optional', () => {
    const inv = parseXml('<CS:invite xmlns:CS="http://calendarserver.org/ns/" xmlns:D="DAV:"><CS:user><D:href>/dav/principals/user/carol</D:href><CS:invite-noresponse/></CS:user><CS:user><D:href>/dav/principals/user/bob</D:href><CS:invite-declined/></CS:user></CS:invite>');
    assert.equal(myInviteStatus(inv, NS.CS, me, base), 'declined');
  });
  it('a lone entry is mine; one of several that is not mine is not', () => {
    assert.equal(myInviteStatus(parseXml('<D:invite xmlns:D="DAV:"><D:sharee><D:href>urn:x</D:href><D:invite-noresponse/></D:sharee></D:invite>'), NS.DAV, me, base), 'pending');
    assert.equal(myInviteStatus(parseXml('<D:invite xmlns:D="DAV:"><D:sharee><D:href>urn:x</D:href><D:invite-noresponse/></D:sharee><D:sharee><D:href>urn:y</D:href><D:invite-noresponse/></D:sharee></D:invite>'), NS.DAV, me, base), undefined);
  });
});

const inv = (id: string, name: string, email: string, status: Invitation['status'] = 'pending'): Invitation => ({
  id, url: new URL(`/dav/notifications/user/bob/${id}`, ORIGIN), form: 'cs',
  owner: { href: undefined, name: email.split('@')[0], email }, calendar: { url: new URL(`/dav/calendars/user/${email.split('@')[0]}/${name}/`, ORIGIN), name },
  summary: undefined, level: 'read', status, sent: undefined, sharedAs: undefined,
});

describe('pickInvitation', () => {
  const list = [inv('a1.xml', 'Work', 'alice@example.test'), inv('a2.xml', 'Home', 'alice@example.test', 'accepted'), inv('c1.xml', 'Team', 'carol@example.test')];
  const base = new URL('/', ORIGIN);
  it('by id (with or without .xml), calendar name (any case), owner address, calendar path', () => {
    assert.equal(pickInvitation(list, 'a2', base).id, 'a2.xml');
    assert.equal(pickInvitation(list, 'a2.xml', base).id, 'a2.xml');
    assert.equal(pickInvitation(list, 'work', base).id, 'a1.xml');
    assert.equal(pickInvitation(list, 'carol@example.test', base).id, 'c1.xml');
    assert.equal(pickInvitation(list, '/dav/calendars/user/alice/Home', base).id, 'a2.xml');
  });
  it('an owner with several: the one still pending', () => {
    assert.equal(pickInvitation(list, 'alice@example.test', base).id, 'a1.xml');
  });
  it('ambiguous or unknown: a usage error listing the candidates', () => {
    const two = [...list, inv('a3.xml', 'Other', 'alice@example.test')];
    assert.throws(() => pickInvitation(two, 'alice@example.test', base), (e: unknown) => e instanceof UsageError && /matches 3/.test(e.message));
    assert.throws(() => pickInvitation(list, 'nope', base), (e: unknown) => e instanceof UsageError && /Work/.test(e.message));
  });
  it('owner e-mail from a principal href via the server layout', () => {
    assert.equal(ownerEmail({ ownerHref: '/dav/principals/user/carol/' }, alice.url, ctx.layout), 'carol@example.test');
    assert.equal(ownerEmail({ ownerHref: 'mailto:Dave@Example.test' }, alice.url, ctx.layout), 'dave@example.test');
  });
});

const traits = (dav: string[], server?: string, allow: string[] = []) => ({ dav, allow, server });

describe('where a shared calendar reaches the sharee (steps)', () => {
  it('every rule carries its observation; the last matches anything', () => {
    for (const r of SHAREE_STEPS) assert.ok(r.step.seen.length > 20);
    assert.deepEqual(SHAREE_STEPS.at(-1)!.when, {});
  });
  it('per server, from the sharee\'s side', () => {
    assert.equal(shareeStepFor(traits(['1', 'calendar-access', 'calendarserver-sharing']), true).kind, 'accept-invitation'); // Cyrus
    assert.equal(shareeStepFor(traits(['1', 'oc-resource-sharing']), false).kind, 'in-home'); // Nextcloud
    assert.equal(shareeStepFor(traits(['1', 'access-control'], 'SOPE 4.9.37/WebDAV'), false).kind, 'subscribe'); // SOGo
    assert.equal(shareeStepFor(traits(['1', 'bind'], undefined, ['BIND', 'ACL']), false).kind, 'bind'); // DAViCal
    assert.equal(shareeStepFor(traits(['1']), false).kind, 'open-url');
    assert.equal(shareeStepFor({ ...traits(['1']), reports: ['{urn:inverse:params:xml:ns:inverse-dav}acl-query'] }, false).kind, 'subscribe'); // SOGo by its report
    assert.equal(shareeStepFor(traits(['1', 'bind'], undefined, ['ACL']), false).kind, 'bind'); // BIND is allowed on the home, not the calendar
  });
  it('per mechanism on the owner\'s side, corrected by the read-back status', () => {
    const cyrus = traits(['calendarserver-sharing']);
    assert.equal(ownerStep('cs', cyrus, 'pending'), 'accept-invitation');
    assert.equal(ownerStep('cs', cyrus, 'accepted'), 'in-home'); // sabre/dav 4, or Cyrus remembering
    assert.equal(ownerStep('resource-sharing', cyrus, 'declined'), 'declined');
    assert.equal(ownerStep('acl', traits(['access-control', 'bind'], undefined, ['ACL', 'BIND']), undefined), 'bind');
    assert.equal(ownerStep('acl', cyrus, undefined), 'open-url');
    assert.equal(ownerStep('acl-query', traits([]), undefined), 'subscribe');
    assert.equal(ownerStep('oc-share', traits([]), undefined), 'in-home');
    assert.equal(stepFor({ traits: traits([]), mechanism: 'acl' }).kind, 'open-url');
  });
  it('guidance names the person, the command and the URL', () => {
    const cal = { name: 'Team Work', url: 'https://h/caldav.php/alice/team/' };
    const g = guidance('accept-invitation', 'bob@example.test', cal);
    assert.equal(g.command, "calshare accept 'Team Work'");
    assert.match(g.text, /bob@example\.test must accept the invitation/);
    assert.equal(guidance('bind', 'bob', cal).command, 'calshare accept https://h/caldav.php/alice/team/');
    assert.equal(guidance('in-home', 'bob', cal).command, undefined);
    assert.match(guidance('open-url', 'bob', cal).text, /https:\/\/h\/caldav\.php\/alice\/team\//);
  });
});

const listing = (href: string, props: string) =>
  toCalendar(
    parseMultiStatus(
      `<d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/" xmlns:oc="http://owncloud.org/ns" xmlns:dv="http://xmlns.davical.org/davical"><d:response><d:href>${href}</d:href><d:propstat><d:prop>${props}</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>`,
      alice.homeUrl,
    )[0]!,
    { ...alice, url: new URL('/dav/principals/user/bob/', ORIGIN), homeUrl: new URL('/dav/calendars/user/bob/', ORIGIN) },
  );
const privs = (...p: string[]) => `<d:current-user-privilege-set>${p.map((x) => `<d:privilege><d:${x}/></d:privilege>`).join('')}</d:current-user-privilege-set>`;

describe('shared with me: owner, level held, origin', () => {
  it('Cyrus accepted invitation', () => {
    const c = listing('/dav/calendars/user/bob/alice.Work/', '<d:resourcetype><d:collection/><c:calendar/><cs:shared/></d:resourcetype><d:share-access><d:read/></d:share-access><cs:shared-url><d:href>/dav/calendars/user/alice/Work/</d:href></cs:shared-url><d:owner><d:href>/dav/principals/user/alice/</d:href></d:owner>');
    assert.equal(c.owned, false);
    assert.deepEqual([ownerOf(c, ctx.layout), heldLevel(c), originOf(c)], ['alice@example.test', 'read', 'invitation']);
    assert.equal(homeEntryFor([c], new URL('/dav/calendars/user/alice/Work/', ORIGIN)), c);
  });
  it('DAViCal binding: level from the privileges; no read = taken back', () => {
    const rt = '<d:resourcetype><d:collection/><c:calendar/><dv:webdav-binding/></d:resourcetype><d:owner><d:href>/caldav.php/alice/</d:href></d:owner>';
    const c = listing('/caldav.php/bob/alice.calendar/', rt + privs('read', 'write-content'));
    assert.deepEqual([heldLevel(c), originOf(c)], ['edit', 'binding']);
    assert.equal(homeEntryFor([c], new URL('/caldav.php/alice/calendar/', ORIGIN)), c);
    assert.equal(heldLevel(listing('/caldav.php/bob/alice.calendar/', rt + privs('read-free-busy'))), 'none');
  });
  it('Nextcloud: oc:owner-principal and oc:read-only', () => {
    const c = listing('/remote.php/dav/calendars/bob/personal_shared_by_alice/', '<d:resourcetype><d:collection/><c:calendar/></d:resourcetype><oc:owner-principal>principals/users/alice</oc:owner-principal><oc:read-only>1</oc:read-only><d:owner><d:href>/remote.php/dav/principals/users/alice/</d:href></d:owner>');
    assert.deepEqual([heldLevel(c), originOf(c), ownerOf(c, undefined)], ['read', 'server', 'alice']);
    assert.equal(heldLevel(listing('/x/', '<oc:read-only>\n</oc:read-only>')), 'edit');
  });
  it('SOGo subscription "<owner>_<calendar>"', () => {
    const c = listing('/SOGo/dav/bob/Calendar/alice_personal/', '<d:resourcetype><d:collection/><c:calendar/></d:resourcetype><d:owner><d:href>/SOGo/dav/alice/</d:href></d:owner>' + privs('read'));
    assert.deepEqual([heldLevel(c), originOf(c), c.owned], ['read', 'subscription', false]);
    assert.equal(homeEntryFor([c], new URL('/SOGo/dav/alice/Calendar/personal/', ORIGIN)), c);
  });
});
