// Pure parts of delegation: planning a proxy group's member set (others kept as spelled), reading
// levels from the two groups, and reading a member's address for listings.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { levelIn, memberSetBody, membersOf, planGroup, proxyGroupUrls, type DelegationState } from '../../src/delegation/proxy.js';
import { addressesOf } from '../../src/delegation/people.js';
import { parseMultiStatus } from '../../src/xml/multistatus.js';
import { parseXml } from '../../src/xml/parse.js';

const owner = new URL('http://h/principals/alice/');
const groups = proxyGroupUrls(owner);
const state = (read: string[], write: string[]): DelegationState => ({ groups, read: { url: groups.read, hrefs: read }, write: { url: groups.write, hrefs: write } });
const P = (u: string) => new URL(`http://h/principals/${u}/`);

test('proxy groups are the two children of the owner principal (caldav-proxy.txt §5.1)', () => {
  assert.equal(groups.read.href, 'http://h/principals/alice/calendar-proxy-read/');
  assert.equal(proxyGroupUrls(new URL('http://h/SOGo/dav/alice')).write.href, 'http://h/SOGo/dav/alice/calendar-proxy-write/');
});

test('levels: edit wins over read; trailing slashes do not matter', () => {
  const s = state(['/principals/bob', '/principals/carol/'], ['/principals/carol']);
  assert.equal(levelIn(s, P('bob')), 'read');
  assert.equal(levelIn(s, P('carol')), 'edit');
  assert.equal(levelIn(s, P('dave')), 'none');
  assert.deepEqual(membersOf(s).map((m) => [m.principal.pathname, m.level]), [['/principals/carol', 'edit'], ['/principals/bob', 'read']]);
});

test('planning keeps members nobody asked about exactly as the server spelled them', () => {
  const s = state(['/principals/carol', 'http://h/principals/x%20y/'], []);
  assert.deepEqual(planGroup(s.read, 'read', [{ principal: P('bob'), level: 'read' }], owner), ['/principals/carol', 'http://h/principals/x%20y/', '/principals/bob/']);
  assert.deepEqual(planGroup(s.read, 'read', [{ principal: P('carol'), level: 'none' }], owner), ['http://h/principals/x%20y/']);
  // Moving carol to edit: dropped from read, added to write; nothing to do where she already is.
  assert.deepEqual(planGroup(s.read, 'read', [{ principal: P('carol'), level: 'edit' }], owner), ['http://h/principals/x%20y/']);
  assert.deepEqual(planGroup(s.write, 'write', [{ principal: P('carol'), level: 'edit' }], owner), ['/principals/carol/']);
  assert.equal(planGroup(s.read, 'read', [{ principal: P('carol'), level: 'read' }], owner), undefined);
  assert.equal(planGroup(s.write, 'write', [{ principal: P('bob'), level: 'none' }], owner), undefined);
});

test('the PROPPATCH body escapes hrefs and sets the whole group-member-set', () => {
  const body = memberSetBody(['/p/a&b/']);
  const root = parseXml(body);
  assert.equal(root.name, 'propertyupdate');
  assert.match(body, /<d:group-member-set><d:href>\/p\/a&#38;b\/<\/d:href><\/d:group-member-set>/);
  assert.match(memberSetBody([]), /<d:group-member-set\/>/);
});

test('a member principal\'s addresses come from whichever address property is readable (listings)', () => {
  const body = `<?xml version="1.0"?><d:multistatus xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav" xmlns:cs="http://calendarserver.org/ns/">
    <d:response><d:href>/p/bob/</d:href><d:propstat><d:prop><c:calendar-user-address-set><d:href>MAILTO:Bob@example.test</d:href><d:href>/p/bob/</d:href></c:calendar-user-address-set><cs:email-address-set><cs:email-address>bob@example.test</cs:email-address></cs:email-address-set></d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response>
  </d:multistatus>`;
  assert.deepEqual(addressesOf(parseMultiStatus(body, new URL('http://h/p/'))[0]!), ['bob@example.test', '/p/bob/', 'bob@example.test']);
});

test('an audit folds what the delegation itself explains into the delegate row', async () => {
  const { foldDelegation } = await import('../../src/delegation/audit.js');
  const cal = { owned: true } as never;
  const s = (email: string | undefined, principal: string | undefined, level: 'read' | 'edit') => ({ email, principal, name: undefined, level, status: undefined, sources: ['acl' as const] });
  const list = [{ calendar: cal, fromHome: new Set<string>(), sharees: [
    s(undefined, 'http://h/principals/alice/calendar-proxy-read/', 'read'), // the owner's own group (SabreDAV, DAViCal)
    s('erin@example.test', 'http://h/principals/erin/', 'read'), // SOGo's derived grant of a view delegate
    s('frank@example.test', 'http://h/principals/frank/', 'edit'), // a real share above the delegation: kept
    s('carol@example.test', 'http://h/principals/carol/', 'read'), // not a delegate: kept
  ] }];
  const d = (email: string, level: 'read' | 'edit') => ({ email, name: undefined, principal: `http://h/principals/${email.split('@')[0]}/`, level });
  foldDelegation(list as never, [d('erin@example.test', 'read'), d('frank@example.test', 'read')], owner);
  assert.deepEqual(list[0]!.sharees.map((x) => x.email), ['frank@example.test', 'carol@example.test']);
});
