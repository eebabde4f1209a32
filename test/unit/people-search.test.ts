// People by address through principal-property-search (RFC 3744 §9.4): the request body, and above
// all the exact filter over a server's substring matches (DAViCal 1.1.12 answers "ob@example.test"
// with bob, and "example.test" with everyone).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { exactMatches, searchBody } from '../../src/people/search.js';
import { parseMultiStatus } from '../../src/xml/multistatus.js';
import { parseXml, children, textOf } from '../../src/xml/parse.js';
import { NS, qn } from '../../src/xml/names.js';

const BASE = new URL('http://127.0.0.1:8100/caldav.php/');
const x = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;');

/** A DAViCal-shaped answer: prefixes as DAViCal writes them, one response per principal. */
const answer = (people: { user: string; mailtos: string[]; name?: string }[]) =>
  parseMultiStatus(
    `<?xml version="1.0" encoding="utf-8" ?>
<multistatus xmlns="DAV:" xmlns:C="urn:ietf:params:xml:ns:caldav">${people
      .map(
        (p) => ` <response><href>/caldav.php/${p.user}/</href><propstat><prop>
    ${p.name ? `<displayname>${p.name}</displayname>` : ''}
    <C:calendar-user-address-set>${p.mailtos.map((m) => `<href>${x(m)}</href>`).join('')}<href>/caldav.php/${p.user}/</href></C:calendar-user-address-set>
   </prop><status>HTTP/1.1 200 OK</status></propstat></response>`,
      )
      .join('')}</multistatus>`,
    BASE,
  );

const everyone = answer([
  { user: 'alice', mailtos: ['mailto:alice@example.test'], name: 'Alice Example' },
  { user: 'bob', mailtos: ['mailto:bob@example.test'], name: 'Bob Example' },
  { user: 'rob', mailtos: ['mailto:rob@example.test'] },
  { user: 'bobby', mailtos: ['mailto:bobby@example.test'] },
]);

describe('searchBody', () => {
  it('asks for one mailto: on C:calendar-user-address-set across the principal collections', () => {
    const root = parseXml(searchBody('mailto:bob@example.test'));
    assert.equal(`${root.ns}${root.name}`, 'DAV:principal-property-search');
    const ps = children(root, qn(NS.DAV, 'property-search'));
    assert.equal(ps.length, 1);
    assert.equal(textOf(children(ps[0], qn(NS.DAV, 'match'))[0]), 'mailto:bob@example.test');
    assert.equal(children(children(ps[0], qn(NS.DAV, 'prop'))[0], qn(NS.CALDAV, 'calendar-user-address-set')).length, 1);
    assert.equal(children(root, qn(NS.DAV, 'apply-to-principal-collection-set')).length, 1);
  });

  it('carries any address as text, never as markup', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'grapheme' }).filter((s) => !/[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/u.test(s)), (s) => {
        const root = parseXml(searchBody(`mailto:${s}`));
        const match = children(children(root, qn(NS.DAV, 'property-search'))[0], qn(NS.DAV, 'match'))[0];
        assert.equal(match?.children.length, 0);
        assert.equal(textOf(match), `mailto:${s}`.replace(/\r\n?/g, '\n').trim()); // textOf trims; XML folds CR (§2.11)
      }),
    );
  });
});

describe('exactMatches', () => {
  it('keeps only the principal whose address set holds exactly that mailto: (a substring search returns more)', () => {
    const { found, ambiguous } = exactMatches(everyone, ['bob@example.test']);
    assert.equal(ambiguous.size, 0);
    assert.deepEqual([...found.keys()], ['bob@example.test']);
    assert.equal(found.get('bob@example.test')!.principal.href, 'http://127.0.0.1:8100/caldav.php/bob/');
    assert.equal(found.get('bob@example.test')!.name, 'Bob Example');
  });

  it('compares case-insensitively, as DAViCal matches', () => {
    const { found } = exactMatches(everyone, ['Bob@Example.TEST']);
    assert.equal(found.get('bob@example.test')!.principal.pathname, '/caldav.php/bob/');
  });

  it('finds nobody for an address only contained in others ("ob@example.test")', () => {
    assert.equal(exactMatches(everyone, ['ob@example.test']).found.size, 0);
    assert.equal(exactMatches([], ['bob@example.test']).found.size, 0);
  });

  it('ignores non-mailto hrefs in the address set (the principal URL DAViCal lists there)', () => {
    assert.equal(exactMatches(everyone, ['/caldav.php/bob/']).found.size, 0);
  });

  it('refuses to guess when two principals claim the same address', () => {
    const twice = answer([
      { user: 'bob', mailtos: ['mailto:bob@example.test'] },
      { user: 'team', mailtos: ['mailto:bob@example.test'] },
    ]);
    const { found, ambiguous } = exactMatches(twice, ['bob@example.test']);
    assert.equal(found.size, 0);
    assert.deepEqual(ambiguous.get('bob@example.test')!.map((u) => u.pathname), ['/caldav.php/bob/', '/caldav.php/team/']);
  });

  it('counts the same principal answered twice (two searches) once', () => {
    const { found, ambiguous } = exactMatches([...everyone, ...everyone], ['bob@example.test', 'rob@example.test']);
    assert.equal(ambiguous.size, 0);
    assert.deepEqual([...found.keys()].sort(), ['bob@example.test', 'rob@example.test']);
  });

  it('never matches an address that was not asked for, whatever the server answers', () => {
    fc.assert(
      fc.property(fc.array(fc.emailAddress(), { maxLength: 6 }), fc.array(fc.emailAddress(), { maxLength: 3 }), (held, asked) => {
        const resp = answer(held.map((m, i) => ({ user: `u${i}`, mailtos: [`mailto:${m}`] })));
        const { found, ambiguous } = exactMatches(resp, asked);
        const askedLower = new Set(asked.map((a) => a.toLowerCase()));
        for (const k of [...found.keys(), ...ambiguous.keys()]) assert.ok(askedLower.has(k));
        for (const [k, p] of found) assert.ok(held.map((h) => h.toLowerCase()).includes(k) && p.email === k);
      }),
    );
  });
});
