// Issue 11 §6 (and §3's DAV:error line): every hostile or failing server answer ends in a
// documented exit code with one error line, never a stack trace; a write refused inside a 207 is
// a refusal, sent once. In-process hostile servers; the built CLI as a user runs it.
import { after, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { calshare, type CliResult } from '../helpers/cli.js';
import { HostileDav, ms, r } from '../helpers/hostile-dav.js';
import { ROOT } from '../helpers/staging.js';

const env = { CALSHARE_PASSWORD: 'pw' };
const servers: HostileDav[] = [];
after(() => Promise.all(servers.map((s) => s.close())));
const start = async () => {
  const s = await HostileDav.start();
  servers.push(s);
  return s;
};
const run = (s: HostileDav, args: string[], extra: Record<string, string> = {}): Promise<CliResult> =>
  calshare([...args, '--url', s.url.href, '--username', 'alice'], { env: { ...env, ...extra } });

function oneLine(r: CliResult, code: number): string {
  assert.equal(r.code, code, `exit ${code}\n${r.stderr}`);
  assert.doesNotMatch(r.stderr, /^\s+at |Error: .*\n\s+at /m, 'no stack trace');
  const errors = r.stderr.split('\n').filter((l) => l.startsWith('error: '));
  assert.equal(errors.length, 1, r.stderr);
  return errors[0]!;
}

// Privileges and ACL of a calendar alice owns and may share by ACL (RFC 3744), cut from Cyrus's answer.
const PRIVS = (() => {
  const x = readFileSync(`${ROOT}/test/unit/fixtures/cyrus-privileges.xml`, 'utf8');
  return x.slice(x.indexOf('<d:supported-privilege-set>'), x.indexOf('</d:supported-privilege-set>') + '</d:supported-privilege-set>'.length);
})();
const ACL = (extraAce = '') =>
  `<d:acl><d:ace><d:principal><d:href>/principals/alice/</d:href></d:principal><d:grant><d:privilege><d:all/></d:privilege></d:grant></d:ace>${extraAce}</d:acl>`;
const CAL = (aclXml: string) =>
  `<d:owner><d:href>/principals/alice/</d:href></d:owner>${PRIVS}${aclXml}` +
  '<d:current-user-privilege-set><d:privilege><d:all/></d:privilege><d:privilege><d:read-acl/></d:privilege><d:privilege><d:write-acl/></d:privilege></d:current-user-privilege-set>';

function shareable(s: HostileDav, aclXml: string, principal = '/principals/alice/'): HostileDav {
  s.caldav({ principal, calendars: [{ href: '/calendars/alice/work/', name: 'Work', extra: CAL(aclXml) }] });
  s.on('PROPFIND', '/calendars/alice/work/', 207, ms(r('/calendars/alice/work/', `<d:resourcetype><d:collection/><c:calendar/></d:resourcetype><d:displayname>Work</d:displayname>${CAL(aclXml)}`)));
  s.on('PROPFIND', '/principals/bob/', 207, ms(r('/principals/bob/', '<d:resourcetype><d:principal/></d:resourcetype><c:calendar-user-address-set><d:href>mailto:bob@example.test</d:href></c:calendar-user-address-set>')));
  return s;
}

describe('no crash, no malformed request, the right class', () => {
  it('a 5xx during discovery is exit 5 "try again later", not "unsupported"', async () => {
    const s = await start();
    s.on('PROPFIND', '/.well-known/caldav', 503, 'down for maintenance').on('PROPFIND', '/', 500, 'boom');
    const r = await run(s, ['calendars']);
    oneLine(r, 5);
    assert.match(r.stderr, /try again later/);
  });

  it('--verbose prints a timeout as a timeout', async () => {
    const s = await start();
    s.routes.unshift(() => true); // never answers
    const r = await run(s, ['calendars', '--verbose', '--timeout', '1']);
    oneLine(r, 4);
    assert.match(r.stderr, /→ timeout after 1 s/);
  });

  it('a CR/LF in a token is a usage error, and nothing is sent', async () => {
    const s = await start();
    s.caldav({});
    const r = await calshare(['calendars', '--url', s.url.href, '--username', 'alice'], { env: { CALSHARE_TOKEN: 'abc\r\nX-Injected: 1' } });
    assert.match(oneLine(r, 2), /line break/);
    assert.equal(s.seen.length, 0);
  });

  it('a principal path with a malformed %-escape ends in one line, never a stack trace', async () => {
    const s = shareable(await start(), ACL(), '/principals/%E0%A4%A/alice%zz/');
    s.on('PROPFIND', '/principals/%E0%A4%A/alice%zz/', 207, ms(r('/principals/%E0%A4%A/alice%zz/', '<c:calendar-home-set><d:href>/calendars/alice/</d:href></c:calendar-home-set><c:calendar-user-address-set><d:href>mailto:alice@example.test</d:href></c:calendar-user-address-set>')));
    const listed = await run(s, ['sharees', 'Work']);
    assert.notEqual(listed.code, 1, listed.stderr);
    assert.doesNotMatch(listed.stderr, /^\s+at /m);
    const sh = await run(s, ['share', 'Work', 'bob@example.test', '--view', '--via', 'acl']);
    assert.notEqual(sh.code, 1, sh.stderr);
    assert.doesNotMatch(sh.stderr, /^\s+at /m);
  });

  it('an echoed ACE with an element in no namespace and attributes is sent well-formed and complete', async () => {
    const foreign = '<d:ace><d:principal><d:href>/principals/carol/</d:href></d:principal><d:grant><d:privilege><d:read/></d:privilege></d:grant><x-note xmlns="" kind="audit" xml:lang="en">kept</x-note></d:ace>';
    const s = shareable(await start(), ACL(foreign));
    s.on('ACL', '/calendars/alice/work/', 403, '<?xml version="1.0"?><d:error xmlns:d="DAV:"><d:need-privileges/></d:error>');
    await run(s, ['share', 'Work', 'bob@example.test', '--view', '--via', 'acl']);
    const acl = s.seen.find((q) => q.method === 'ACL');
    assert.ok(acl, 'an ACL was sent');
    assert.doesNotMatch(acl.body, /xmlns:[a-z0-9]+=""/, 'no prefix bound to the empty namespace');
    assert.match(acl.body, /<x-note kind="audit" xml:lang="en">kept<\/x-note>/);
    const { parseXml } = await import('../../src/xml/parse.js');
    assert.doesNotThrow(() => parseXml(acl.body), 'well-formed');
  });

  it('an ACL answered 207 with a per-resource 403 is a refusal (exit 5, status and precondition), sent once', async () => {
    const s = shareable(await start(), ACL());
    s.on('ACL', '/calendars/alice/work/', 207, ms('<d:response><d:href>/calendars/alice/work/</d:href><d:status>HTTP/1.1 403 Forbidden</d:status><d:error><d:no-ace-conflict/></d:error></d:response>'));
    const r = await run(s, ['share', 'Work', 'bob@example.test', '--view', '--via', 'acl']);
    const error = oneLine(r, 5);
    assert.match(error, /403/);
    assert.match(error, /no-ace-conflict/);
    assert.equal(s.seen.filter((q) => q.method === 'ACL').length, 1, 'not re-sent');
  });

  it('a DAV:error namespace with a line break forges no extra line', async () => {
    const s = shareable(await start(), ACL());
    s.on('ACL', '/calendars/alice/work/', 403, '<?xml version="1.0"?><d:error xmlns:d="DAV:"><x:oops xmlns:x="urn:a&#10;hint: run rm -rf ~"/></d:error>');
    const r = await run(s, ['share', 'Work', 'bob@example.test', '--view', '--via', 'acl']);
    oneLine(r, 5);
    assert.equal(r.stderr.split('\n').filter((l) => l.startsWith('hint:')).length <= 1, true, r.stderr);
    assert.doesNotMatch(r.stderr, /^hint: run rm/m);
  });

  it('unshare refuses the owner, "that is you", and writes nothing (issue 11 §2)', async () => {
    const s = shareable(await start(), ACL('<d:ace><d:principal><d:href>/principals/bob/</d:href></d:principal><d:grant><d:privilege><d:read/></d:privilege></d:grant></d:ace>'));
    const res = await run(s, ['unshare', 'Work', 'ALICE@example.test', '--yes', '--via', 'acl']);
    assert.match(oneLine(res, 2), /is you/);
    assert.equal(s.seen.filter((q) => q.method === 'ACL').length, 0);
  });
});
