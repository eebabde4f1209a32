import { describe, it, test } from 'node:test';
import assert from 'node:assert/strict';
import fc from 'fast-check';
import { excerpt, inert, inertJson, inertLine } from '../../src/util/inert.js';

// What a terminal would act on: C0 (except tab and LF), DEL, C1, and the bidi controls.
const ACTIVE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;

describe('inert', () => {
  it('shows ANSI escape sequences instead of sending them', () => {
    assert.equal(inert('\u001b[2J\u001b[31mred\u001b[0m'), '\\u001b[2J\\u001b[31mred\\u001b[0m');
    assert.equal(inert('title\u001b]0;pwned\u0007'), 'title\\u001b]0;pwned\\u0007'); // OSC window title
  });

  it('shows C1 controls (8-bit CSI, NEL) and DEL', () => {
    assert.equal(inert('a\u009b31mb\u0085c\u007fd'), 'a\\u009b31mb\\u0085c\\u007fd');
  });

  it('shows carriage return and backspace, which could overwrite what was printed', () => {
    assert.equal(inert('ok\rFAIL\b'), 'ok\\u000dFAIL\\u0008');
  });

  it('shows bidi overrides, embeddings, isolates and marks', () => {
    assert.equal(inert('invoice\u202Efdp.exe'), 'invoice\\u202efdp.exe');
    for (const c of ['\u061C', '\u200E', '\u200F', '\u202A', '\u202B', '\u202C', '\u202D', '\u2066', '\u2067', '\u2068', '\u2069']) {
      const out = inert(`x${c}y`);
      assert.equal(out, `x\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}y`);
    }
  });

  it('leaves tab, newline and ordinary Unicode text untouched', () => {
    for (const s of [
      'Team calendar\twith tab\nand newline',
      '日本語のカレンダー',
      '공유 캘린더',
      'לוח שנה משותף', // Hebrew: RTL letters are text, not controls
      'تقويم مشترك',
      'Ünïcödé café',
      '👩‍👩‍👧 family 🇩🇪 🎉', // ZWJ sequences and flags
      'e\u0301', // combining accent
    ]) {
      assert.equal(inert(s), s);
    }
  });

  it('property: output never carries an active control, and safe text passes unchanged', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), (s) => {
        const out = inert(s);
        assert.doesNotMatch(out, ACTIVE);
        if (!ACTIVE.test(s)) assert.equal(out, s);
      }),
      { numRuns: 500 },
    );
  });
});

describe('excerpt', () => {
  it('strips markup, scripts and styles, and folds whitespace to one line', () => {
    const html = '<html><head><title>Oops</title><style>p{}</style><script>var secret=1</script></head>\n<body>\n <h1>Server   Error</h1>\r\n<p>Try later</p></body></html>';
    assert.equal(excerpt(html), 'Oops Server Error Try later');
  });

  it('is undefined for a body with no words', () => {
    assert.equal(excerpt(''), undefined);
    assert.equal(excerpt('  <br/> \n '), undefined);
  });

  it('cuts a long body and marks the cut', () => {
    const out = excerpt('word '.repeat(100), 20);
    assert.equal(out, `${'word '.repeat(4)}…`);
  });

  it('makes the server words inert', () => {
    assert.equal(excerpt('<p>\u001b[31mdanger\u202E</p>'), '\\u001b[31mdanger\\u202e');
  });
});

test('inertLine keeps text on one line, so a name cannot forge the lines after it', () => {
  assert.equal(inertLine('Work\nerror: fake\tx'), 'Work\\nerror: fake\\tx');
  assert.equal(inertLine('\u001b[2J'), '\\u001b[2J');
});

test('inertJson escapes what could reorder a terminal, and decodes to the very same data', () => {
  fc.assert(
    fc.property(fc.jsonValue(), fc.string({ unit: 'binary' }), (v, s) => {
      const doc = { v, s };
      const text = inertJson(doc);
      assert.doesNotMatch(text, /[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2028\u2029\u2066-\u2069]/);
      assert.deepEqual(JSON.parse(text), JSON.parse(JSON.stringify(doc)));
    }),
    { numRuns: 300 },
  );
});
