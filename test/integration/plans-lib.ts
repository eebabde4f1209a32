// What the plan tests on DAViCal and SOGo share (plans-davical.test.ts, plans-sogo.test.ts): calshare
// as alice on one server, the --json report's shape, and the same team plan of 3 calendars x 5
// people at mixed levels, so both servers are held to one plan.
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { calshare, type CliResult } from '../helpers/cli.js';

export interface Report {
  calendars: { calendar: string; status: string; people: { who: string; action: string; result?: string }[]; error: { kind: string; message: string; hint: string } | null }[];
}

export const reportOf = (r: CliResult) => JSON.parse(r.stdout) as Report;

/** calshare as alice on `url`, asserting the exit code (0 unless told); generous timeouts for a loaded machine. */
export const aliceOn =
  (url: string, password: string) =>
  async (args: string[], code = 0): Promise<CliResult> => {
    const r = await calshare([...args, '--url', url, '--username', 'alice', '--timeout', '180'], { env: { CALSHARE_PASSWORD: password }, timeoutMs: 600_000 });
    assert.equal(r.code, code, `calshare ${args.join(' ')} → exit ${r.code}, wanted ${code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
    return r;
  };

/** A fresh directory for plan files. */
export const planDir = (): string => mkdtempSync(join(tmpdir(), 'calshare-plan-'));

/** Writes `text` as `name` in a fresh directory; returns the path. */
export function planFile(name: string, text: string): string {
  const file = join(planDir(), name);
  writeFileSync(file, text);
  return file;
}

/**
 * The team plan: calendar a for bob (edit), carol and dave (view); b for bob (view), erin (edit),
 * frank (view); c for carol and dave (edit), erin, frank and bob (view).
 */
export function teamPlan([a, b, c]: readonly string[], email: (u: 'bob' | 'carol' | 'dave' | 'erin' | 'frank') => string): string {
  return `calendars:
  - calendar: ${a}
    sharees:
      - { email: ${email('bob')}, level: edit }
      - { email: ${email('carol')}, level: view }
      - { email: ${email('dave')}, level: view }
  - calendar: ${b}
    sharees:
      - { email: ${email('bob')}, level: view }
      - { email: ${email('erin')}, level: edit }
      - { email: ${email('frank')}, level: view }
  - calendar: ${c}
    sharees:
      - { email: ${email('carol')}, level: edit }
      - { email: ${email('dave')}, level: edit }
      - { email: ${email('erin')}, level: view }
      - { email: ${email('frank')}, level: view }
      - { email: ${email('bob')}, level: view }
`;
}
