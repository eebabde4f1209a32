// `npm run faults`: the fault matrix. Runs every case of test/helpers/fault-cases.ts (the same
// table test/integration/faults.test.ts asserts) and prints, per fault, the exit code and message
// class seen, whether the sharing state was intact, and how many writes reached the server.
// With --verbose, also the full error and hint lines. Exit status 1 if any case misbehaved.
import { ensureStaging } from '../test/helpers/staging.js';
import { FAULT_CASES, judge, runCase } from '../test/helpers/fault-cases.js';

const verbose = process.argv.includes('--verbose');
ensureStaging('cyrus');

const rows: string[][] = [];
let failed = 0;
for (const c of FAULT_CASES) {
  const o = await runCase(c);
  const problems = judge(c, o);
  if (problems.length) failed++;
  // Intact: the calendar's ACL exactly as before or exactly as intended, and the owner's home ACL untouched.
  const state = o.state === 'broken' || o.homeChanges.length ? 'BROKEN' : o.state === '-' ? 'intact (read-only)' : `intact (${o.state})`;
  rows.push([c.id, c.command + (c.via ? ` --via ${c.via}` : ''), `${o.exit ?? '-'} ${o.kind}`, messageClass(o.message), state, String(o.writes), o.otherHostHits ? `${o.otherHostHits}!` : '0', `${o.ms}`, problems.length ? `FAIL: ${problems.join('; ')}` : 'ok']);
  if (verbose) process.stdout.write(`\n${c.id}: ${c.fault}\n  error: ${o.message}\n  hint:  ${o.hint}\n`);
}

/** The message without host names and ports: what kind of thing the user is told. */
function messageClass(m: string): string {
  const plain = m.replace(/127\.0\.0\.1:\d+/g, 'HOST').replace(/\/dav\/\S+/g, 'PATH');
  return plain.length > 72 ? `${plain.slice(0, 71)}…` : plain || '(none)';
}

const head = ['CASE', 'COMMAND', 'EXIT', 'MESSAGE', 'SHARING STATE', 'WRITES', 'ELSEWHERE', 'MS', 'VERDICT'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ');
process.stdout.write(`\nFault matrix against staging Cyrus (${FAULT_CASES.length} cases)\n\n${line(head)}\n${rows.map(line).join('\n')}\n`);
process.stdout.write(
  `\nSHARING STATE: the calendar's ACL read straight from Cyrus is exactly as before or exactly as intended, and the owner's calendar-home ACL is unchanged.` +
    `\nWRITES: state-changing requests to the calendar that reached Cyrus; ELSEWHERE: requests that reached the "other host" listeners.\n`,
);
for (const c of FAULT_CASES) process.stdout.write(`  ${c.id.padEnd(widths[0]!)}  ${c.fault}\n`);
process.stdout.write(`\n${FAULT_CASES.length - failed} of ${FAULT_CASES.length} cases behaved${failed ? `; ${failed} did not` : ''}.\n`);
process.exitCode = failed ? 1 : 0;
