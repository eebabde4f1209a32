// The one place that decides whether calshare may ask questions. Prompts need a person at both
// ends: keystrokes from a terminal (stdin) and a screen to draw on (stdout). Anything else (a pipe,
// a file, /dev/null, CI) and --json mean a script is driving: missing input is then a usage error,
// never a wait on stdin.
import { UsageError } from '../../errors.js';

export interface Streams {
  stdin: { isTTY?: boolean };
  stdout: { isTTY?: boolean };
}

export function canPrompt(flags: { json?: boolean }, io: Streams = process): boolean {
  return Boolean(io.stdin.isTTY) && Boolean(io.stdout.isTTY) && !flags.json;
}

/** The usage error for input that would have been asked for on a terminal. */
export function missing(what: string, hint: string): UsageError {
  return new UsageError(`missing ${what}`, `${hint} At a terminal (without --json) calshare asks for it instead.`);
}
