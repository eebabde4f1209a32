// gh parity in pure functions: --json field lists, tables that fit the terminal.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { KNOWN_FIELDS, projectJson, takeJsonFields } from '../../src/cli/json-fields.js';
import { fitWidths, table } from '../../src/cli/output.js';
import { UsageError } from '../../src/errors.js';

test('--json FIELDS and --json=FIELDS are taken out of argv; a calendar after a bare --json is left alone', () => {
  const a = ['node', 'calshare', 'calendars', '--json', 'name,url'];
  assert.deepEqual(takeJsonFields(a), ['name', 'url']);
  assert.deepEqual(a, ['node', 'calshare', 'calendars', '--json']);
  const b = ['node', 'calshare', 'sharees', '--json=name,sharees', 'Work'];
  assert.deepEqual(takeJsonFields(b), ['name', 'sharees']);
  assert.deepEqual(b, ['node', 'calshare', 'sharees', '--json', 'Work']);
  const c = ['node', 'calshare', 'sharees', '--json', 'Work'];
  assert.equal(takeJsonFields(c), undefined);
  assert.deepEqual(c, ['node', 'calshare', 'sharees', '--json', 'Work']);
  assert.equal(takeJsonFields(['x', '--', '--json', 'name']), undefined);
  assert.throws(() => takeJsonFields(['x', '--json=name;rm']), UsageError);
  assert.ok(KNOWN_FIELDS.has('sharedWith'));
});

test('projectJson keeps the listed fields of each list item and the scalar context', () => {
  const doc = { principal: 'p', home: 'h', calendars: [{ name: 'Work', url: 'u1', color: '#f00' }, { name: 'Family', url: 'u2', color: null }] };
  assert.deepEqual(projectJson(doc, ['url', 'name']), { principal: 'p', home: 'h', calendars: [{ url: 'u1', name: 'Work' }, { url: 'u2', name: 'Family' }] });
  assert.throws(() => projectJson(doc, ['name', 'colour']), (e: UsageError) => /unknown JSON field: colour/.test(e.message) && /name, url, color/.test(e.hint ?? ''));
  assert.deepEqual(projectJson({ calendars: [] }, ['whatever']), { calendars: [] });
});

test('fitWidths gives way from the widest column, never below a header', () => {
  assert.deepEqual(fitWidths([10, 20, 60], [4, 5, 3], 200), [10, 20, 60]);
  const w = fitWidths([10, 20, 60], [4, 5, 3], 60);
  assert.equal(w.reduce((a, b) => a + b, 0) + 4, 60);
  assert.ok(w[0] === 10 && w[2]! <= 30);
  // Nothing can give below headers: natural floor kept, the line overflows rather than cutting headers.
  assert.deepEqual(fitWidths([11, 11], [11, 11], 10), [11, 11]);
});

test('a table on an 40-column terminal fits, headers whole, long cells end in …', () => {
  const tty = { isTTY: true, columns: 40 } as unknown as NodeJS.WriteStream;
  const out = table(['NAME', 'SHARED WITH', 'URL'], [['Work', '2', 'https://cal.example.com/dav/calendars/user/alice/Work/']], tty);
  const lines = out.trimEnd().split('\n');
  for (const l of lines) assert.ok(l.length <= 40, `${l.length}: ${l}`);
  assert.match(lines[0]!, /NAME\s+SHARED WITH\s+URL/);
  assert.match(lines[1]!, /…$/);
  const piped = table(['NAME', 'URL'], [['Work', 'x'.repeat(100)]], { isTTY: false } as unknown as NodeJS.WriteStream);
  assert.match(piped, /x{100}/);
});
