// E-mail validation happens before any request is built: whatever is accepted must survive as an XML
// text node and as a URL path segment, and whatever is refused is refused with a UsageError (exit 2)
// that says what is wrong. Then the principal layout: address ↔ principal URL on Cyrus- and
// Radicale-shaped principals.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { emailFor, learnLayout, parseEmail, parseEmails, principalFor } from '../../src/sharing/identity.js';
import { UsageError } from '../../src/errors.js';
import { el, escapeText, serialize } from '../../src/xml/build.js';
import { parseXml } from '../../src/xml/parse.js';
import { NS, qn } from '../../src/xml/names.js';
import type { Principal } from '../../src/discovery/discover.js';

/** Asserts a UsageError with exit code 2 whose message contains `why`, and returns it. */
function refused(input: string, why: RegExp): UsageError {
  let caught: unknown;
  try {
    parseEmail(input);
  } catch (e) {
    caught = e;
  }
  assert.ok(caught instanceof UsageError, `${JSON.stringify(input)} must be refused with a UsageError, got ${String(caught)}`);
  assert.equal(caught.exitCode, 2);
  assert.match(caught.message, why, `message for ${JSON.stringify(input)}: ${caught.message}`);
  assert.match(caught.hint ?? '', /bob@example\.com/, 'the hint shows what a usable address looks like');
  return caught;
}

describe('parseEmail: addresses people really use', () => {
  for (const [input, out] of [
    ['bob@example.com', 'bob@example.com'],
    ['bob+calendar@example.com', 'bob+calendar@example.com'],
    ['first.last@sub.example.co.uk', 'first.last@sub.example.co.uk'],
    ["o'brien@example.ie", "o'brien@example.ie"],
    ['x_y-z=1@example.com', 'x_y-z=1@example.com'],
    ['Bob@EXAMPLE.Com', 'Bob@example.com'], // domain is case-insensitive (RFC 5321 §2.4); the local part is kept
    ['mailto:bob@example.com', 'bob@example.com'],
    ['MAILTO:bob@example.com', 'bob@example.com'],
    ['  bob@example.com  ', 'bob@example.com'],
    ['jörg@bücher.example', undefined], // non-ASCII local part: refused below, not here
  ] as const) {
    if (out === undefined) continue;
    it(`accepts ${JSON.stringify(input)} as ${out}`, () => assert.equal(parseEmail(input), out));
  }

  it('turns an IDN domain into its punycode (ASCII) form', () => {
    assert.equal(parseEmail('bob@bücher.example'), 'bob@xn--bcher-kva.example');
    assert.equal(parseEmail('bob@BÜCHER.example'), 'bob@xn--bcher-kva.example');
    assert.equal(parseEmail('anna@例え.テスト'), 'anna@xn--r8jz45g.xn--zckzah');
  });

  it('accepts a 64-character local part and refuses 65', () => {
    assert.equal(parseEmail(`${'a'.repeat(64)}@example.com`), `${'a'.repeat(64)}@example.com`);
    refused(`${'a'.repeat(65)}@example.com`, /1 to 64 characters/);
  });
});

describe('parseEmail: hostile and broken input is refused, saying why', () => {
  const cases: [string, string, RegExp][] = [
    ['empty', '', /empty/],
    ['only spaces', '   ', /empty/],
    ['bare mailto:', 'mailto:', /empty/],
    ['missing @', 'bob.example.com', /no "@"/],
    ['nothing before @', '@example.com', /1 to 64/],
    ['nothing after @', 'bob@', /not a valid domain/],
    ['double quotes', '"bob"@example.com', /before "@"/],
    ['quoted space', '"bob smith"@example.com', /before "@"/],
    ['space in local part', 'bob smith@example.com', /before "@"/],
    ['space in domain', 'bob@exa mple.com', /not a valid domain/],
    ['CR LF header injection in local part', 'bob\r\nX-Evil: 1@example.com', /before "@"/],
    ['CR LF in domain', 'bob@example.com\r\nX-Evil: 1', /not a valid domain/],
    ['LF inside the domain', 'bob@exa\nmple.com', /not a valid domain/],
    ['tab inside the domain', 'bob@exa\tmple.com', /not a valid domain/],
    ['NUL in local part', 'bo\u0000b@example.com', /before "@"/],
    ['NUL in domain', 'bob@exa\u0000mple.com', /not a valid domain/],
    ['slash in local part', '../alice@example.com', /before "@"/],
    ['slash in domain', 'bob@ex/ample.com', /not a valid domain/],
    ['percent in local part', 'bob%2Falice@example.com', /before "@"/],
    ['percent-escape in domain', 'bob@exa%41mple.com', /not a valid domain/],
    ['question mark', 'bob?x=1@example.com', /before "@"/],
    ['hash', 'bob#frag@example.com', /before "@"/],
    ['angle brackets', '<bob@example.com>', /before "@"|not a valid domain/],
    ['markup', '<script>@example.com', /before "@"/],
    ['CDATA terminator in local part', 'a]]>b@example.com', /before "@"/],
    ['CDATA terminator in domain', 'bob@example.com]]>', /not a valid domain/],
    ['ampersand entity in domain', 'bob@ex&amp;ample.com', /not a valid domain/],
    ['RTL override in local part', 'bob\u202Emoc@example.com', /before "@"/],
    ['RTL override in domain', 'bob@\u202Eexample.com', /not a valid domain/],
    ['two @', 'bob@alice@example.com', /before "@"/],
    ['leading dot', '.bob@example.com', /before "@"/],
    ['double dot in local part', 'bo..b@example.com', /before "@"/],
    ['non-ASCII local part', 'jörg@example.com', /before "@"/],
    ['single-label domain', 'bob@localhost', /not a valid domain/],
    ['trailing dot', 'bob@example.com.', /not a valid domain/],
    ['empty label', 'bob@example..com', /not a valid domain/],
    ['label starting with a hyphen', 'bob@-example.com', /not a valid domain/],
    ['label ending with a hyphen', 'bob@example-.com', /not a valid domain/],
    ['underscore in domain', 'bob@ex_ample.com', /not a valid domain/],
    ['label of 64 characters', `bob@${'a'.repeat(64)}.com`, /not a valid domain/],
    ['IP literal', 'bob@[127.0.0.1]', /not a valid domain/],
    ['port', 'bob@example.com:8080', /not a valid domain/],
    ['invalid punycode', 'bob@xn--zz.com', /not a valid domain/],
    ['address over 254 characters', `${'a'.repeat(64)}@${`${'b'.repeat(60)}.`.repeat(3)}${'c'.repeat(20)}.com`, /254/],
  ];
  for (const [label, input, why] of cases) it(`refuses ${label}`, () => void refused(input, why));

  it('counts the length of the punycode form, which is what goes on the wire (RFC 5321 §4.5.3.1.3)', () => {
    // Six labels of 22 accented letters: 210 characters as typed, 288 in punycode.
    const accents = 'äöüéèêàáâçñøåæœ';
    const label = Array.from({ length: 22 }, (_, i) => accents[(i * 7) % accents.length]).join('');
    const input = `${'a'.repeat(64)}@${Array(6).fill(label).join('.')}.example`;
    assert.ok(input.length <= 254);
    refused(input, /254/);
  });

  it('never echoes a control or bidi character in its message', () => {
    const e = refused('bob\u001b[2J\u202E@example.com', /before "@"/);
    assert.doesNotMatch(e.message, /[\u0000-\u001f\u202a-\u202e]/);
    assert.match(e.message, /\\u001b/);
  });
});

describe('parseEmails', () => {
  it('drops repeats, comparing case-insensitively, and keeps the order of first appearance', () => {
    assert.deepEqual(parseEmails(['bob@example.com', 'carol@example.com', 'BOB@example.com', 'mailto:carol@EXAMPLE.com']), [
      'BOB@example.com',
      'carol@example.com',
    ]);
  });

  it('reports every bad address at once, not just the first', () => {
    assert.throws(
      () => parseEmails(['bob@example.com', 'no-at-sign', 'x y@example.com']),
      (e: unknown) =>
        e instanceof UsageError && e.exitCode === 2 && /2 addresses are not usable/.test(e.message) && /no-at-sign/.test(e.message) && /x y@/.test(e.message),
    );
  });

  it('gives a single bad address its own message', () => {
    assert.throws(() => parseEmails(['bad']), (e: unknown) => e instanceof UsageError && /^"bad" is not a usable e-mail address/.test(e.message));
  });

  it('returns an empty list for no input (the caller decides whether that is an error)', () => {
    assert.deepEqual(parseEmails([]), []);
  });
});

describe('parseEmail: properties', () => {
  const atext = fc.constantFrom(...'abcxyzABCXYZ0189!$&\'*+=^_`{|}~-');
  const localPart = fc
    .array(fc.string({ unit: atext, minLength: 1, maxLength: 10 }), { minLength: 1, maxLength: 4 })
    .map((parts) => parts.join('.'))
    .filter((l) => l.length <= 64);
  const labelArb = fc.stringMatching(/^[a-z0-9]([a-z0-9-]{0,10}[a-z0-9])?$/);
  // The last label is letters only: a numeric one makes the WHATWG host parser read an IPv4 address.
  const tld = fc.stringMatching(/^[a-z]{2,6}$/);
  const domain = fc.tuple(fc.array(labelArb, { minLength: 1, maxLength: 3 }), tld).map(([l, t]) => [...l, t].join('.'));

  it('accepts every well-formed ASCII address unchanged', () => {
    fc.assert(fc.property(localPart, domain, (l, d) => parseEmail(`${l}@${d}`) === `${l}@${d}`));
  });

  it('whatever it accepts is a valid XML text node and a single URL path segment', () => {
    const anything = fc.oneof(
      fc.string({ unit: 'binary', maxLength: 80 }).map((s) => `${s}@example.com`),
      fc.tuple(localPart, fc.string({ unit: 'binary', maxLength: 30 })).map(([l, d]) => `${l}@${d}`),
      fc.tuple(localPart, domain).map(([l, d]) => `${l}@${d}`),
    );
    let accepted = 0;
    fc.assert(
      fc.property(anything, (input) => {
        let email: string;
        try {
          email = parseEmail(input);
        } catch (e) {
          return e instanceof UsageError;
        }
        accepted++;
        escapeText(email); // throws if XML cannot carry it
        const href = `mailto:${email}`;
        assert.equal(parseXml(serialize(el(qn(NS.DAV, 'href'), href))).text, href, 'survives as an XML text node');
        assert.doesNotMatch(email, /[\s<>"\u0000-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/);
        const local = email.slice(0, email.lastIndexOf('@'));
        const seg = encodeURIComponent(local);
        assert.ok(!seg.includes('/'));
        assert.equal(decodeURIComponent(seg), local);
        assert.equal(new URL(`https://h/p/${seg}/`).pathname, `/p/${seg}/`, 'the segment stays one segment');
        return true;
      }),
      { numRuns: 2000 },
    );
    assert.ok(accepted > 100, `the generator must produce accepted addresses too (got ${accepted})`);
  });
});

const cyrusMe: Principal = {
  url: new URL('http://127.0.0.1:8008/dav/principals/user/alice/'),
  homeUrl: new URL('http://127.0.0.1:8008/dav/calendars/user/alice/'),
  displayName: 'alice',
  addresses: ['mailto:alice@example.test'],
};

// Radicale: the principal is "/alice/" and its calendar-user-address-set holds the principal path,
// no e-mail (SERVERS.md).
const radicaleMe: Principal = {
  url: new URL('http://127.0.0.1:5232/alice/'),
  homeUrl: new URL('http://127.0.0.1:5232/alice/'),
  displayName: undefined,
  addresses: ['/alice/'],
};

describe('learnLayout / principalFor / emailFor', () => {
  it('learns the Cyrus layout from the signed-in principal', () => {
    assert.deepEqual(learnLayout(cyrusMe, 'alice'), { prefix: '/dav/principals/user/', suffix: '/', domains: ['example.test'] });
  });

  it('learns it when the login name differs in case from the path', () => {
    assert.deepEqual(learnLayout(cyrusMe, 'ALICE')?.prefix, '/dav/principals/user/');
  });

  it('learns it from the address when the login name is not in the path (login by full address)', () => {
    assert.deepEqual(learnLayout(cyrusMe, 'alice@example.test')?.prefix, '/dav/principals/user/');
  });

  it('has no layout where the server gives users no e-mail address (Radicale)', () => {
    assert.equal(learnLayout(radicaleMe, 'alice'), undefined);
  });

  it('has no layout when the user name is nowhere in the principal URL', () => {
    const me = { ...cyrusMe, url: new URL('https://cal.example.com/principals/__uids__/5A3B-99/') };
    assert.equal(learnLayout(me, 'alice'), undefined);
  });

  it('learns a layout with a suffix after the user name', () => {
    const me = { ...cyrusMe, url: new URL('https://h.example/p/alice/principal/') };
    assert.deepEqual(learnLayout(me, 'alice'), { prefix: '/p/', suffix: '/principal/', domains: ['example.test'] });
  });

  const layout = learnLayout(cyrusMe, 'alice')!;

  it('maps an address to the principal URL of its local part', () => {
    assert.equal(principalFor(layout, 'bob@example.test', cyrusMe.url).href, 'http://127.0.0.1:8008/dav/principals/user/bob/');
    assert.equal(principalFor(layout, 'bob+x@example.test', cyrusMe.url).pathname, '/dav/principals/user/bob%2Bx/');
  });

  it('maps a principal URL back to the address, on the one domain the server uses', () => {
    assert.equal(emailFor(layout, new URL('http://127.0.0.1:8008/dav/principals/user/bob/')), 'bob@example.test');
    assert.equal(emailFor(layout, new URL('http://127.0.0.1:8008/dav/principals/user/bob%2Bx/')), 'bob+x@example.test');
  });

  it('maps a principal URL without its trailing slash too (servers differ in how they spell hrefs)', () => {
    assert.equal(emailFor(layout, new URL('http://127.0.0.1:8008/dav/principals/user/bob')), 'bob@example.test');
  });

  it('maps nothing outside the layout: groups, nested paths, other prefixes, bad escapes', () => {
    for (const p of ['/dav/principals/group/staff/', '/dav/principals/user/', '/dav/principals/user/a/b/', '/principals/bob/', '/dav/principals/user/%E0%A4%A/']) {
      assert.equal(emailFor(layout, new URL(p, cyrusMe.url)), undefined, p);
    }
  });

  it('maps nothing when the server has users on several domains (the local part is ambiguous)', () => {
    assert.equal(emailFor({ ...layout, domains: ['a.example', 'b.example'] }, new URL('/dav/principals/user/bob/', cyrusMe.url)), undefined);
    assert.equal(emailFor(undefined, new URL('/dav/principals/user/bob/', cyrusMe.url)), undefined);
  });

  it('round-trips every valid address of the server domain', () => {
    const atext = fc.constantFrom(...'abcxyz0189!$&\'*+=^_`{|}~-');
    const local = fc.array(fc.string({ unit: atext, minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 3 }).map((p) => p.join('.'));
    fc.assert(
      fc.property(local, (l) => {
        const email = parseEmail(`${l}@example.test`);
        return emailFor(layout, principalFor(layout, email, cyrusMe.url)) === email.toLowerCase();
      }),
    );
  });
});
