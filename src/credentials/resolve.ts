// Where calshare finds a secret. In this order, the first source that exists wins:
//
//   1. the environment: CALSHARE_PASSWORD (HTTP Basic password) or CALSHARE_TOKEN (a bearer access
//      token), for scripts and CI;
//   2. the account's password command (`calshare login --password-command 'pass show caldav/alice'`),
//      run without a shell; the first line of its stdout is the secret;
//   3. the OS keyring entry service "calshare", account <account name>, written by `calshare login`:
//      the password (basic), or the OAuth token set with its refresh token (oauth).
//
// There is no --password flag and no plaintext secret file. Every secret stays inside a closure
// here: a Credentials object printed, logged or serialised shows only the user name.
import { AuthError, UsageError } from '../errors.js';
import type { Credentials } from '../transport/http.js';
import { basicCredentials, envPassword } from './basic.js';
import type { Account } from './config.js';
import { KeyringUnavailable, keyringGet, keyringSet } from './keyring.js';
import { runPasswordCommand } from './password-command.js';
import type { OAuthTrace, TokenSet } from './oauth.js';

export type SecretSource = 'env' | 'password-command' | 'keyring';

/** A secret fetched once, when first needed (not at start-up, not per request). */
function once(get: () => Promise<string>): () => Promise<string> {
  let p: Promise<string> | undefined;
  return () => (p ??= get());
}

export function bearerCredentials(user: string, token: () => Promise<string>): Credentials {
  return {
    user,
    scheme: 'bearer',
    async authorization() {
      const t = await token();
      // RFC 6750 §2.1 b64token: a CR, LF or other control character would split or break the header;
      // it is a pasted-wrong token (a usage error), not a network failure.
      if (/[\u0000-\u001f\u007f]/.test(t)) {
        throw new UsageError('the access token contains a line break or control character', 'Set CALSHARE_TOKEN (or the password command output) to the token alone, on one line.');
      }
      return `Bearer ${t}`;
    },
  };
}

/** No account configured: --url/--username and the environment, as before accounts existed. */
export function flagCredentials(username: string, env: NodeJS.ProcessEnv = process.env): Credentials {
  const token = env.CALSHARE_TOKEN;
  if (token) return bearerCredentials(username, async () => token);
  return basicCredentials(username, envPassword(env));
}

export interface ResolveOptions {
  env?: NodeJS.ProcessEnv;
  trace?: OAuthTrace;
  /** Trusted for the OAuth issuer too (see transport/ca.ts). */
  caFile?: string;
  warn?: (message: string) => void;
}

export function accountCredentials(name: string, account: Account, o: ResolveOptions = {}): Credentials {
  const env = o.env ?? process.env;
  const user = account.username;
  // 1. environment
  if (env.CALSHARE_TOKEN && (account.auth === 'oauth' || !env.CALSHARE_PASSWORD)) {
    const t = env.CALSHARE_TOKEN;
    return bearerCredentials(user, async () => t);
  }
  if (env.CALSHARE_PASSWORD) return basicCredentials(user, envPassword(env));
  // 2. password command: a password (basic) or an access token (oauth)
  if (account.passwordCommand?.length) {
    const secret = once(() => runPasswordCommand(account.passwordCommand!, name));
    return account.auth === 'oauth' ? bearerCredentials(user, secret) : basicCredentials(user, secret);
  }
  // 3. keyring
  if (account.auth === 'basic') return basicCredentials(user, once(() => keyringSecret(name)));
  return oauthCredentials(name, account, o);
}

async function keyringSecret(name: string): Promise<string> {
  let secret: string | null;
  try {
    secret = await keyringGet(name);
  } catch (e) {
    if (e instanceof KeyringUnavailable) {
      throw new AuthError(
        `cannot read the secret of account "${name}": ${e.message}`,
        'Unlock the keyring, or set CALSHARE_PASSWORD / CALSHARE_TOKEN, or use `calshare login --password-command …`.',
      );
    }
    throw e;
  }
  if (secret === null || secret === '') {
    throw new AuthError(`the OS keyring holds no secret for account "${name}"`, `Run \`calshare login --account ${name}\` to store it again.`);
  }
  return secret;
}

export function parseTokenSet(text: string, name: string): TokenSet {
  try {
    const t = JSON.parse(text) as TokenSet;
    if (typeof t.access_token === 'string') return t;
  } catch {
    // fall through: never echo the stored text
  }
  throw new AuthError(`the keyring entry of account "${name}" is not an OAuth token set`, `Run \`calshare login --account ${name}\` again.`);
}

const EXPIRY_MARGIN_MS = 10_000;

/**
 * OAuth bearer credentials backed by the keyring. The access token is refreshed before it is
 * used when the server said it has expired, and once after a 401 (a resource server may reject a
 * token earlier than its expires_in, e.g. Cyrus' http_jwt_max_age); the rotated set is stored
 * back. Concurrent 401s share one refresh: a rotated refresh token may be redeemed only once
 * (OAuth 2.0 Security BCP, RFC 9700 §4.14.2), so a second redemption would end the login.
 */
export function oauthCredentials(name: string, account: Account, o: ResolveOptions = {}): Credentials {
  if (!account.oauth) throw new UsageError(`account "${name}" uses OAuth but has no OAuth settings`, `Run \`calshare login --account ${name} --auth oauth\` again.`);
  const settings = account.oauth;
  let tokens: Promise<TokenSet> | undefined;
  let inflight: Promise<TokenSet> | undefined;
  let refreshedAt = 0;
  const load = () => (tokens ??= keyringSecret(name).then((t) => parseTokenSet(t, name)));
  const doRefresh = (current: TokenSet) =>
    (inflight ??= (async () => {
      try {
        const { oauthClient, refresh } = await import('./oauth.js');
        const next = await refresh(await oauthClient(settings, o), current, name);
        try {
          await keyringSet(name, JSON.stringify(next));
        } catch (e) {
          o.warn?.(`could not store the refreshed login of "${name}" in the keyring (${(e as Error).message}); the next command may need \`calshare login\``);
        }
        refreshedAt = Date.now();
        tokens = Promise.resolve(next);
        return next;
      } finally {
        inflight = undefined;
      }
    })());
  return {
    user: account.username,
    scheme: 'bearer',
    async authorization() {
      let t = await (inflight ?? load());
      if (t.expires_at !== undefined && Date.now() > t.expires_at - EXPIRY_MARGIN_MS) t = await doRefresh(t);
      return `Bearer ${t.access_token}`;
    },
    async renew() {
      if (inflight) return Boolean(await inflight);
      // Another request's 401 already refreshed moments ago: retry with that token instead.
      if (Date.now() - refreshedAt < 1000) return true;
      await doRefresh(await load());
      return true;
    },
  };
}
