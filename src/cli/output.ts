// Output conventions (as in gh): data on stdout, people-talk on stderr; --json prints one document
// and nothing else on stdout; colour only on a terminal without NO_COLOR.
import { styleText } from 'node:util';
import { inert, inertJson, inertLine } from '../util/inert.js';
import { isCalshareError, ExitCode, type CalshareError } from '../errors.js';
import { projectJson } from './json-fields.js';

type Style = Parameters<typeof styleText>[0];

export function useColor(stream: NodeJS.WriteStream): boolean {
  return Boolean(stream.isTTY) && !('NO_COLOR' in process.env) && process.env.TERM !== 'dumb';
}

export function paint(stream: NodeJS.WriteStream, style: Style, text: string): string {
  return useColor(stream) ? styleText(style, text) : text;
}

/** Display width, counting East Asian wide characters as two columns. */
function width(s: string): number {
  let w = 0;
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    w += cp >= 0x1100 && /[\u1100-\u115F\u2E80-\uA4CF\uAC00-\uD7A3\uF900-\uFAFF\uFE30-\uFE4F\uFF00-\uFF60\uFFE0-\uFFE6\u{20000}-\u{3FFFD}]/u.test(ch) ? 2 : 1;
  }
  return w;
}

/**
 * Column widths that fit `columns` (as gh's tables do on a terminal): the widest columns give way
 * first, never below their header (a header is never cut, so it never wraps mid-word) nor below
 * 8 characters. Pure; returns the natural widths when they fit or nothing can give.
 */
export function fitWidths(natural: readonly number[], headers: readonly number[], columns: number, gap = 2): number[] {
  const w = [...natural];
  const floor = (i: number) => Math.min(natural[i]!, Math.max(headers[i]!, 8));
  let over = w.reduce((a, b) => a + b, 0) + gap * (w.length - 1) - columns;
  while (over > 0) {
    let widest = -1;
    for (let i = 0; i < w.length; i++) if (w[i]! > floor(i) && (widest < 0 || w[i]! > w[widest]!)) widest = i;
    if (widest < 0) break;
    w[widest]!--;
    over--;
  }
  return w;
}

/** `s` cut to `max` display columns, with an ellipsis when something was cut. */
function cut(s: string, max: number): string {
  if (width(s) <= max) return s;
  let out = '';
  for (const ch of s) {
    if (width(out + ch) > max - 1) break;
    out += ch;
  }
  return out + '…';
}

/**
 * An aligned table; every cell is made inert because cells often hold server-supplied text. On a
 * terminal it fits the window's width; piped, rows stay whole for scripts.
 */
export function table(headers: string[], rows: string[][], stream: NodeJS.WriteStream = process.stdout): string {
  const cells = rows.map((r) => r.map((c) => inertLine(c)));
  const natural = headers.map((h, i) => Math.max(width(h), ...cells.map((r) => width(r[i] ?? ''))));
  const widths = stream.isTTY && stream.columns ? fitWidths(natural, headers.map(width), stream.columns) : natural;
  const line = (r: string[]) =>
    r
      .map((c0, i) => {
        const c = cut(c0, widths[i]!);
        return i === r.length - 1 ? c : c + ' '.repeat(widths[i]! - width(c));
      })
      .join('  ')
      .trimEnd();
  return [paint(stream, 'bold', line(headers)), ...cells.map(line)].join('\n') + '\n';
}

let jsonFields: readonly string[] | undefined;
/** Set once by main from `--json FIELDS`; printJson then keeps only those fields of list items. */
export function setJsonFields(fields: readonly string[] | undefined): void {
  jsonFields = fields;
}

export function printJson(value: unknown): void {
  process.stdout.write(inertJson(jsonFields ? projectJson(value, jsonFields) : value) + '\n');
}

export function errorJson(e: CalshareError): Record<string, unknown> {
  return {
    error: {
      kind: e.kind,
      exitCode: e.exitCode,
      message: e.message,
      ...(e.hint ? { hint: e.hint } : {}),
      ...('preconditions' in e ? { preconditions: e.preconditions } : {}),
      ...('mismatches' in e ? { mismatches: e.mismatches } : {}),
    },
  };
}

/** Prints an error the way the user needs it and returns the exit code. */
export function reportError(e: unknown, json: boolean): number {
  if (isCalshareError(e)) {
    if (json) process.stdout.write(inertJson(errorJson(e)) + '\n');
    if ('shown' in e && e.shown === true) return e.exitCode; // a prompt's frame already said it
    // The one inert path for what reaches the terminal (issue 11 §3): control and bidi characters made
    // visible, and every continuation line indented, so no text inside a message, server text
    // included, can start a line of its own that reads as another "error:" or "hint:" (hints such as
    // Radicale's rights-file advice keep their own line breaks, indented).
    const serverWords = 'serverMessage' in e && e.serverMessage ? `\n  server said: ${inertLine(String(e.serverMessage))}` : '';
    const message = inert(e.message).replace(/\n(?! {2})/g, '\n  ');
    process.stderr.write(`${paint(process.stderr, 'red', 'error:')} ${message}${serverWords}\n`);
    // A hint is calshare's own text (server words in it are already one line each), and some hints
    // carry a block to paste as it is (Radicale's rights-file sections, where an indented line would
    // continue the previous value): its lines stay flush left, except one that would read as a
    // line of calshare's own ("error:", "hint:" …), which is indented.
    if (e.hint) process.stderr.write(`${paint(process.stderr, 'dim', 'hint:')} ${inert(e.hint).replace(/\n(?=\s*(?:error|hint|warning|note|server said):)/gi, '\n  ')}\n`);
    return e.exitCode;
  }
  // A bug, not a user error: show it plainly so it can be reported. Never includes secrets: they are
  // held in closures, not in objects an error could carry.
  process.stderr.write(`calshare: internal error: ${(e as Error)?.stack ?? String(e)}\n`);
  return 1;
}

export const EXIT_CODE_HELP = `Exit codes:
  ${ExitCode.ok}    success
  ${ExitCode.usage}    usage or invalid input (bad URL, unknown calendar, missing flag)
  ${ExitCode.auth}    authentication failed (wrong user name, password or token)
  ${ExitCode.network}    network or TLS problem (refused, timeout, untrusted certificate: see --ca-file)
  ${ExitCode.refused}    the server refused the request (its DAV:error precondition is named)
  ${ExitCode.unsupported}    the server cannot do this over CalDAV (the message says what an administrator can do)
  ${ExitCode.verification}    the server said yes, but reading back shows the change did not take effect
  ${ExitCode.partial}    partly done: some calendars of a plan or a several-calendar share failed (the report names them)
  130  cancelled with Ctrl-C at a prompt (nothing was sent; Esc or Ctrl-D at a prompt is 2)`;
