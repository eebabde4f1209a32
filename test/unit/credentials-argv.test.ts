// splitCommand must split a password command exactly as POSIX sh would, without running one.
// The reference is Debian's real /bin/sh: for random strings of quotes, backslashes and blanks,
// both must agree on the words (or calshare must refuse).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fc from 'fast-check';
import { splitCommand } from '../../src/credentials/argv.js';
import { UsageError } from '../../src/errors.js';

function shWords(input: string): string[] | undefined {
  try {
    const out = execFileSync('/bin/sh', ['-c', `f() { for a; do printf '%s\\0' "$a"; done; }; f ${input}`], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    return out.split('\0').slice(0, -1);
  } catch {
    return undefined; // sh found it malformed (an unclosed quote)
  }
}

test('examples', () => {
  assert.deepEqual(splitCommand('pass show caldav/alice'), ['pass', 'show', 'caldav/alice']);
  assert.deepEqual(splitCommand(`cat '/tmp/pass store/alice'`), ['cat', '/tmp/pass store/alice']);
  assert.deepEqual(splitCommand(`secret-tool lookup "service" "cal dav"`), ['secret-tool', 'lookup', 'service', 'cal dav']);
  assert.deepEqual(splitCommand(`a\\ b "x\\"y" 'it'\\''s'`), ['a b', 'x"y', "it's"]);
  assert.deepEqual(splitCommand(`gpg -d ''`), ['gpg', '-d', '']);
});

test('operators and expansions that need a shell are refused, not passed on literally', () => {
  for (const bad of ['cat x | head', 'a; b', 'a && b', 'cat < x', 'echo $(pw)', 'echo `pw`', 'cat $HOME/pw', 'cat ${X}', "'unclosed", '"unclosed', '   ']) {
    assert.throws(() => splitCommand(bad), UsageError, bad);
  }
  assert.deepEqual(splitCommand(`printf '%s' 'a|b $X'`), ['printf', '%s', 'a|b $X'], 'inside quotes they are plain text');
});

test('agrees with /bin/sh on random quoting (property, 300 cases)', () => {
  const chars = fc.constantFrom('a', 'b', ' ', '\t', "'", '"', '\\', 'x y', '-');
  fc.assert(
    fc.property(fc.array(chars, { minLength: 1, maxLength: 14 }).map((a) => a.join('')), (input) => {
      let ours: string[] | undefined;
      try {
        ours = splitCommand(input);
      } catch (e) {
        if (!(e instanceof UsageError)) throw e;
        ours = undefined;
      }
      const theirs = shWords(input);
      if (ours === undefined) return theirs === undefined || theirs.length === 0; // refused: sh failed, or had no words
      assert.deepEqual(ours, theirs, JSON.stringify(input));
      return true;
    }),
    { numRuns: 300 },
  );
});
