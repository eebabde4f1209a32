// Turning transport failures and unwanted statuses into the error classes of src/errors.ts,
// each with a next step the user can take.
import { AuthError, NetworkError, ServerRefusedError } from '../errors.js';
import { multistatusFailure, parseDavError } from '../xml/multistatus.js';
import { excerpt } from '../util/inert.js';

const TLS_CODES = new Set([
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_UNTRUSTED',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

function codeOf(e: unknown): string | undefined {
  for (let cur: unknown = e, i = 0; cur && i < 5; cur = (cur as { cause?: unknown }).cause, i++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string' && code !== 'UND_ERR') return code;
  }
  return undefined;
}

export function networkError(e: unknown, url: URL, timeoutMs: number): NetworkError {
  if (e instanceof NetworkError) return e;
  const code = codeOf(e) ?? ((e as Error)?.name === 'TimeoutError' ? 'ETIMEDOUT' : undefined);
  const host = url.host;
  const opt = { cause: e };
  if (code && TLS_CODES.has(code)) {
    return new NetworkError(
      `the certificate of ${host} is not trusted (${code})`,
      code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'CERT_HAS_EXPIRED' || code === 'CERT_NOT_YET_VALID'
        ? `The certificate does not fit this server (${code}); ask its administrator to fix it.`
        : 'If the server uses a private CA or a self-signed certificate, pass the CA (PEM) with --ca-file PATH.',
      code,
      opt,
    );
  }
  switch (code) {
    case 'ECONNREFUSED':
      return new NetworkError(`nothing is listening at ${host} (connection refused)`, 'Check the URL and port, and that the server is running.', code, opt);
    case 'ENOTFOUND':
    case 'EAI_AGAIN':
      return new NetworkError(`cannot resolve the host name ${url.hostname}`, 'Check the URL and your network connection.', code, opt);
    case 'UND_ERR_CONNECT_TIMEOUT':
    case 'UND_ERR_HEADERS_TIMEOUT':
    case 'UND_ERR_BODY_TIMEOUT':
    case 'ETIMEDOUT':
    case 'UND_ERR_ABORTED':
      return new NetworkError(
        `${host} did not answer within ${+(timeoutMs / 1000).toFixed(1)} s`,
        'Check the server and your network, or give it longer with --timeout SECONDS.',
        'ETIMEDOUT',
        opt,
      );
    case 'ECONNRESET':
    case 'UND_ERR_SOCKET':
    case 'EPIPE':
      return new NetworkError(`the connection to ${host} broke off mid-response`, 'Try again; if it persists, check proxies between you and the server.', code, opt);
    default:
      return new NetworkError(`cannot reach ${host}: ${(e as Error)?.message ?? String(e)}`, 'Check the URL and your network connection.', code, opt);
  }
}

const REASON: Record<number, string> = {
  400: 'Bad Request', 403: 'Forbidden', 404: 'Not Found', 405: 'Method Not Allowed', 409: 'Conflict',
  412: 'Precondition Failed', 415: 'Unsupported Media Type', 423: 'Locked', 500: 'Internal Server Error',
  501: 'Not Implemented', 502: 'Bad Gateway', 503: 'Service Unavailable', 504: 'Gateway Timeout', 507: 'Insufficient Storage',
};

// RFC 3744 §7.1.1 and §8.1.1, RFC 4791 §5.3.2, draft-pot §5.3: what each precondition asks of the user.
const PRECONDITION_HINT: Record<string, string> = {
  'need-privileges': 'Your account lacks the privilege for this; only the calendar owner (or an admin) can change its sharing.',
  'recognized-principal': 'The server does not know that person; check the address.',
  'no-ace-conflict': 'The server rejected the combination of access rules; it may not allow sharing this collection by ACL. Try another mechanism with --via.',
  'no-protected-ace-conflict': 'The change would alter an access rule the server protects.',
  'no-inherited-ace-conflict': 'The change would alter an access rule inherited from a parent collection.',
  'not-supported-privilege': 'The server does not support that privilege on this calendar.',
  'no-abstract': 'The server does not allow granting that privilege directly.',
  'allowed-principal': 'The server does not allow granting to that principal.',
  'no-invert': 'The server does not support inverted access rules.',
  'grant-only': 'The server only supports grant rules, not deny rules.',
};

export function statusError(status: number, body: string, purpose: string, user: string, origin: string, bearer: boolean): AuthError | ServerRefusedError {
  if (status === 401) {
    return new AuthError(
      `${origin} rejected the ${bearer ? 'access token' : 'user name or password'} for "${user}" (401) while ${purpose}`,
      bearer
        ? 'Run `calshare login` again to get a fresh token.'
        : 'Check the user name (--username) and the password (CALSHARE_PASSWORD, or run `calshare login`).',
    );
  }
  const dav = parseDavError(body);
  const conditions = dav?.conditions ?? [];
  const words = dav ? undefined : excerpt(body);
  const head = `the server refused ${purpose} (${status} ${REASON[status] ?? ''}`.trimEnd() + ')';
  const message = conditions.length ? `${head}: precondition ${conditions.join(', ')}` : head;
  const hint =
    conditions.map((c) => PRECONDITION_HINT[c]).find(Boolean) ??
    (status >= 500
      ? 'The server failed; try again later, and tell its administrator if it persists.'
      : status === 404
        ? 'Check the URL or calendar name; `calshare calendars` lists what exists.'
        : status === 403
          ? 'Your account is not allowed to do this; only the calendar owner can change its sharing.'
          : undefined);
  return new ServerRefusedError(message, hint, status, conditions, words);
}

/**
 * A write answered 207 can still have been refused for the resource (RFC 4918 §13, §14.5): that is
 * a refusal like a 403 on its own, never a success, and the caller does not send it again.
 */
export function multistatusRefusal(res: { status: number; body: string }, purpose: string): ServerRefusedError | undefined {
  if (res.status !== 207) return undefined;
  const f = multistatusFailure(res.body);
  if (!f) return undefined;
  const head = `the server refused ${purpose} (${f.status} ${REASON[f.status] ?? ''}`.trimEnd() + `${f.href ? ` for ${f.href}` : ''}, inside a 207 multistatus)`;
  return new ServerRefusedError(
    f.conditions.length ? `${head}: precondition ${f.conditions.join(', ')}` : head,
    f.conditions.map((c) => PRECONDITION_HINT[c]).find(Boolean) ??
      (f.status === 403 ? 'Your account is not allowed to do this; only the calendar owner can change its sharing.' : 'Nothing was changed; check the calendar with `calshare sharees`.'),
    f.status,
    f.conditions,
  );
}
