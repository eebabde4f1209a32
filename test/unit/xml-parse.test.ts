import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { child, children, parseXml, textOf, XmlError, type XmlElement } from '../../src/xml/parse.js';
import { NS, qn } from '../../src/xml/names.js';

const D = (n: string) => qn(NS.DAV, n);
const C = (n: string) => qn(NS.CALDAV, n);

/** The namespace-resolved shape of a tree: what callers may rely on, independent of prefixes. */
interface Shape {
  ns: string;
  name: string;
  text: string;
  children: Shape[];
}
const shape = (e: XmlElement): Shape => ({ ns: e.ns, name: e.name, text: e.text.trim(), children: e.children.map(shape) });

describe('parseXml: namespaces', () => {
  // A small multistatus, written with a prefix (or the default namespace, for '') per URI.
  const doc = (p: { dav: string; cal: string; cs: string }) => {
    const tag = (prefix: string, name: string) => (prefix ? `${prefix}:${name}` : name);
    const decl = (prefix: string, uri: string) => (prefix ? ` xmlns:${prefix}="${uri}"` : ` xmlns="${uri}"`);
    const d = (n: string) => tag(p.dav, n);
    const c = (n: string) => tag(p.cal, n);
    const s = (n: string) => tag(p.cs, n);
    return (
      `<?xml version="1.0"?>\n` +
      `<${d('multistatus')}${decl(p.dav, NS.DAV)}${decl(p.cal, NS.CALDAV)}>` +
      `<${d('response')}><${d('href')}>/cal/work/</${d('href')}>` +
      `<${d('propstat')}><${d('prop')}>` +
      `<${d('resourcetype')}><${d('collection')}/><${c('calendar')}/></${d('resourcetype')}>` +
      // CS is declared locally, deep in the tree, as some servers do.
      `<${s('allowed-sharing-modes')}${decl(p.cs, NS.CS)}><${s('can-be-shared')}/></${s('allowed-sharing-modes')}>` +
      `<${d('displayname')}>Work</${d('displayname')}>` +
      `</${d('prop')}><${d('status')}>HTTP/1.1 200 OK</${d('status')}></${d('propstat')}>` +
      `</${d('response')}></${d('multistatus')}>`
    );
  };
  const reference = shape(parseXml(doc({ dav: 'd', cal: 'c', cs: 'cs' })));

  it('resolves the canonical document to the expected URIs', () => {
    const prop = child(child(child(parseXml(doc({ dav: 'd', cal: 'c', cs: 'cs' })), D('response')), D('propstat')), D('prop'));
    assert.ok(child(child(prop, D('resourcetype')), C('calendar')));
    assert.ok(child(child(prop, qn(NS.CS, 'allowed-sharing-modes')), qn(NS.CS, 'can-be-shared')));
    assert.equal(textOf(child(prop, D('displayname'))), 'Work');
  });

  it('gives the same {ns,name} tree whatever prefixes the server chose', () => {
    // NCName-ish prefixes, including non-ASCII letters; "xml…" prefixes are reserved by the spec.
    const first = fc.constantFrom(...'abcxyzDCSé_жあ');
    const rest = fc.constantFrom(...'abcxyz019-._éжあ');
    const prefix = fc
      .tuple(first, fc.array(rest, { maxLength: 8 }))
      .map(([f, r]) => f + r.join(''))
      .filter((p) => !p.toLowerCase().startsWith('xml'));
    // One of the three may use the default namespace instead (empty prefix).
    const prefixes = fc
      .uniqueArray(fc.oneof({ weight: 1, arbitrary: fc.constant('') }, { weight: 6, arbitrary: prefix }), { minLength: 3, maxLength: 3 })
      .map(([dav, cal, cs]) => ({ dav: dav!, cal: cal!, cs: cs! }));
    fc.assert(
      fc.property(prefixes, (p) => {
        assert.deepEqual(shape(parseXml(doc(p))), reference);
      }),
      { numRuns: 300 },
    );
  });

  it('applies a default namespace to unprefixed elements, and not to attributes', () => {
    const root = parseXml('<multistatus xmlns="DAV:" version="1"><response><href>/x</href></response></multistatus>');
    assert.equal(root.ns, NS.DAV);
    assert.deepEqual(root.attrs, { version: '1' }); // no xmlns declarations among the attributes
    assert.equal(textOf(child(child(root, D('response')), D('href'))), '/x');
  });

  it('keeps namespaced attributes (xml:lang, a vendor\'s own) apart, and has no nsAttrs where there are none', () => {
    const root = parseXml('<d:prop xmlns:d="DAV:" xmlns:v="urn:vendor"><d:displayname xml:lang="en" v:x="1" plain="2">A</d:displayname><d:href>/x</d:href></d:prop>');
    const [name, href] = root.children;
    assert.deepEqual(name!.attrs, { plain: '2' });
    assert.deepEqual(name!.nsAttrs, [
      { ns: 'http://www.w3.org/XML/1998/namespace', name: 'lang', value: 'en' },
      { ns: 'urn:vendor', name: 'x', value: '1' },
    ]);
    assert.equal('nsAttrs' in root, false, 'namespace declarations are not attributes');
    assert.equal('nsAttrs' in href!, false);
    assert.deepEqual(href!.attrs, {});
  });

  it('honours a prefix re-bound to another URI inside a subtree, and only there', () => {
    const root = parseXml(
      '<a:root xmlns:a="DAV:">' +
        '<a:inner xmlns:a="urn:ietf:params:xml:ns:caldav"><a:calendar/></a:inner>' +
        '<a:after/>' +
        '</a:root>',
    );
    const [inner, after] = root.children;
    assert.deepEqual([inner?.ns, inner?.children[0]?.ns], [NS.CALDAV, NS.CALDAV]);
    assert.equal(after?.ns, NS.DAV);
    assert.ok(child(inner, C('calendar')));
    assert.equal(child(inner, D('calendar')), undefined);
  });

  it('does not mistake a same-named element in a foreign namespace for a CalDAV calendar', () => {
    const rt = parseXml(
      '<d:resourcetype xmlns:d="DAV:" xmlns:x="http://example.com/not-caldav">' +
        '<d:collection/><x:calendar/><calendar/>' +
        '</d:resourcetype>',
    );
    assert.equal(child(rt, C('calendar')), undefined);
    assert.ok(child(rt, D('collection')));
    // The decoys are still there, each with its own namespace.
    assert.deepEqual(
      rt.children.map((c) => `{${c.ns}}${c.name}`),
      ['{DAV:}collection', '{http://example.com/not-caldav}calendar', '{}calendar'],
    );
  });

  it('children() selects by namespace as well as name', () => {
    const root = parseXml('<d:r xmlns:d="DAV:" xmlns:e="urn:e"><d:href>1</d:href><e:href>2</e:href><d:href>3</d:href></d:r>');
    assert.deepEqual(children(root, D('href')).map(textOf), ['1', '3']);
  });
});

describe('parseXml: text', () => {
  it('reads CDATA as text, joined with surrounding character data', () => {
    const root = parseXml('<d:x xmlns:d="DAV:">a <![CDATA[<b> & "c" ]]]]><![CDATA[>]]> d</d:x>');
    assert.equal(root.text, 'a <b> & "c" ]]> d');
  });

  it('decodes the predefined and numeric entities', () => {
    assert.equal(parseXml('<x>&lt;&amp;&gt;&quot;&apos;&#x1F600;&#13;</x>').text, '<&>"\'😀\r');
  });

  it('keeps every value a string: no number, boolean or date coercion', () => {
    const root = parseXml('<r><a>2024</a><b>1e3</b><c>0012</c><d>true</d><e>null</e><f>2024-01-02</f></r>');
    const values = root.children.map((c) => c.text);
    assert.deepEqual(values, ['2024', '1e3', '0012', 'true', 'null', '2024-01-02']);
    for (const v of values) assert.equal(typeof v, 'string');
  });

  it('keeps text untrimmed on the element, trimmed through textOf()', () => {
    const root = parseXml('<x>\n  hello  \n</x>');
    assert.equal(root.text, '\n  hello  \n');
    assert.equal(textOf(root), 'hello');
  });
});

describe('parseXml: refusals', () => {
  const refuses = (body: string, pattern: RegExp, limits?: Parameters<typeof parseXml>[1]) =>
    assert.throws(() => parseXml(body, limits), (e: unknown) => e instanceof XmlError && pattern.test(e.message));

  it('refuses a billion-laughs DOCTYPE', () => {
    const lol =
      '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' +
      Array.from({ length: 9 }, (_, i) => `<!ENTITY lol${i + 1} "${`&lol${i || ''};`.repeat(10)}">`).join('') +
      ']><lolz>&lol9;</lolz>';
    refuses(lol, /DOCTYPE/);
  });

  it('refuses an external entity (XXE)', () => {
    refuses('<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><r>&xxe;</r>', /DOCTYPE/);
  });

  it('refuses an internal entity and a bare DOCTYPE', () => {
    refuses('<!DOCTYPE r [<!ENTITY e "expanded">]><r>&e;</r>', /DOCTYPE/);
    refuses('<!DOCTYPE html><html/>', /DOCTYPE/);
  });

  it('refuses an undefined entity', () => {
    refuses('<r>&nbsp;</r>', /entity/);
  });

  it('refuses an unbound prefix', () => {
    refuses('<d:multistatus/>', /unbound/);
    refuses('<d:multistatus xmlns:d="DAV:"><c:calendar/></d:multistatus>', /unbound/);
  });

  it('refuses two root elements and trailing text', () => {
    refuses('<a/><b/>', /root/);
    refuses('<a/>junk', /root/);
  });

  it('refuses an empty body and a non-XML body', () => {
    refuses('', /root/);
    refuses('Internal Server Error', /./);
  });

  it('refuses deep nesting quickly and accepts ordinary depth', () => {
    const nest = (n: number) => '<a>'.repeat(n) + '</a>'.repeat(n);
    refuses(nest(100), /deeper than 64/);
    refuses(nest(100_000), /deeper than 64/); // refused at depth 65, long before saxes' quadratic cost
    let depth = 0;
    for (let e: XmlElement | undefined = parseXml(nest(20)); e; e = e.children[0]) depth++;
    assert.equal(depth, 20);
  });

  it('honours custom depth and element-count limits', () => {
    const limits = { maxDepth: 64, maxElements: 10 };
    const flat = (n: number) => `<r>${'<i/>'.repeat(n - 1)}</r>`;
    assert.equal(parseXml(flat(10), limits).children.length, 9);
    refuses(flat(11), /more than 10 elements/, limits);
    refuses('<a><b><c/></b></a>', /deeper than 2/, { maxDepth: 2, maxElements: 100 });
    assert.equal(parseXml('<a><b/></a>', { maxDepth: 2, maxElements: 100 }).children.length, 1);
  });
});
