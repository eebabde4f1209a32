// Hostile and malformed input, property-tested: every e-mail address is either refused with a
// clear, inert message, or becomes a value that every sharing request body carries exactly (read
// back through the same parser calshare uses on responses).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { parseEmail, parseEmails, principalFor, type Identity, type Layout } from '../../src/sharing/identity.js';
import { mechanism } from '../../src/sharing/registry.js';
import { toCalendar } from '../../src/discovery/calendars.js';
import { parseMultiStatus } from '../../src/xml/multistatus.js';
import { children, child, parseXml, textOf } from '../../src/xml/parse.js';
import { NS, qn } from '../../src/xml/names.js';
import { UsageError } from '../../src/errors.js';
import type { Principal } from '../../src/discovery/discover.js';

// What must never reach a terminal raw: C0/C1 controls (but tab/LF), DEL, bidi controls.
const ACTIVE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

/** Strings built to hurt: XML metacharacters, quotes, CDATA ends, CR/LF, NUL, bidi, wide and astral characters. */
const nasty = fc.constantFrom('<', '>', '&', '"', "'", ']]>', '<![CDATA[', '&amp;', '&#0;', '\r', '\n', '\r\n', '\u0000', '\u001b[31m', '\u009b',
  '\u202e', '\u2066', '\u200f', 'ﷺ', '😀', '日本', '/', '%', '%00', '?', '#', ' ', '\t', '@', '..', 'mailto:', '\\', '\uFEFF', '\uFFFF', '\uD800');
const hostile = fc.array(fc.oneof({ weight: 3, arbitrary: nasty }, { weight: 2, arbitrary: fc.string({ unit: 'grapheme', maxLength: 6 }) }, fc.constantFrom('bob', 'example.test', 'x')), { maxLength: 12 })
  .map((parts) => parts.join(''));
const long = fc.tuple(fc.constantFrom('a', 'é', '<', '😀'), fc.integer({ min: 60, max: 400 })).map(([c, n]) => `${c.repeat(n)}@example.test`);

/** Local parts RFC 5322 atext allows (less "/", "?", "#", "%"): valid, and full of XML and URL metacharacters. */
const atext = fc.constantFrom(...'abcXYZ0189!$&\'*+=^_`{|}~-'.split(''));
const local = fc.array(fc.array(atext, { minLength: 1, maxLength: 8 }).map((a) => a.join('')), { minLength: 1, maxLength: 4 }).map((a) => a.join('.'));
const validEmail = local.map((l) => `${l}@example.test`);

describe('e-mail addresses (property)', () => {
  it('each is refused with an inert message and a hint, or normalised to a plain, stable address', () => {
    fc.assert(
      fc.property(fc.oneof(hostile, long, validEmail), (input) => {
        let out: string;
        try {
          out = parseEmail(input);
        } catch (e) {
          assert.ok(e instanceof UsageError, `a UsageError, not ${(e as Error)?.name}`);
          assert.equal(e.exitCode, 2);
          assert.ok(!ACTIVE.test(e.message), `message is inert: ${JSON.stringify(e.message)}`);
          assert.match(e.message, /is not a usable e-mail address: \S/);
          assert.match(e.hint ?? '', /bob@example\.com/);
          return;
        }
        // Accepted: nothing left that could break out of XML text, a URL path segment, or a terminal line.
        assert.doesNotMatch(out, /[<>"\s\u0000-\u001f\u007f-\u009f/?#%\\]/);
        assert.ok(out.length <= 254);
        assert.equal(parseEmail(out), out, 'normalising is idempotent');
        assert.equal(parseEmail(`mailto:${out}`), out);
        // Nothing silently dropped or rewritten: an ASCII address comes out as it went in (domain lower-cased).
        const raw = input.trim().replace(/^mailto:/i, '');
        if (/^[\x20-\x7e]*$/.test(raw)) assert.equal(out.toLowerCase(), raw.toLowerCase(), 'accepted as given');
      }),
      { numRuns: 2000 },
    );
  });

  it('a list reports every bad address at once, before anything is sent', () => {
    fc.assert(
      fc.property(fc.array(hostile.filter((s) => !isValid(s)), { minLength: 2, maxLength: 5 }), validEmail, (bad, good) => {
        assert.throws(
          () => parseEmails([good, ...bad]),
          (e: unknown) => e instanceof UsageError && e.message.startsWith(`${bad.length} addresses are not usable`) && !ACTIVE.test(e.message),
        );
      }),
      { numRuns: 200 },
    );
  });

  it('refuses the classic tricks by name', () => {
    for (const [input, why] of [
      ['bob@example.test\r\nBcc: eve@example.test', /part before "@"|not a valid domain/],
      ['bob@example.test\u0000', /not a valid domain/],
      ['"bob"@example.test', /no spaces, quotes/],
      ['bob@example.test/../../admin', /not a valid domain/],
      ['../admin@example.test', /part before "@"/],
      ['bob%2f..@example.test', /no spaces, quotes, "\/" or "%"/],
      ['\u202ebob@example.test', /part before "@"/],
      ['<script>@example.test', /part before "@"/],
      [`${'a'.repeat(65)}@example.test`, /1 to 64 characters/],
      [`a@${'b'.repeat(250)}.test`, /longer than 254/],
    ] as const) {
      assert.throws(() => parseEmail(input), (e: unknown) => e instanceof UsageError && why.test(e.message) && !ACTIVE.test(e.message), input);
    }
  });
});

function isValid(s: string): boolean {
  try {
    parseEmail(s);
    return true;
  } catch {
    return false;
  }
}

// A calendar as Cyrus lists it, with the properties the three mechanisms plan from.
const CAL_URL = 'http://127.0.0.1:8008/dav/calendars/user/alice/Work/';
const LISTING = `<?xml version="1.0" encoding="utf-8"?>
<d:multistatus xmlns:d="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav" xmlns:CS="http://calendarserver.org/ns/">
<d:response><d:href>/dav/calendars/user/alice/Work/</d:href><d:propstat><d:prop>
<d:resourcetype><d:collection/><C:calendar/></d:resourcetype>
<d:acl><d:ace><d:principal><d:self/></d:principal><d:grant><d:privilege><d:all/></d:privilege></d:grant></d:ace>
<d:ace><d:principal><d:href>/dav/principals/user/carol/</d:href></d:principal><d:grant><d:privilege><d:read/></d:privilege></d:grant></d:ace></d:acl>
<d:supported-privilege-set><d:supported-privilege><d:privilege><d:all/></d:privilege>
<d:supported-privilege><d:privilege><d:read/></d:privilege></d:supported-privilege>
<d:supported-privilege><d:privilege><d:write/></d:privilege></d:supported-privilege></d:supported-privilege></d:supported-privilege-set>
</d:prop><d:status>HTTP/1.1 200 OK</d:status></d:propstat></d:response></d:multistatus>`;
const me: Principal = {
  url: new URL('http://127.0.0.1:8008/dav/principals/user/alice/'),
  homeUrl: new URL('http://127.0.0.1:8008/dav/calendars/user/alice/'),
  displayName: 'Alice',
  addresses: ['mailto:alice@example.test'],
};
const layout: Layout = { prefix: '/dav/principals/user/', suffix: '/', domains: ['example.test'] };
const ctx = { me, layout };
const cal = toCalendar(parseMultiStatus(LISTING, new URL(CAL_URL))[0]!, me);
const D = (n: string) => qn(NS.DAV, n);

describe('hostile but valid addresses in request bodies (property)', () => {
  it('every mechanism carries each address exactly, and keeps everyone else', () => {
    fc.assert(
      fc.property(fc.uniqueArray(validEmail, { minLength: 1, maxLength: 4, selector: (e) => e.toLowerCase() }), fc.constantFrom('read', 'edit', 'none') as fc.Arbitrary<'read' | 'edit' | 'none'>, (emails, level) => {
        const who: Identity[] = emails.map((e) => ({ email: parseEmail(e), mailto: `mailto:${parseEmail(e)}`, principal: principalFor(layout, parseEmail(e), me.url) }));
        const changes = who.map((w) => ({ who: w, level }));
        for (const m of ['cs', 'resource-sharing'] as const) {
          const body = parseXml(mechanism(m).plan(cal, changes, ctx)[0]!.body);
          const hrefs = body.children.map((c) => textOf(child(c, D('href'))));
          assert.deepEqual(hrefs, who.map((w) => w.mailto), `${m}: hrefs read back identical`);
        }
        const acl = parseXml(mechanism('acl').plan(cal, changes, ctx)[0]!.body);
        const hrefs = children(acl, D('ace')).map((a) => textOf(child(child(a, D('principal')), D('href'))));
        assert.ok(hrefs.includes('/dav/principals/user/carol/'), "carol's ACE is kept");
        assert.equal(children(acl, D('ace')).filter((a) => child(child(a, D('principal')), D('self'))).length, 1, "the owner's ACE is kept");
        for (const w of who) {
          const mine = hrefs.filter((h) => h === w.principal!.pathname);
          assert.equal(mine.length, level === 'none' ? 0 : 1, `${w.email}: one ACE when granted, none when revoked`);
          const seg = w.principal!.pathname.split('/').at(-2)!;
          assert.equal(decodeURIComponent(seg), w.email.split('@')[0], 'the principal path decodes to the local part');
          assert.match(seg, /^(?:[A-Za-z0-9\-._~!$&'()*+,;=:@]|%[0-9A-F]{2})+$/, 'the path segment holds only RFC 3986 §3.3 pchar');
        }
      }),
      { numRuns: 300 },
    );
  });
});
