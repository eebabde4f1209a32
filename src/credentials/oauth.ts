// OAuth 2 for servers that take bearer tokens, with oauth4webapi doing the protocol:
// authorization code + PKCE (RFC 7636) through a loopback redirect (RFC 8252 §7.3), the device
// authorization grant (RFC 8628), and the refresh grant (RFC 6749 §6). calshare is a public
// native client (RFC 8252 §8.4): no client secret, PKCE always.
import * as o from 'oauth4webapi';
import { AuthError, NetworkError, UsageError } from '../errors.js';
import { trustedCas } from '../transport/ca.js';
import { networkError } from '../transport/classify.js';
import { nodeFetch } from '../transport/fetch.js';
import { isLoopbackHost, OriginPolicy } from '../transport/url-policy.js';
import type { OAuthSettings } from './config.js';

export interface TokenSet {
  access_token: string;
  refresh_token?: string;
  /** Epoch milliseconds; absent when the server did not say (expires_in is OPTIONAL, RFC 6749 §5.1). */
  expires_at?: number;
}

export type OAuthTrace = (t: { method: string; url: string; status: number | string; ms: number }) => void;

export interface OAuthClientOptions {
  trace?: OAuthTrace;
  /** The account's --ca-file: an in-house issuer is often signed by the same private CA. */
  caFile?: string;
}

export interface OAuthClient {
  as: o.AuthorizationServer;
  client: o.Client;
  settings: OAuthSettings;
  /** Options for every oauth4webapi request: insecure HTTP for loopback issuers only, tracing. */
  http: { [o.allowInsecureRequests]?: boolean; [o.customFetch]?: typeof fetch; signal?: () => AbortSignal };
}

const TIMEOUT_MS = 30_000;

function issuerUrl(issuer: string): URL {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    throw new UsageError(`"${issuer}" is not a URL`, 'Give the authorization server with --issuer https://login.example.com/');
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return url;
  throw new UsageError(`refusing the OAuth issuer ${url.origin}: tokens would cross the network unencrypted`, 'Use an https:// issuer.');
}

/** Builds the client: RFC 8414 / OIDC discovery of the issuer, then any endpoint overrides. */
export async function oauthClient(settings: OAuthSettings, opts: OAuthClientOptions = {}): Promise<OAuthClient> {
  const issuer = issuerUrl(settings.issuer);
  const send = nodeFetch(opts.caFile ? { ca: await trustedCas(opts.caFile) } : {});
  // The issuer's origin, endpoints the user named, and discovered endpoints only on the issuer's
  // registrable domain over https: a metadata document cannot send a refresh token elsewhere.
  const policy = new OriginPolicy(issuer);
  for (const e of [settings.authorizationEndpoint, settings.tokenEndpoint, settings.deviceAuthorizationEndpoint]) if (e) policy.admit(issuerUrl(e));
  const tracedFetch: typeof fetch = async (input, init) => {
    const started = performance.now();
    const url = String(input instanceof Request ? input.url : input);
    const method = init?.method ?? 'GET';
    await policy.check(new URL(url), 'talking to the authorization server');
    try {
      // node:http/https like CalDAV requests (transport/fetch.ts): the --ca-file CA without undici.
      const res = await send(url, init);
      opts.trace?.({ method, url, status: res.status, ms: Math.round(performance.now() - started) });
      return res;
    } catch (e) {
      opts.trace?.({ method, url, status: 'error', ms: Math.round(performance.now() - started) });
      throw networkError(e, new URL(url), TIMEOUT_MS);
    }
  };
  // allowInsecureRequests exists for tests against a loopback authorization server; a remote
  // issuer is https or refused above, so the flag can never weaken a real login.
  const http: OAuthClient['http'] = {
    ...(issuer.protocol === 'http:' ? { [o.allowInsecureRequests]: true } : {}),
    [o.customFetch]: tracedFetch,
    signal: () => AbortSignal.timeout(TIMEOUT_MS),
  };
  let as: o.AuthorizationServer;
  const overrides = {
    ...(settings.authorizationEndpoint ? { authorization_endpoint: settings.authorizationEndpoint } : {}),
    ...(settings.tokenEndpoint ? { token_endpoint: settings.tokenEndpoint } : {}),
    ...(settings.deviceAuthorizationEndpoint ? { device_authorization_endpoint: settings.deviceAuthorizationEndpoint } : {}),
  };
  if (settings.tokenEndpoint) {
    as = { issuer: issuer.href.replace(/\/$/, ''), ...overrides };
  } else {
    as = await discoverIssuer(issuer, http);
    as = { ...as, ...overrides };
  }
  return { as, client: { client_id: settings.clientId, token_endpoint_auth_method: 'none' }, settings, http };
}

async function discoverIssuer(issuer: URL, http: OAuthClient['http']): Promise<o.AuthorizationServer> {
  // OIDC discovery first (most providers), then RFC 8414 §3 for plain OAuth servers.
  let last: unknown;
  for (const algorithm of ['oidc', 'oauth2'] as const) {
    try {
      const res = await o.discoveryRequest(issuer, { ...http, algorithm });
      return await o.processDiscoveryResponse(issuer, res);
    } catch (e) {
      if (e instanceof NetworkError) throw e;
      last = e;
    }
  }
  throw new UsageError(
    `${issuer.href} publishes no OAuth metadata (${(last as Error)?.message ?? 'unknown error'})`,
    'Check --issuer, or give the endpoints with --token-endpoint and --authorization-endpoint / --device-endpoint.',
  );
}

const toTokenSet = (r: o.TokenEndpointResponse, previous?: TokenSet): TokenSet => ({
  access_token: r.access_token,
  // RFC 6749 §6: the server MAY issue a new refresh token; when it does not, the old one stays valid.
  ...(r.refresh_token ?? previous?.refresh_token ? { refresh_token: r.refresh_token ?? previous?.refresh_token } : {}),
  ...(typeof r.expires_in === 'number' ? { expires_at: Date.now() + r.expires_in * 1000 } : {}),
});

/** The protocol's own words for a refused grant: error code and description, never a token. */
function describe(e: unknown): string {
  if (e instanceof o.ResponseBodyError || e instanceof o.AuthorizationResponseError) {
    return e.error_description ? `${e.error}: ${e.error_description}` : e.error;
  }
  return (e as Error)?.message ?? String(e);
}

export function scopeOf(settings: OAuthSettings): string | undefined {
  return settings.scope?.trim() || undefined;
}

/** RFC 7636 + RFC 8252 §7.3: the authorization URL for one attempt, and how to finish it. */
export async function startCodeFlow(c: OAuthClient, redirectUri: string) {
  if (!c.as.authorization_endpoint) throw new UsageError(`${c.as.issuer} has no authorization endpoint`, 'Use --device, or give --authorization-endpoint.');
  const verifier = o.generateRandomCodeVerifier();
  const state = o.generateRandomState();
  const url = new URL(c.as.authorization_endpoint);
  url.searchParams.set('client_id', c.client.client_id);
  url.searchParams.set('redirect_uri', redirectUri);
  url.searchParams.set('response_type', 'code');
  url.searchParams.set('code_challenge', await o.calculatePKCECodeChallenge(verifier));
  url.searchParams.set('code_challenge_method', 'S256');
  url.searchParams.set('state', state);
  const scope = scopeOf(c.settings);
  if (scope) url.searchParams.set('scope', scope);
  return {
    url,
    /** Validates the redirect (state included) and redeems the code. */
    async finish(callback: URL): Promise<TokenSet> {
      let params: URLSearchParams;
      try {
        params = o.validateAuthResponse(c.as, c.client, callback, state);
      } catch (e) {
        throw new AuthError(`the authorization server did not grant access: ${describe(e)}`, 'Run `calshare login` again.');
      }
      try {
        const res = await o.authorizationCodeGrantRequest(c.as, c.client, o.None(), params, redirectUri, verifier, c.http);
        return toTokenSet(await o.processAuthorizationCodeResponse(c.as, c.client, res));
      } catch (e) {
        if (e instanceof NetworkError) throw e;
        throw new AuthError(`the authorization server refused the code: ${describe(e)}`, 'Run `calshare login` again.');
      }
    },
  };
}

/** RFC 8628 §3.1–3.5: ask for a user code, show it, poll until the user approved (or refused). */
export async function deviceFlow(c: OAuthClient, show: (d: o.DeviceAuthorizationResponse) => void, sleep = delay): Promise<TokenSet> {
  if (!c.as.device_authorization_endpoint) {
    throw new UsageError(`${c.as.issuer} does not offer the device flow (no device_authorization_endpoint)`, 'Log in on a machine with a browser, or give --device-endpoint.');
  }
  const scope = scopeOf(c.settings);
  let d: o.DeviceAuthorizationResponse;
  try {
    const res = await o.deviceAuthorizationRequest(c.as, c.client, o.None(), scope ? { scope } : {}, c.http);
    d = await o.processDeviceAuthorizationResponse(c.as, c.client, res);
  } catch (e) {
    if (e instanceof NetworkError) throw e;
    throw new AuthError(`the authorization server refused the device login: ${describe(e)}`, 'Check --client-id and --scope.');
  }
  show(d);
  // §3.2: interval defaults to 5 s; §3.5: slow_down adds 5 s for this and all later polls.
  let interval = (d.interval ?? 5) * 1000;
  const deadline = Date.now() + d.expires_in * 1000;
  for (;;) {
    await sleep(interval);
    if (Date.now() > deadline) throw new AuthError('the device code expired before the login was approved', 'Run `calshare login --device` again and approve sooner.');
    try {
      const res = await o.deviceCodeGrantRequest(c.as, c.client, o.None(), d.device_code, c.http);
      return toTokenSet(await o.processDeviceCodeResponse(c.as, c.client, res));
    } catch (e) {
      if (e instanceof o.ResponseBodyError && e.error === 'authorization_pending') continue;
      if (e instanceof o.ResponseBodyError && e.error === 'slow_down') {
        interval += 5000;
        continue;
      }
      if (e instanceof NetworkError) throw e;
      throw new AuthError(`the device login was not approved: ${describe(e)}`, 'Run `calshare login --device` again.');
    }
  }
}

/** RFC 6749 §6. A refused refresh (revoked, expired, rotated away) means logging in again. */
export async function refresh(c: OAuthClient, current: TokenSet, account: string): Promise<TokenSet> {
  if (!current.refresh_token) {
    throw new AuthError(`the access token of account "${account}" expired and there is no refresh token`, `Run \`calshare login --account ${account}\` again.`);
  }
  try {
    const res = await o.refreshTokenGrantRequest(c.as, c.client, o.None(), current.refresh_token, c.http);
    return toTokenSet(await o.processRefreshTokenResponse(c.as, c.client, res), current);
  } catch (e) {
    if (e instanceof NetworkError) throw e;
    throw new AuthError(
      `${new URL(c.as.token_endpoint ?? c.as.issuer).host} refused to refresh the login of account "${account}" (${describe(e)})`,
      `Run \`calshare login --account ${account}\` again.`,
    );
  }
}

/**
 * RFC 7009 §2.1: ends the login at the authorization server. The refresh token is the one to revoke:
 * §2.1 lets the server end the grant's access tokens with it. False when the server offers no
 * revocation endpoint (RFC 8414 §2 revocation_endpoint).
 */
export async function revoke(c: OAuthClient, tokens: TokenSet): Promise<boolean> {
  if (!c.as.revocation_endpoint) return false;
  const [token, hint] = tokens.refresh_token ? [tokens.refresh_token, 'refresh_token'] : [tokens.access_token, 'access_token'];
  try {
    const res = await o.revocationRequest(c.as, c.client, o.None(), token, { ...c.http, additionalParameters: { token_type_hint: hint } });
    await o.processRevocationResponse(res);
    return true;
  } catch (e) {
    if (e instanceof NetworkError) throw e;
    throw new AuthError(`${new URL(c.as.revocation_endpoint).host} refused to revoke the login (${describe(e)})`);
  }
}

const delay = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));
