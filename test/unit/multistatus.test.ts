import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { hrefUrl, parseDavError, parseMultiStatus, parseStatusLine, prop, propStatus } from '../../src/xml/multistatus.js';
import { textOf, XmlError } from '../../src/xml/parse.js';
import { NS, qn } from '../../src/xml/names.js';

const D = (n: string) => qn(NS.DAV, n);
const base = new URL('https://cal.example.com/dav/calendars/alice/');

const MULTISTATUS = `<?xml version="1.0" encoding="utf-8"?>
<D:multistatus xmlns:D="DAV:" xmlns:CS="http://calendarserver.org/ns/">
  <D:response>
    <D:href>/dav/calendars/alice/work/</D:href>
    <D:propstat>
      <D:prop><D:displayname>Work</D:displayname></D:prop>
      <D:status>HTTP/1.1 200 OK</D:status>
    </D:propstat>
    <D:propstat>
      <D:prop><CS:invite/><D:acl/></D:prop>
      <D:status>HTTP/1.1 404 Not Found</D:status>
    </D:propstat>
    <D:propstat>
      <D:prop><D:owner/></D:prop>
      <D:status>HTTP/1.1 403 Forbidden</D:status>
    </D:propstat>
  </D:response>
  <D:response>
    <D:href>home%20cal/</D:href>
    <D:propstat>
      <D:prop><D:displayname/></D:prop>
      <D:status>HTTP/1.1 200 OK</D:status>
    </D:propstat>
  </D:response>
  <D:response>
    <D:href>https://other.example.net/shared/x/</D:href>
    <D:status>HTTP/1.1 404 Not Found</D:status>
  </D:response>
  <D:response>
    <D:propstat><D:prop><D:displayname>no href</D:displayname></D:prop><D:status>HTTP/1.1 200 OK</D:status></D:propstat>
  </D:response>
</D:multistatus>`;

describe('parseMultiStatus', () => {
  const [work, home, other, ...rest] = parseMultiStatus(MULTISTATUS, base);

  it('resolves absolute-path, relative and absolute hrefs against the request URL', () => {
    assert.equal(work?.url.href, 'https://cal.example.com/dav/calendars/alice/work/');
    assert.equal(home?.url.href, 'https://cal.example.com/dav/calendars/alice/home%20cal/');
    assert.equal(other?.url.href, 'https://other.example.net/shared/x/');
  });

  it('keeps an unescaped "?" or "#" in an href as part of the resource name (Cyrus sends them raw)', () => {
    const u = hrefUrl('/dav/calendars/alice/q?x#y/', base);
    assert.equal(u.pathname, '/dav/calendars/alice/q%3Fx%23y/');
    assert.equal(u.search + u.hash, '');
    assert.equal(hrefUrl('/dav/calendars/alice/q%3Fx/', base).pathname, '/dav/calendars/alice/q%3Fx/', 'an escaped one is left alone');
  });

  it('skips a response without an href', () => {
    assert.equal(rest.length, 0);
  });

  it('prop() returns only properties answered with 2xx; propStatus() tells the rest apart', () => {
    assert.ok(work);
    assert.equal(textOf(prop(work, D('displayname'))), 'Work');
    assert.equal(prop(work, qn(NS.CS, 'invite')), undefined);
    assert.equal(propStatus(work, qn(NS.CS, 'invite')), 404);
    assert.equal(prop(work, D('acl')), undefined);
    assert.equal(propStatus(work, D('acl')), 404);
    assert.equal(prop(work, D('owner')), undefined);
    assert.equal(propStatus(work, D('owner')), 403);
    assert.equal(propStatus(work, D('displayname')), 200);
    assert.equal(propStatus(work, D('resourcetype')), undefined, 'not returned at all');
  });

  it('matches properties by namespace, not by local name', () => {
    assert.ok(work);
    assert.equal(propStatus(work, D('invite')), undefined); // only CS:invite was answered
  });

  it('reads an empty 200 property as present with empty text', () => {
    assert.ok(home);
    assert.equal(textOf(prop(home, D('displayname'))), '');
  });

  it('reads a response-level status when there is no propstat', () => {
    assert.equal(other?.status, 404);
    assert.equal(other?.props.size, 0);
    assert.equal(work?.status, undefined);
  });

  it('refuses a body whose root is not DAV:multistatus', () => {
    assert.throws(() => parseMultiStatus('<D:error xmlns:D="DAV:"/>', base), XmlError);
    // The right local name in the wrong namespace is not a multistatus either.
    assert.throws(() => parseMultiStatus('<multistatus xmlns="urn:not-dav"/>', base), XmlError);
    assert.throws(() => parseMultiStatus('<html><body>Login</body></html>', base), XmlError);
  });

  it('refuses an href that is not a URL with an XmlError, not a stray TypeError', () => {
    const body = '<D:multistatus xmlns:D="DAV:"><D:response><D:href>http://[broken/</D:href></D:response></D:multistatus>';
    assert.throws(() => parseMultiStatus(body, base), XmlError);
  });

  it('treats a propstat with an unreadable status as not successful', () => {
    const body =
      '<D:multistatus xmlns:D="DAV:"><D:response><D:href>/x</D:href>' +
      '<D:propstat><D:prop><D:displayname>x</D:displayname></D:prop><D:status>weird</D:status></D:propstat>' +
      '</D:response></D:multistatus>';
    const [r] = parseMultiStatus(body, base);
    assert.ok(r);
    assert.equal(prop(r, D('displayname')), undefined);
  });
});

describe('parseStatusLine', () => {
  for (const [line, code] of [
    ['HTTP/1.1 200 OK', 200],
    ['HTTP/1.0 404 Not Found', 404],
    ['  HTTP/1.1 207 Multi-Status\n', 207],
    ['HTTP/2 403 Forbidden', 403],
    ['HTTP/1.1 424', 424],
  ] as const) {
    it(`reads ${JSON.stringify(line)} as ${code}`, () => assert.equal(parseStatusLine(line), code));
  }
  for (const line of [undefined, '', '200 OK', 'HTTP/1.1 OK', 'HTTP/1.1 2000 Too Long', 'FTP/1.1 200 OK']) {
    it(`gives undefined for ${JSON.stringify(line)}`, () => assert.equal(parseStatusLine(line), undefined));
  }
});

describe('parseDavError', () => {
  it('names DAV: preconditions bare', () => {
    const body = `<?xml version="1.0"?>
      <D:error xmlns:D="DAV:">
        <D:need-privileges>
          <D:resource><D:href>/cal/work/</D:href><D:privilege><D:write-acl/></D:privilege></D:resource>
        </D:need-privileges>
      </D:error>`;
    assert.deepEqual(parseDavError(body)?.conditions, ['need-privileges']);
    assert.deepEqual(parseDavError('<error xmlns="DAV:"><recognized-principal/></error>')?.conditions, ['recognized-principal']);
    assert.deepEqual(parseDavError('<x:error xmlns:x="DAV:"><x:no-ace-conflict/></x:error>')?.conditions, ['no-ace-conflict']);
  });

  it('labels CalDAV, CalendarServer and unknown namespaces', () => {
    const body =
      '<d:error xmlns:d="DAV:" xmlns:cal="urn:ietf:params:xml:ns:caldav" xmlns:s="http://calendarserver.org/ns/" xmlns:z="urn:z">' +
      '<cal:valid-calendar-data/><s:invalid-sharee/><z:odd/></d:error>';
    assert.deepEqual(parseDavError(body)?.conditions, ['C:valid-calendar-data', 'CS:invalid-sharee', '{urn:z}:odd']);
  });

  it('reads an empty DAV:error as no conditions', () => {
    assert.deepEqual(parseDavError('<d:error xmlns:d="DAV:"/>'), { conditions: [] });
  });

  it('gives undefined for HTML, plain text, malformed XML and other XML', () => {
    assert.equal(parseDavError('<!DOCTYPE html><html><body><h1>403 Forbidden</h1></body></html>'), undefined);
    assert.equal(parseDavError('<html><body>Forbidden<br></body></html>'), undefined);
    assert.equal(parseDavError('Forbidden'), undefined);
    assert.equal(parseDavError(''), undefined);
    assert.equal(parseDavError('<d:error xmlns:d="DAV:">'), undefined);
    assert.equal(parseDavError('<error xmlns="urn:not-dav"><need-privileges/></error>'), undefined);
  });
});
