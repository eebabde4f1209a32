import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { networkError, statusError } from '../../src/transport/classify.js';
import {
  AuthError,
  ExitCode,
  NetworkError,
  ServerRefusedError,
  UnsupportedError,
  UsageError,
  VerificationError,
  isCalshareError,
} from '../../src/errors.js';

const ORIGIN = 'https://cal.example.com';
const refusal = (status: number, body: string, purpose = 'sharing "Work"') => {
  const e = statusError(status, body, purpose, 'alice', ORIGIN, false);
  assert.ok(e instanceof ServerRefusedError, `${status} gives a ServerRefusedError`);
  return e;
};

describe('statusError', () => {
  it('401 with basic auth: AuthError naming the user and origin, pointing at the password', () => {
    const e = statusError(401, '', 'listing your calendars', 'alice@example.com', ORIGIN, false);
    assert.ok(e instanceof AuthError);
    assert.equal(e.exitCode, 3);
    assert.match(e.message, /alice@example\.com/);
    assert.match(e.message, /https:\/\/cal\.example\.com/);
    assert.match(e.message, /user name or password/);
    assert.match(e.message, /listing your calendars/);
    assert.match(e.hint ?? '', /CALSHARE_PASSWORD|--username/);
  });

  it('401 with a bearer token: AuthError pointing at a fresh login', () => {
    const e = statusError(401, '', 'listing your calendars', 'alice', ORIGIN, true);
    assert.ok(e instanceof AuthError);
    assert.match(e.message, /access token/);
    assert.match(e.hint ?? '', /calshare login/);
    assert.doesNotMatch(e.hint ?? '', /CALSHARE_PASSWORD/);
  });

  it('403 with DAV:need-privileges: refused (exit 5) with the precondition and an owner hint', () => {
    const body =
      '<?xml version="1.0"?><D:error xmlns:D="DAV:"><D:need-privileges><D:resource>' +
      '<D:href>/cal/work/</D:href><D:privilege><D:write-acl/></D:privilege></D:resource></D:need-privileges></D:error>';
    const e = refusal(403, body);
    assert.equal(e.exitCode, 5);
    assert.equal(e.kind, 'refused');
    assert.equal(e.status, 403);
    assert.deepEqual(e.preconditions, ['need-privileges']);
    assert.match(e.message, /403 Forbidden/);
    assert.match(e.message, /precondition need-privileges/);
    assert.match(e.message, /sharing "Work"/);
    assert.match(e.hint ?? '', /owner/);
    assert.equal(e.serverMessage, undefined, 'a DAV:error is read, not quoted');
  });

  it('409 with DAV:no-ace-conflict suggests another mechanism', () => {
    const e = refusal(409, '<error xmlns="DAV:"><no-ace-conflict/></error>');
    assert.deepEqual(e.preconditions, ['no-ace-conflict']);
    assert.match(e.message, /409 Conflict/);
    assert.match(e.hint ?? '', /--via/);
  });

  it('a CalDAV precondition is carried with its label', () => {
    const e = refusal(403, '<d:error xmlns:d="DAV:" xmlns:c="urn:ietf:params:xml:ns:caldav"><c:valid-calendar-data/></d:error>');
    assert.deepEqual(e.preconditions, ['C:valid-calendar-data']);
  });

  it('500 with an HTML page: an inert excerpt of the server words and a try-later hint', () => {
    const body =
      '<html><head><style>body{color:red}</style><script>alert(1)</script></head>' +
      '<body><h1>Internal Server Error</h1>\n<p>Database \u001b[2J gone \u202Eaway</p></body></html>';
    const e = refusal(500, body);
    assert.equal(e.status, 500);
    assert.deepEqual(e.preconditions, []);
    assert.match(e.message, /500 Internal Server Error/);
    assert.equal(e.serverMessage, 'Internal Server Error Database \\u001b[2J gone \\u202eaway');
    assert.match(e.hint ?? '', /try again later/);
  });

  it('a long error page is cut short', () => {
    const e = refusal(502, `<p>${'x'.repeat(5000)}</p>`);
    assert.ok((e.serverMessage?.length ?? 0) <= 201);
    assert.match(e.message, /502 Bad Gateway/);
  });

  it('404 points at the calendar listing', () => {
    const e = refusal(404, '');
    assert.match(e.message, /404 Not Found/);
    assert.match(e.hint ?? '', /calshare calendars/);
    assert.equal(e.serverMessage, undefined);
  });

  it('403 without a DAV:error still says who may change sharing', () => {
    const e = refusal(403, 'Forbidden');
    assert.deepEqual(e.preconditions, []);
    assert.equal(e.serverMessage, 'Forbidden');
    assert.match(e.hint ?? '', /owner/);
  });

  it('an unlisted status has no reason phrase but a well-formed message', () => {
    const e = refusal(418, '');
    assert.match(e.message, /\(418\)$/);
    assert.equal(e.hint, undefined);
  });
});

describe('networkError', () => {
  const url = new URL('https://cal.example.com:8443/dav/');
  const withCode = (code: string, message = code) => Object.assign(new Error(message), { code });
  const classify = (e: unknown, timeoutMs = 30_000) => {
    const n = networkError(e, url, timeoutMs);
    assert.ok(n instanceof NetworkError);
    assert.equal(n.exitCode, 4);
    return n;
  };

  it('ECONNREFUSED: nothing is listening', () => {
    const e = classify(withCode('ECONNREFUSED'));
    assert.equal(e.code, 'ECONNREFUSED');
    assert.match(e.message, /nothing is listening at cal\.example\.com:8443/);
    assert.match(e.hint ?? '', /server is running/);
  });

  it('ENOTFOUND and EAI_AGAIN: cannot resolve', () => {
    for (const code of ['ENOTFOUND', 'EAI_AGAIN']) {
      const e = classify(withCode(code));
      assert.equal(e.code, code);
      assert.match(e.message, /cannot resolve the host name cal\.example\.com$/);
    }
  });

  it('undici timeouts and an aborted deadline all become ETIMEDOUT, with --timeout in the hint', () => {
    for (const err of [
      withCode('UND_ERR_HEADERS_TIMEOUT'),
      withCode('UND_ERR_BODY_TIMEOUT'),
      withCode('UND_ERR_CONNECT_TIMEOUT'),
      new DOMException('The operation was aborted due to timeout', 'TimeoutError'),
    ]) {
      const e = classify(err, 15_000);
      assert.equal(e.code, 'ETIMEDOUT');
      assert.match(e.message, /did not answer within 15 s/);
      assert.match(e.hint ?? '', /--timeout/);
    }
  });

  it('a self-signed certificate points at --ca-file', () => {
    for (const code of ['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE']) {
      const e = classify(withCode(code));
      assert.equal(e.code, code);
      assert.match(e.message, /certificate of cal\.example\.com:8443 is not trusted/);
      assert.match(e.hint ?? '', /--ca-file/);
    }
  });

  it('a certificate for the wrong name or time is not "fixed" with --ca-file', () => {
    for (const code of ['ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_HAS_EXPIRED']) {
      const e = classify(withCode(code));
      assert.doesNotMatch(e.hint ?? '', /--ca-file/);
      assert.match(e.hint ?? '', /administrator/);
    }
  });

  it('ECONNRESET: broken off, try again', () => {
    const e = classify(withCode('ECONNRESET'));
    assert.equal(e.code, 'ECONNRESET');
    assert.match(e.message, /broke off/);
  });

  it('finds the code in nested causes (fetch-style wrapping), skipping the generic UND_ERR', () => {
    const inner = withCode('DEPTH_ZERO_SELF_SIGNED_CERT', 'self-signed certificate');
    const wrapped = new TypeError('fetch failed', { cause: Object.assign(new Error('undici'), { code: 'UND_ERR', cause: inner }) });
    const e = classify(wrapped);
    assert.equal(e.code, 'DEPTH_ZERO_SELF_SIGNED_CERT');
    assert.match(e.hint ?? '', /--ca-file/);
    assert.equal(e.cause, wrapped);
    assert.equal(classify(new Error('outer', { cause: withCode('ECONNREFUSED') })).code, 'ECONNREFUSED');
  });

  it('an unknown failure still becomes a NetworkError quoting the cause', () => {
    const e = classify(new Error('something odd'));
    assert.equal(e.code, undefined);
    assert.match(e.message, /cannot reach cal\.example\.com:8443: something odd/);
    assert.match(classify('a string was thrown').message, /a string was thrown/);
  });

  it('passes a NetworkError through unchanged', () => {
    const original = new NetworkError('too big', undefined, 'RESPONSE_TOO_LARGE');
    assert.equal(networkError(original, url, 1000), original);
  });
});

describe('exit codes', () => {
  const cases: [unknown, keyof typeof ExitCode, number][] = [
    [new UsageError('x'), 'usage', 2],
    [new AuthError('x'), 'auth', 3],
    [new NetworkError('x'), 'network', 4],
    [new ServerRefusedError('x', undefined, 403), 'refused', 5],
    [new UnsupportedError('x'), 'unsupported', 6],
    [new VerificationError('x', undefined, []), 'verification', 7],
  ];
  for (const [err, kind, code] of cases) {
    it(`${kind} → ${code}`, () => {
      assert.ok(isCalshareError(err));
      assert.equal(err.kind, kind);
      assert.equal(err.exitCode, code);
      assert.equal(ExitCode[kind], code);
      assert.equal(err.name, err.constructor.name);
    });
  }

  it('every exit code is distinct, and plain errors are not calshare errors', () => {
    assert.equal(new Set(Object.values(ExitCode)).size, Object.keys(ExitCode).length);
    assert.equal(isCalshareError(new Error('x')), false);
  });

  it('keeps the hint separate from the message', () => {
    const e = new UsageError('bad URL', 'use https');
    assert.equal(e.message, 'bad URL');
    assert.equal(e.hint, 'use https');
  });
});
