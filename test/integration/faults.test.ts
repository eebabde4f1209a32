// Faults between calshare and a real server (staging Cyrus behind test/helpers/fault-proxy.ts):
// for each, the built CLI exits with the right class and a hint, never claims an unverified
// success, never repeats a write, sends no credential elsewhere, and leaves the calendar's sharing
// exactly as before or exactly as intended (read straight from Cyrus). The table is shared with
// `npm run faults`, which prints the same cases as a matrix.
import { before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ensureStaging } from '../helpers/staging.js';
import { FAULT_CASES, judge, runCase } from '../helpers/fault-cases.js';

describe('faults between calshare and the server', () => {
  before(() => ensureStaging('cyrus'));

  for (const c of FAULT_CASES) {
    it(`${c.id}: ${c.fault} → exit ${c.expect.exit}${c.expect.state ? `, state ${c.expect.state}` : ''}`, async () => {
      const o = await runCase(c);
      const problems = judge(c, o);
      assert.deepEqual(problems, [], `${c.id}\n--- stderr\n${o.stderr}--- stdout\n${o.stdout}`);
    });
  }
});
