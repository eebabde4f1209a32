// A password command is given as one string ('pass show "caldav/alice"') and run WITHOUT a shell:
// this splits it the way POSIX sh would split words (XCU §2.2 quoting, §2.6.5 field splitting),
// but never expands variables, globs or command substitutions, and refuses the operators that
// would need a shell to mean anything.
import { UsageError } from '../errors.js';

const OPERATORS = new Set(['|', '&', ';', '<', '>', '(', ')', '`']);

export function splitCommand(input: string): string[] {
  const words: string[] = [];
  let word = '';
  let inWord = false;
  let i = 0;
  const fail = (why: string) => {
    throw new UsageError(`cannot use the password command: ${why}`, 'calshare runs it without a shell; wrap it in a script if it needs pipes or redirections, e.g. --password-command "sh -c \'…\'".');
  };
  while (i < input.length) {
    const c = input[i]!;
    if (c === "'") {
      // §2.2.2: everything up to the next single quote is literal.
      const end = input.indexOf("'", i + 1);
      if (end < 0) fail('a single quote is not closed');
      word += input.slice(i + 1, end);
      inWord = true;
      i = end + 1;
    } else if (c === '"') {
      // §2.2.3: backslash escapes only $ ` " \ and newline inside double quotes.
      i++;
      for (;;) {
        if (i >= input.length) fail('a double quote is not closed');
        const d = input[i]!;
        if (d === '"') break;
        if (d === '\\' && i + 1 < input.length && '$`"\\\n'.includes(input[i + 1]!)) {
          if (input[i + 1] !== '\n') word += input[i + 1];
          i += 2;
        } else {
          word += d;
          i++;
        }
      }
      inWord = true;
      i++;
    } else if (c === '\\') {
      // §2.2.1: a backslash keeps the next character literal; backslash-newline is a continuation;
      // a backslash at the very end stays itself (as dash and bash do).
      if (i + 1 >= input.length) word += '\\';
      else if (input[i + 1] !== '\n') word += input[i + 1];
      inWord = true;
      i += 2;
    } else if (c === ' ' || c === '\t' || c === '\n') {
      if (inWord) words.push(word);
      word = '';
      inWord = false;
      i++;
    } else {
      if (OPERATORS.has(c)) fail(`"${c}" needs a shell`);
      if (c === '$' && /[({A-Za-z_0-9@*#?$!-]/.test(input[i + 1] ?? '')) fail(`"$${input[i + 1]}" needs a shell (calshare expands no variables)`);
      word += c;
      inWord = true;
      i++;
    }
  }
  if (inWord) words.push(word);
  if (words.length === 0) fail('it is empty');
  return words;
}
