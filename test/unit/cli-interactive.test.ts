// The pure parts of the terminal experience: the prompt gate, the equivalent command line, what
// the pickers offer, typed-address validation, and cancellation exit codes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { canPrompt } from '../../src/cli/interactive/gate.js';
import { commandLine, shellQuote } from '../../src/cli/interactive/command-line.js';
import { calendarChoices, calendarRef, shareeChoices, splitEmails } from '../../src/cli/interactive/pickers.js';
import { checkTyped } from '../../src/cli/interactive/share-flow.js';
import { CancelledError } from '../../src/cli/interactive/cancel.js';
import type { Calendar } from '../../src/discovery/calendars.js';
import type { Sharee } from '../../src/sharing/types.js';

test('prompts only with a terminal at both ends and no --json', () => {
  const io = (stdin: boolean, stdout: boolean) => ({ stdin: { isTTY: stdin }, stdout: { isTTY: stdout } });
  assert.equal(canPrompt({}, io(true, true)), true);
  assert.equal(canPrompt({ json: true }, io(true, true)), false);
  assert.equal(canPrompt({}, io(false, true)), false, 'stdin from a pipe or /dev/null');
  assert.equal(canPrompt({}, io(true, false)), false, 'stdout into a pipe or file');
  assert.equal(canPrompt({}, { stdin: {}, stdout: {} }), false);
});

test('shell quoting survives a real shell for any word', () => {
  fc.assert(
    fc.property(fc.array(fc.string({ unit: 'grapheme', minLength: 1 }).filter((s) => !s.includes('\0')), { minLength: 1, maxLength: 6 }), (words) => {
      const out = execFileSync('bash', ['-c', `printf '%s\\0' ${words.map(shellQuote).join(' ')}`], { encoding: 'utf8' });
      assert.deepEqual(out.split('\0').slice(0, -1), words);
    }),
    { numRuns: 40 },
  );
  assert.equal(shellQuote('bob@example.com'), 'bob@example.com');
  assert.equal(shellQuote("Bob's calendar"), `'Bob'\\''s calendar'`);
});

test('the equivalent command line repeats where the session came from, never a secret', () => {
  assert.equal(
    commandLine('share', ['Team Work', 'bob@example.com'], ['--view'], { url: 'https://cal.example.com/', username: 'alice' }),
    `calshare share 'Team Work' bob@example.com --view --url https://cal.example.com/ --username alice`,
  );
  assert.equal(commandLine('unshare', ['Work', 'bob@x.org'], ['--yes'], { account: 'work', url: 'ignored' }), 'calshare unshare Work bob@x.org --yes --account work');
});

const cal = (path: string, name?: string): Calendar =>
  ({ url: new URL(`https://cal.example.com${path}`), displayName: name, color: undefined, description: undefined, owned: true, ownerHref: undefined, props: {} }) as unknown as Calendar;
const sharee = (email: string | undefined, level: Sharee['level'], status: Sharee['status'], sources: Sharee['sources'] = ['cs']): Sharee =>
  ({ email, principal: email ? undefined : '/principals/x/', name: undefined, level, status, sources });

test('calendar picker: aligned name, how many people have access, URL', () => {
  const rows = calendarChoices([
    { calendar: cal('/c/work/', 'Work'), sharees: [sharee('a@x.org', 'read', 'accepted'), sharee('b@x.org', 'edit', 'pending')] },
    { calendar: cal('/c/home/', 'Home and family'), sharees: [] },
    { calendar: cal('/c/one/', 'One'), sharees: [sharee('a@x.org', 'read', undefined)] },
  ]).map((c) => c.label);
  assert.deepEqual(rows, [
    'Work             2 people    https://cal.example.com/c/work/',
    'Home and family  not shared  https://cal.example.com/c/home/',
    'One              1 person    https://cal.example.com/c/one/',
  ]);
  assert.match(calendarChoices([{ calendar: cal('/c/x/', 'Evil\x1b[2J'), sharees: [] }])[0]!.label, /^Evil\\u001b\[2J/, 'server text is made inert');
});

test('sharee picker: level spelled view-only/edit, invite status; no address means not offered', () => {
  const rows = shareeChoices([sharee('bob@x.org', 'read', 'accepted'), sharee('carol.long@x.org', 'edit', undefined, ['acl']), sharee(undefined, 'read', undefined, ['acl'])]);
  assert.deepEqual(rows.map((r) => [r.value, r.label]), [
    ['bob@x.org', 'bob@x.org         view-only  accepted'],
    ['carol.long@x.org', 'carol.long@x.org  edit       access list'],
  ]);
});

test('a calendar is named by its name on the command line unless that is ambiguous', () => {
  const work = cal('/c/work/', 'Work');
  const work2 = cal('/c/work2/', 'work');
  assert.equal(calendarRef(work, [work]), 'Work');
  assert.equal(calendarRef(work, [work, work2]), '/c/work/');
  assert.equal(calendarRef(cal('/c/x/', '/odd'), []), '/c/x/');
});

test('typed addresses: several at once; a bad one is explained', () => {
  assert.deepEqual(splitEmails(' bob@x.org, carol@x.org;dave@x.org  '), ['bob@x.org', 'carol@x.org', 'dave@x.org']);
  assert.equal(checkTyped('bob@example.com, carol@example.com'), undefined);
  assert.match(checkTyped('')!, /at least one/);
  assert.match(checkTyped('bob@example.com bob')!, /"bob" is not a usable e-mail address: it has no "@"/);
});

test('cancelling: 130 for Ctrl-C, 2 otherwise, and the message says nothing changed', () => {
  assert.equal(new CancelledError('interrupt').exitCode, 130);
  for (const r of ['eof', 'escape', 'declined'] as const) {
    assert.equal(new CancelledError(r).exitCode, 2);
    assert.match(new CancelledError(r).message, /nothing was changed/);
  }
});
