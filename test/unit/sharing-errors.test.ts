// One error class per exit code (src/errors.ts), as documented: 2 usage, 3 auth, 4 network/TLS,
// 5 server refused, 6 unsupported, 7 verification, 8 partial (a many-calendar change partly made). Scripts branch on these numbers, so they are API.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AuthError,
  CalshareError,
  ExitCode,
  NetworkError,
  PartialError,
  ServerRefusedError,
  UnsupportedError,
  UsageError,
  VerificationError,
  isCalshareError,
} from '../../src/errors.js';

const DOCUMENTED = { usage: 2, auth: 3, network: 4, refused: 5, unsupported: 6, verification: 7, partial: 8 } as const;

const instances: [string, CalshareError, keyof typeof DOCUMENTED][] = [
  ['UsageError', new UsageError('bad address', 'Give bob@example.com.'), 'usage'],
  ['AuthError', new AuthError('wrong password'), 'auth'],
  ['NetworkError', new NetworkError('connection refused', undefined, 'ECONNREFUSED'), 'network'],
  ['ServerRefusedError', new ServerRefusedError('403', undefined, 403, ['need-privileges'], 'no'), 'refused'],
  ['UnsupportedError', new UnsupportedError('Radicale cannot share'), 'unsupported'],
  ['VerificationError', new VerificationError('bob still has edit', undefined, [{ email: 'bob@example.test', expected: 'no access', seen: 'edit' }]), 'verification'],
  ['PartialError', new PartialError('1 of 3 calendars failed'), 'partial'],
];

describe('error classes → exit codes', () => {
  it('ExitCode is exactly the documented table, plus 0 for success', () => {
    assert.deepEqual(ExitCode, { ok: 0, ...DOCUMENTED });
  });

  for (const [name, e, kind] of instances) {
    it(`${name} is kind "${kind}", exit ${DOCUMENTED[kind]}`, () => {
      assert.equal(e.kind, kind);
      assert.equal(e.exitCode, DOCUMENTED[kind]);
      assert.equal(e.name, name, 'the name shows in stack traces and logs');
      assert.ok(e instanceof CalshareError && e instanceof Error);
      assert.ok(isCalshareError(e));
    });
  }

  it('every exit code but 0 has exactly one class', () => {
    assert.deepEqual(instances.map(([, e]) => e.exitCode).sort(), [2, 3, 4, 5, 6, 7, 8]);
  });

  it('carries the hint, the cause and each class its own details', () => {
    const cause = new Error('socket hang up');
    const n = new NetworkError('lost', 'Try again.', 'ECONNRESET', { cause });
    assert.equal(n.hint, 'Try again.');
    assert.equal(n.code, 'ECONNRESET');
    assert.equal(n.cause, cause);
    const r = instances[3]![1] as ServerRefusedError;
    assert.equal(r.status, 403);
    assert.deepEqual(r.preconditions, ['need-privileges']);
    assert.equal(r.serverMessage, 'no');
    assert.deepEqual(new ServerRefusedError('x', undefined, 500).preconditions, []);
    const v = instances[5]![1] as VerificationError;
    assert.deepEqual(v.mismatches, [{ email: 'bob@example.test', expected: 'no access', seen: 'edit' }]);
    assert.equal(new UsageError('x').hint, undefined);
  });

  it('plain errors are not CalshareErrors (they are bugs, reported differently)', () => {
    for (const x of [new Error('x'), new TypeError('x'), 'x', undefined, { kind: 'usage', exitCode: 2 }]) assert.ok(!isCalshareError(x));
  });
});
