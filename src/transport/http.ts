// The one way calshare talks HTTP: Node's own http/https with a keep-alive Agent per protocol
// (a bounded pool per origin, custom CA, timeouts), redirects judged by url-policy before
// credentials follow them, a body size cap, a request counter and a redacted trace. Everything
// above this file speaks DavRequest/DavResponse.
//
// Not undici: loading it cost 130-180 ms of every command's start-up on a 2-core machine, more
// than a whole cold `calendars` round trip to a local server; node:https loads in about 13 ms
// (issue 14; figures from bench/startup.ts in the README's Speed section).
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { NetworkError } from '../errors.js';
import { judgeRedirect, OriginPolicy } from './url-policy.js';
import { networkError, statusError } from './classify.js';

export interface Credentials {
  /** The account's user name, for messages; never the secret. */
  readonly user: string;
  readonly scheme: 'basic' | 'bearer';
  /** The Authorization header value. */
  authorization(): Promise<string>;
  /** After a 401: renew the secret (e.g. an OAuth refresh) and say whether one retry is worth it. */
  renew?(): Promise<boolean>;
}

export interface TransportOptions {
  credentials: Credentials;
  /** The PEM certificates to trust instead of Node's default roots (see ca.ts, for --ca-file). */
  ca?: string[];
  /** Per-request deadline; a server that never answers fails after this. */
  timeoutMs?: number;
  maxBodyBytes?: number;
  onTrace?: (t: TraceEntry) => void;
  /** Where requests may go (url-policy.ts); without one, the first request's origin is the only one. */
  policy?: OriginPolicy;
}

export interface TraceEntry {
  n: number;
  method: string;
  url: string;
  status: number | string;
  ms: number;
  /** Bytes of the request body and of the response body (headers not counted), for benchmarks. */
  sent?: number;
  received?: number;
}

export interface DavRequest {
  method: string;
  url: URL;
  headers?: Record<string, string>;
  body?: string;
  /** What the request is for, in words that complete "the server refused …". */
  purpose: string;
  /** Statuses the caller handles itself; anything else outside 2xx is thrown as a classified error. */
  accept?: readonly number[];
  /**
   * The answer is known to fit in the server's first write (one principal property: a few hundred
   * bytes), so it may share a kept-alive connection even with a server named by
   * connectionPerRequest, whose stall hits only what comes after that first write.
   */
  smallAnswer?: boolean;
}

export interface DavResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** Where the answer came from after redirects: the base for relative hrefs. */
  url: URL;
}

const IDEMPOTENT_READS = new Set(['GET', 'HEAD', 'OPTIONS', 'PROPFIND', 'REPORT']);
const RETRYABLE = new Set(['ECONNRESET', 'UND_ERR_SOCKET', 'EPIPE']);
/** Requests in flight per origin (#slot), and connections kept per origin: existence checks and Depth-0 reads share them. */
const MAX_SOCKETS = 8;
/** An idle kept-alive connection is closed after this, before most servers drop it themselves. */
const KEEP_ALIVE_MS = 10_000;
/** Methods Node would otherwise send a body-less request for with chunked encoding. */
const NO_BODY_METHODS = new Set(['GET', 'HEAD']);
const MAX_REDIRECTS = 5;

export const header = (h: DavResponse['headers'], name: string): string | undefined => {
  const v = h[name.toLowerCase()];
  return Array.isArray(v) ? v.join(', ') : v;
};

export class Transport {
  readonly #http: HttpAgent;
  readonly #https: HttpsAgent;
  /** For writes, and for the origins in #oneShot and #stalling: a new connection each (see #exchange). */
  readonly #httpOnce: HttpAgent;
  readonly #httpsOnce: HttpsAgent;
  /** Origins seen ending kept-alive connections unannounced: every request gets a connection of its own. */
  readonly #oneShot = new Set<string>();
  /** Origins named by connectionPerRequest: every request but a smallAnswer one gets a connection of its own. */
  readonly #stalling = new Set<string>();
  /** Per origin: exchanges in flight, and those waiting for one to end (see #slot). */
  readonly #slots = new Map<string, { busy: number; waiting: (() => void)[] }>();
  /** Per socket: whether its last answer said "Connection: close". */
  readonly #announcedClose = new WeakMap<object, boolean>();
  readonly #opts: Required<Omit<TransportOptions, 'ca' | 'onTrace' | 'policy'>> & Pick<TransportOptions, 'onTrace'>;
  #policy: OriginPolicy | undefined;
  #count = 0;

  constructor(opts: TransportOptions) {
    const timeoutMs = opts.timeoutMs ?? 30_000;
    const { policy, ...rest } = opts;
    this.#opts = { maxBodyBytes: 16 * 1024 * 1024, ...rest, timeoutMs };
    this.#policy = policy;
    // `timeout` on the agent is the idle timeout of a kept-alive socket in the free pool; a request
    // in flight is bounded by its own deadline (#once).
    const pool = { keepAlive: true, maxSockets: MAX_SOCKETS, maxFreeSockets: MAX_SOCKETS, timeout: KEEP_ALIVE_MS, scheduling: 'lifo' as const };
    this.#http = new HttpAgent(pool);
    // `ca` replaces Node's roots; ca.ts puts them back beside the --ca-file certificate.
    this.#https = new HttpsAgent({ ...pool, ...(opts.ca ? { ca: opts.ca } : {}) });
    // No maxSockets here: with a finite one Node sends keep-alive and hands a finished socket to
    // the next queued request, the reuse these agents exist to avoid. #slot caps them instead.
    this.#httpOnce = new HttpAgent({ keepAlive: false });
    this.#httpsOnce = new HttpsAgent({ keepAlive: false, ...(opts.ca ? { ca: opts.ca } : {}) });
  }

  /** The origin policy every request passes (created from the first request when none was given). */
  get policy(): OriginPolicy | undefined {
    return this.#policy;
  }

  get user(): string {
    return this.#opts.credentials.user;
  }

  /** Requests sent so far (each redirect hop and retry counts): the figure behind "≤ 4 requests". */
  get requestCount(): number {
    return this.#count;
  }

  /**
   * Every later request to `origin` goes on a connection of its own, but a smallAnswer one: for a
   * server whose answers stall on a reused connection (quirk 'connection-per-request'), where a new
   * connection costs less than the stall.
   */
  connectionPerRequest(origin: string): void {
    this.#stalling.add(origin);
  }

  async close(): Promise<void> {
    for (const a of [this.#http, this.#https, this.#httpOnce, this.#httpsOnce]) a.destroy();
  }

  async send(req: DavRequest): Promise<DavResponse> {
    let url = req.url;
    let renewed = false;
    const policy = (this.#policy ??= new OriginPolicy(url));
    for (let hop = 0; ; ) {
      // Before every request, redirect hops included: nothing, credentials least of all, goes to
      // an origin the account does not own.
      await policy.check(url, req.purpose);
      const res = await this.#withRetry(req, url);
      const location = header(res.headers, 'location');
      if ([301, 302, 307, 308].includes(res.status) && location && !req.accept?.includes(res.status)) {
        const to = new URL(location, url);
        const verdict = judgeRedirect(url, to);
        if (!verdict.follow) {
          throw new NetworkError(
            `${url.host} redirected ${req.purpose} ${verdict.reason}; calshare does not send your credentials there`,
            // Never suggest the downgrade itself: --url http://… would send the password in clear.
            url.protocol === 'https:' && to.protocol === 'http:'
              ? 'The server should keep you on https; ask its administrator to fix the redirect, and keep using the https:// --url.'
              : `If ${to.origin} really is your calendar server, run the command again with --url ${to.origin}/`,
            'REDIRECT_REFUSED',
          );
        }
        if (++hop > MAX_REDIRECTS) throw new NetworkError(`too many redirects while ${req.purpose}`, 'Check the --url.', 'REDIRECT_LOOP');
        policy.admit(to);
        url = to;
        continue;
      }
      if (res.status === 401 && !renewed && this.#opts.credentials.renew && !req.accept?.includes(401)) {
        renewed = true;
        if (await this.#opts.credentials.renew()) continue;
      }
      if ((res.status >= 200 && res.status < 300) || req.accept?.includes(res.status)) return res;
      const c = this.#opts.credentials;
      throw statusError(res.status, res.body, req.purpose, c.user, url.origin, c.scheme === 'bearer');
    }
  }

  // Only reads are repeated after a broken connection: a write that may have landed is never re-sent.
  async #withRetry(req: DavRequest, url: URL): Promise<DavResponse> {
    try {
      return await this.#once(req, url);
    } catch (e) {
      if (e instanceof NetworkError && IDEMPOTENT_READS.has(req.method) && RETRYABLE.has(e.code ?? '')) {
        return this.#once(req, url);
      }
      throw e;
    }
  }

  async #once(req: DavRequest, url: URL): Promise<DavResponse> {
    const { credentials, timeoutMs, maxBodyBytes, onTrace } = this.#opts;
    const headers: Record<string, string> = {
      'user-agent': 'calshare/0.1',
      ...req.headers,
      authorization: await credentials.authorization(),
    };
    if (req.body !== undefined && !Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) {
      headers['content-type'] = 'application/xml; charset=utf-8';
    }
    const release = await this.#slot(url.origin);
    const n = ++this.#count;
    const started = performance.now();
    const sent = req.body === undefined ? 0 : Buffer.byteLength(req.body);
    const trace = (status: number | string, received = 0) =>
      onTrace?.({ n, method: req.method, url: url.href, status, ms: Math.round(performance.now() - started), sent, received });
    try {
      const res = await this.#exchange(req, url, headers, timeoutMs);
      const body = await readCapped(res, maxBodyBytes, url);
      trace(res.statusCode ?? 0, onTrace ? Buffer.byteLength(body) : 0);
      return { status: res.statusCode ?? 0, headers: res.headers, body, url };
    } catch (e) {
      // Classified first, so --verbose says "timeout" rather than a bare error code.
      const err = networkError(e, url, timeoutMs);
      trace(err.code === 'ETIMEDOUT' ? `timeout after ${+(timeoutMs / 1000).toFixed(1)} s` : (err.code ?? 'error'));
      throw err;
    } finally {
      release();
    }
  }

  /**
   * Waits until fewer than MAX_SOCKETS exchanges with `origin` are in flight, whichever agent
   * carries them; resolves with the release, which #once calls exactly once (in `finally`). The
   * pool's agent caps itself, but a connection per request must be capped here: callers fan out
   * freely (`invites` reads every notification at once), and 600 connections at once overran Cyrus
   * and SOGo, whose workers are few.
   */
  async #slot(origin: string): Promise<() => void> {
    let s = this.#slots.get(origin);
    if (!s) this.#slots.set(origin, (s = { busy: 0, waiting: [] }));
    // A slot ending with someone waiting passes straight to them, so busy counts both.
    if (s.busy < MAX_SOCKETS) s.busy++;
    else await new Promise<void>((resolve) => s.waiting.push(resolve));
    return () => {
      const next = s.waiting.shift();
      if (next) next();
      else s.busy--;
    };
  }

  /**
   * One request on the pool; resolves with the response head, its body still to be read. One
   * deadline covers connecting, the answer and its body (readCapped runs under the same timer);
   * when it fires the socket is destroyed with the timeout as the error, so classify.ts reports a
   * timeout and not a reset.
   */
  #exchange(req: DavRequest, url: URL, headers: Record<string, string>, timeoutMs: number): Promise<IncomingMessage> {
    const https = url.protocol === 'https:';
    const body = req.body === undefined ? undefined : Buffer.from(req.body, 'utf8');
    // A declared length, never chunked encoding: some DAV servers refuse chunked request bodies.
    if (body || !NO_BODY_METHODS.has(req.method)) headers['content-length'] = String(body?.length ?? 0);
    // SOGo ends every connection after its answer, and says "Connection: close" (RFC 9112 §9.6)
    // only on some, so a request that takes such a socket from the pool before its FIN is read
    // meets a reset: several at once when reads run in parallel, and a write must never be
    // re-sent. Once an origin has been seen ending a connection it had not announced closing (or
    // resetting a reused one), every request to it goes on a connection of its own; it was not
    // keeping them anyway. A write never takes a pooled socket at all, even before that is known:
    // writes are one or two per command, so a connection of their own costs a handshake. An origin
    // named by connectionPerRequest (Cyrus over loopback) gets one per request too, but for a
    // smallAnswer read.
    const fresh = !IDEMPOTENT_READS.has(req.method) || this.#oneShot.has(url.origin) || (this.#stalling.has(url.origin) && !req.smallAnswer);
    return new Promise((resolve, reject) => {
      let answer: IncomingMessage | undefined;
      const r = (https ? httpsRequest : httpRequest)({
        agent: fresh ? (https ? this.#httpsOnce : this.#httpOnce) : https ? this.#https : this.#http,
        protocol: url.protocol,
        // WHATWG URLs keep brackets around IPv6 literals; the socket wants the bare address.
        hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
        port: url.port || (https ? 443 : 80),
        path: url.pathname + url.search,
        method: req.method,
        headers,
      });
      const deadline = setTimeout(() => {
        const e = Object.assign(new Error(`no answer within ${timeoutMs} ms`), { name: 'TimeoutError', code: 'ETIMEDOUT' });
        r.destroy(e);
        // The body may be mid-read after the response resolved: end it with the same error.
        answer?.destroy(e);
      }, timeoutMs);
      deadline.unref();
      r.on('socket', (sock) => {
        if (this.#announcedClose.has(sock)) return;
        this.#announcedClose.set(sock, false);
        // 'end' is the peer's FIN; calshare's own closes (idle timeout, close()) only destroy. An
        // announced close is no surprise: Node never reuses that socket.
        sock.on('end', () => {
          if (!this.#announcedClose.get(sock)) this.#oneShot.add(url.origin);
        });
      });
      const done = () => clearTimeout(deadline);
      r.on('error', (e: NodeJS.ErrnoException) => {
        done();
        if (r.reusedSocket && (e.code === 'ECONNRESET' || e.code === 'EPIPE')) this.#oneShot.add(url.origin);
        reject(e);
      });
      r.on('response', (res) => {
        answer = res;
        this.#announcedClose.set(res.socket, /\bclose\b/i.test(header(res.headers, 'connection') ?? ''));
        res.on('end', done).on('error', done).on('close', done);
        resolve(res);
      });
      r.end(body);
    });
  }
}

async function readCapped(body: IncomingMessage, max: number, url: URL): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > max) {
      body.destroy();
      throw new NetworkError(
        `${url.host} sent more than ${+(max / 1048576).toFixed(2)} MiB in one response, far beyond any calendar listing`,
        'Check that --url points at a CalDAV server and that no proxy is interfering.',
        'RESPONSE_TOO_LARGE',
      );
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}
