// A real OAuth 2 / OpenID authorization server for tests: oidc-provider (panva) on 127.0.0.1 at a
// random port, with its development login and consent pages, issuing access tokens that the
// staging Cyrus accepts (staging/cyrus-jwt.sh). Plus a small form-driving HTTP client standing in
// for the user's browser: it follows redirects, keeps cookies and submits the real HTML forms.
import { createServer, type Server } from 'node:http';
import { createServer as createTlsServer } from 'node:https';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { request, type Dispatcher } from 'undici';
import Provider from 'oidc-provider';
import { ROOT } from './staging.js';

export const CLIENT_ID = 'calshare-test';
export const SCOPE = 'openid offline_access calendar';

export interface AuthServer {
  issuer: string;
  provider: Provider;
  /** Count of each oidc-provider event seen (e.g. 'grant.success', 'refresh_token.consumed'). */
  events: Map<string, number>;
  /** Every token and device code the server issued (for the secret scan). */
  issued: string[];
  close(): Promise<void>;
}

/** The JWT listener's URL and its HS256 key (bytes), after making sure it runs with `maxAge`. */
export function ensureCyrusJwt(maxAge: number): { url: string; key: Buffer } {
  execFileSync('bash', [`${ROOT}/staging/cyrus-jwt.sh`, 'up', String(maxAge)], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 120_000 });
  const keyFile = execFileSync('bash', [`${ROOT}/staging/cyrus-jwt.sh`, 'key'], { encoding: 'utf8' }).trim();
  const url = execFileSync('bash', [`${ROOT}/staging/cyrus-jwt.sh`, 'url'], { encoding: 'utf8' }).trim();
  const b64 = readFileSync(keyFile, 'utf8').split('\n').filter((l) => l && !l.startsWith('-----')).join('');
  return { url, key: Buffer.from(b64, 'base64') };
}

// oidc-provider announces its development defaults (in-memory adapter, dev keys, devInteractions,
// Node 20 "unsupported runtime") on the console; they are expected here and would bury test output.
for (const level of ['warn', 'info'] as const) {
  const original = console[level].bind(console);
  console[level] = (...args: unknown[]) => {
    if (typeof args[0] === 'string' && args[0].startsWith('oidc-provider ')) return;
    original(...args);
  };
}

/** A self-signed certificate for 127.0.0.1 (openssl from Debian), as PEM files in a fresh directory. */
export function selfSignedCert(): { certFile: string; keyFile: string } {
  const dir = mkdtempSync(join(tmpdir(), 'calshare-tls-'));
  const [certFile, keyFile] = [join(dir, 'cert.pem'), join(dir, 'key.pem')];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes', '-days', '1', '-subj', '/CN=127.0.0.1',
    '-addext', 'subjectAltName=IP:127.0.0.1', '-keyout', keyFile, '-out', certFile], { stdio: 'ignore' });
  return { certFile, keyFile };
}

export async function startAuthServer(opts: { key: Buffer; resource: string; accessTokenTTL?: number; tls?: { certFile: string; keyFile: string } }): Promise<AuthServer> {
  const server: Server = opts.tls ? createTlsServer({ cert: readFileSync(opts.tls.certFile), key: readFileSync(opts.tls.keyFile) }) : createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const issuer = `${opts.tls ? 'https' : 'http'}://127.0.0.1:${(server.address() as { port: number }).port}`;
  const issued: string[] = [];
  const provider = new Provider(issuer, {
    clients: [
      {
        client_id: CLIENT_ID,
        application_type: 'native', // RFC 8252 §7.3: any port on the loopback redirect URI
        token_endpoint_auth_method: 'none',
        redirect_uris: ['http://127.0.0.1/callback'],
        grant_types: ['authorization_code', 'refresh_token', 'urn:ietf:params:oauth:grant-type:device_code'],
        response_types: ['code'],
      },
    ],
    features: {
      devInteractions: { enabled: true }, // the login and consent pages the form client submits
      deviceFlow: { enabled: true },
      revocation: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => opts.resource,
        useGrantedResource: () => true,
        getResourceServerInfo: () => ({
          scope: 'calendar',
          audience: opts.resource,
          accessTokenTTL: opts.accessTokenTTL ?? 3600,
          accessTokenFormat: 'jwt',
          jwt: { sign: { alg: 'HS256', key: opts.key } },
        }),
      },
    },
    // Any account id the dev login form accepts is the Cyrus user name (JWT "sub").
    findAccount: (_ctx, sub) => ({ accountId: sub, claims: () => ({ sub }) }),
    issueRefreshToken: (_ctx, client) => client.grantTypeAllowed('refresh_token'),
    formats: {
      customizers: {
        // Cyrus 3.6 (imapd.conf(5), http_jwt_key_dir) accepts a JWS header of only alg and
        // typ "JWT", and a payload of only sub and iat; anything else is a 401 (checked by hand:
        // typ "at+jwt", a kid or an aud each fail). oidc-provider insists on an aud (RFC 9068
        // §2.2) after this customizer runs, and then serialises the payload with JSON.stringify.
        // So aud stays on the object for that check but non-enumerable, which keeps it out of
        // the signed token; every other RFC 9068 claim is deleted. The token is still minted and
        // signed by oidc-provider itself.
        jwt: (_ctx, _token, jwt) => {
          const { sub, iat, aud } = jwt.payload as { sub: string; iat: number; aud: string };
          for (const k of Object.keys(jwt.payload)) delete (jwt.payload as Record<string, unknown>)[k];
          Object.assign(jwt.payload, { sub, iat });
          Object.defineProperty(jwt.payload, 'aud', { value: aud, enumerable: false, writable: true, configurable: true });
          jwt.header = { typ: 'JWT' };
        },
      },
    },
    ttl: { RefreshToken: 3600, DeviceCode: 300, AccessToken: opts.accessTokenTTL ?? 3600 },
    pkce: { required: () => true },
  });
  const events = new Map<string, number>();
  for (const ev of ['grant.success', 'grant.error', 'refresh_token.consumed', 'refresh_token.saved', 'device_code.saved', 'authorization_code.consumed', 'access_token.issued']) {
    provider.on(ev, () => events.set(ev, (events.get(ev) ?? 0) + 1));
  }
  // RFC 8628 §3.2: `interval` is optional (default 5 s) and oidc-provider omits it; announcing 1 s
  // keeps the device-flow test short. The client must honour whatever the server says.
  provider.use(async (ctx, next) => {
    await next();
    if (ctx.path === '/device/auth' && ctx.status === 200 && ctx.body && typeof ctx.body === 'object') (ctx.body as Record<string, unknown>).interval = 1;
    // Everything secret the server handed out, for the end-of-run scan of calshare's output.
    if (ctx.status === 200 && ctx.body && typeof ctx.body === 'object') {
      const b = ctx.body as Record<string, unknown>;
      for (const k of ['access_token', 'refresh_token', 'device_code', 'id_token']) if (typeof b[k] === 'string') issued.push(b[k] as string);
    }
  });
  server.on('request', provider.callback());
  return {
    issuer,
    provider,
    events,
    issued,
    close: () => new Promise<void>((r) => { server.closeAllConnections(); server.close(() => r()); }),
  };
}

export interface Page {
  url: URL;
  status: number;
  body: string;
}

/** A minimal browser: GET/POST with a cookie jar, following redirects (including to the loopback). */
export class FormClient {
  readonly #cookies = new Map<string, string>();

  /** `dispatcher`: e.g. an Agent trusting a test CA, for an https authorization server. */
  constructor(private readonly dispatcher?: Dispatcher) {}

  async go(url: URL | string, method = 'GET', form?: Record<string, string>): Promise<Page> {
    let target = new URL(url);
    let body: string | undefined = form ? new URLSearchParams(form).toString() : undefined;
    for (let hop = 0; hop < 20; hop++) {
      const res = await request(target, {
        method: method as 'GET',
        headers: {
          ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
          ...(this.#cookies.size ? { cookie: [...this.#cookies].map(([k, v]) => `${k}=${v}`).join('; ') } : {}),
        },
        body: body ?? null,
        ...(this.dispatcher ? { dispatcher: this.dispatcher } : {}),
      });
      const set = res.headers['set-cookie'];
      for (const c of Array.isArray(set) ? set : set ? [set] : []) {
        const [pair] = c.split(';');
        const i = pair!.indexOf('=');
        this.#cookies.set(pair!.slice(0, i).trim(), pair!.slice(i + 1));
      }
      const text = await res.body.text();
      const loc = res.headers.location;
      if (res.statusCode >= 300 && res.statusCode < 400 && typeof loc === 'string') {
        target = new URL(loc, target);
        method = 'GET';
        body = undefined;
        continue;
      }
      return { url: target, status: res.statusCode, body: text };
    }
    throw new Error('too many redirects');
  }

  /** Submits the page's first form (or the one whose action matches), with extra field values. */
  async submit(page: Page, values: Record<string, string> = {}, actionMatch?: RegExp): Promise<Page> {
    const forms = [...page.body.matchAll(/<form\b([^>]*)>([\s\S]*?)<\/form>/gi)];
    const form = forms.find((f) => !actionMatch || actionMatch.test(attr(f[1]!, 'action') ?? '')) ?? forms[0];
    if (!form) throw new Error(`no form on ${page.url}: ${page.body.slice(0, 300)}`);
    const fields: Record<string, string> = {};
    for (const m of form[2]!.matchAll(/<input\b([^>]*)>/gi)) {
      const name = attr(m[1]!, 'name');
      if (name) fields[name] = attr(m[1]!, 'value') ?? '';
    }
    const action = new URL(attr(form[1]!, 'action') ?? page.url.href, page.url);
    return this.go(action, (attr(form[1]!, 'method') ?? 'GET').toUpperCase(), { ...fields, ...values });
  }
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\b${name}="([^"]*)"`, 'i').exec(tag);
  return m ? m[1]!.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#x2F;/g, '/').replace(/&#39;/g, "'") : undefined;
}

/** Logs in as `user` on the dev login page, confirms and consents, from any page that leads there. */
export async function loginAndConsent(b: FormClient, start: Page, user: string): Promise<Page> {
  let page = start;
  for (let step = 0; step < 6; step++) {
    if (/name="login"/.test(page.body)) page = await b.submit(page, { login: user, password: 'any' });
    else if (/name="prompt" value="consent"/.test(page.body)) page = await b.submit(page);
    // RFC 8628 §5.4: the device page asks the user to confirm the code shown on the device.
    else if (/name="confirm" value="yes"/.test(page.body)) page = await b.submit(page);
    else return page;
  }
  return page;
}
