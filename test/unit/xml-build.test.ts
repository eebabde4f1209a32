import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { el, escapeText, serialize, XmlBuildError, type XmlNode } from '../../src/xml/build.js';
import { parseXml, type XmlElement } from '../../src/xml/parse.js';
import { NS, qn } from '../../src/xml/names.js';

const D = (n: string) => qn(NS.DAV, n);

/** The text that comes back when `value` is the only content of a built element. */
const roundTrip = (value: string): string => parseXml(serialize(el(D('displayname'), value))).text;

// XML 1.0 §2.2 Char, tested code point by code point (independent of the builder's own regex).
const isXmlChar = (s: string): boolean =>
  [...s].every((ch) => {
    const c = ch.codePointAt(0)!;
    return c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || c >= 0x10000;
  });

describe('escapeText', () => {
  it('escapes the markup characters, the double quote and CR', () => {
    assert.equal(escapeText(`a&b<c>d"e\rf`), 'a&#38;b&#60;c&#62;d&#34;e&#13;f');
  });

  it('breaks up a CDATA terminator', () => {
    assert.ok(!escapeText('x]]>y').includes(']]>'));
    assert.equal(roundTrip('x]]>y'), 'x]]>y');
  });

  it('leaves other characters, including tab, LF and non-ASCII, as they are', () => {
    assert.equal(escapeText("it's\tfine\nשלום 😀"), "it's\tfine\nשלום 😀");
  });

  it('keeps CR and CRLF through a parser (which would otherwise fold them to LF)', () => {
    assert.equal(roundTrip('a\rb\r\nc'), 'a\rb\r\nc');
  });

  for (const [label, bad] of [
    ['NUL', 'a\u0000b'],
    ['ESC', '\u001b[31mred'],
    ['vertical tab', 'a\u000Bb'],
    ['U+FFFE', '\uFFFE'],
    ['U+FFFF', 'x\uFFFF'],
    ['a lone high surrogate', 'a\uD800b'],
    ['a lone low surrogate', '\uDC00'],
  ] as const) {
    it(`refuses ${label}, which no XML document can carry`, () => {
      assert.throws(() => escapeText(bad), XmlBuildError);
      assert.throws(() => serialize(el(D('displayname'), bad)), XmlBuildError);
    });
  }
});

describe('serialize', () => {
  const tree: XmlNode = el(
    D('propertyupdate'),
    el(
      D('set'),
      el(
        D('prop'),
        el(qn(NS.CALDAV, 'calendar-description'), 'Team & friends'),
        el(qn(NS.ICAL, 'calendar-color'), '#FF0000'),
        el(qn('urn:example:custom', 'thing'), el(qn('urn:example:other', 'deep'))),
      ),
    ),
    el(D('remove'), el(D('prop'), el(qn(NS.CS, 'invite')))),
    undefined,
    false,
  );
  const xml = serialize(tree);

  it('declares every namespace exactly once, on the root element only', () => {
    const rootTag = /<d:propertyupdate[^>]*>/.exec(xml)?.[0] ?? '';
    const declared = [...rootTag.matchAll(/xmlns:([\w.-]+)="([^"]*)"/g)].map((m) => [m[1], m[2]] as const);
    assert.deepEqual(
      declared.map(([, uri]) => uri).sort(),
      [NS.DAV, NS.CALDAV, NS.ICAL, NS.CS, 'urn:example:custom', 'urn:example:other'].sort(),
    );
    const total = xml.match(/xmlns/g)?.length ?? 0;
    assert.equal(total, declared.length, 'no xmlns outside the root start tag');
    // Distinct prefixes, and every prefix used in a tag is one of them.
    const prefixes = new Set(declared.map(([p]) => p));
    assert.equal(prefixes.size, declared.length);
    for (const [, p] of xml.matchAll(/<\/?([\w.-]+):/g)) assert.ok(prefixes.has(p!), `prefix ${p} is declared`);
  });

  it('uses the conventional prefixes for namespaces calshare knows', () => {
    assert.match(xml, /xmlns:d="DAV:"/);
    assert.match(xml, /xmlns:c="urn:ietf:params:xml:ns:caldav"/);
    assert.match(xml, /xmlns:cs="http:\/\/calendarserver.org\/ns\/"/);
  });

  it('reads back as the same tree of namespaced names', () => {
    const names = (n: XmlNode | XmlElement): unknown => ({
      q: `{${n.ns}}${n.name}`,
      c: (n.children as readonly (XmlNode | XmlElement | string)[]).filter((c) => typeof c !== 'string').map(names),
    });
    assert.deepEqual(names(parseXml(xml)), names(tree));
    assert.ok(xml.startsWith('<?xml version="1.0" encoding="utf-8"?>'));
  });

  it('drops undefined and false children, and writes childless elements self-closed', () => {
    assert.equal(tree.children.length, 2);
    assert.match(serialize(el(D('prop'), undefined, false)), /<d:prop xmlns:d="DAV:"\/>$/);
  });

  it('cannot be made to produce markup from a text value', () => {
    const hostile = '</d:displayname><d:owner>evil</d:owner><d:displayname>';
    const root = parseXml(serialize(el(D('prop'), el(D('displayname'), hostile))));
    assert.equal(root.children.length, 1);
    assert.equal(root.children[0]?.text, hostile);
  });
});

describe('round trip through parseXml (property)', () => {
  const specials = fc.constantFrom(
    '&', '<', '>', '"', "'", ']]>', '\r', '\n', '\r\n', '\t', ' ',
    '&amp;', '&#0;', '<![CDATA[', '-->',
    'שלום', 'مرحبا', '\u202E', '\u200F', // RTL text, RLO and RLM marks
    '😀', '👩‍👩‍👧', '🇩🇪', 'e\u0301', '日本語', '\uFFFD', '\u{10FFFF}',
  );
  const value = fc
    .array(fc.oneof(fc.string({ unit: 'binary' }), fc.string({ unit: 'grapheme' }), specials), { maxLength: 12 })
    .map((parts) => parts.join(''))
    .filter(isXmlChar);

  it('returns any string of XML characters unchanged', () => {
    fc.assert(
      fc.property(value, (s) => {
        assert.equal(roundTrip(s), s);
      }),
      { numRuns: 500 },
    );
  });

  it('refuses (rather than corrupts) any string with a character XML cannot carry', () => {
    const bad = fc
      .tuple(fc.string({ unit: 'binary' }), fc.constantFrom('\u0000', '\u0001', '\u0008', '\u001F', '\uFFFE', '\uFFFF', '\uD83D'), fc.string())
      .map(([a, b, c]) => a + b + c);
    fc.assert(
      fc.property(bad, (s) => {
        assert.throws(() => serialize(el(D('displayname'), s)), XmlBuildError);
      }),
      { numRuns: 200 },
    );
  });
});
