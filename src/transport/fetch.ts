// The fetch that oauth4webapi calls (its customFetch hook), over node:http/https like every CalDAV
// request. Node's global fetch cannot trust a --ca-file CA without undici's own Agent, and undici
// costs 130-250 ms to load (issue 14). Only what oauth4webapi sends is supported: a method,
// plain-object headers, a string or URLSearchParams body, redirect 'manual' (a 3xx is returned,
// never followed), and an AbortSignal for the deadline.
import { Agent as HttpAgent, request as httpRequest, type IncomingMessage } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';
import { NetworkError } from '../errors.js';

/** Token, metadata and JWKS answers are a few KB; anything near this is not an OAuth server. */
const MAX_BODY_BYTES = 1024 * 1024;
/** Fetch's null-body statuses: a Response with a body there is a TypeError. */
const NULL_BODY = new Set([101, 103, 204, 205, 304]);

export interface NodeFetchOptions {
  /** The PEM certificates to trust instead of Node's roots (ca.ts puts the roots back). */
  ca?: string[];
}

export function nodeFetch(opts: NodeFetchOptions = {}): typeof fetch {
  // No keep-alive: a login or a refresh is one to three requests, and idle sockets would only
  // hold the process open.
  const agents = { 'http:': new HttpAgent(), 'https:': new HttpsAgent(opts.ca ? { ca: opts.ca } : {}) };
  return async (input, init = {}) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new TypeError(`unsupported protocol ${url.protocol}`);
    const body = bodyOf(init.body);
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    if (init.body instanceof URLSearchParams && !('content-type' in headers)) {
      headers['content-type'] = 'application/x-www-form-urlencoded;charset=UTF-8';
    }
    if (body) headers['content-length'] = String(body.length);
    const signal = init.signal ?? undefined;
    signal?.throwIfAborted();
    const res = await new Promise<IncomingMessage>((resolve, reject) => {
      const https = url.protocol === 'https:';
      const r = (https ? httpsRequest : httpRequest)(url, { method: init.method ?? 'GET', headers, agent: agents[url.protocol as 'http:'] });
      // The signal's own reason (a TimeoutError), so classify.ts reports a timeout, as fetch would.
      const abort = () => r.destroy(signal?.reason as Error);
      signal?.addEventListener('abort', abort, { once: true });
      r.on('error', (e) => reject(signal?.aborted ? signal.reason : e));
      r.on('response', (m) => {
        m.on('close', () => signal?.removeEventListener('abort', abort));
        resolve(m);
      });
      r.end(body);
    });
    const buf = await readAll(res, url, signal);
    const out = new Headers();
    for (const [k, v] of Object.entries(res.headers)) for (const one of Array.isArray(v) ? v : v === undefined ? [] : [v]) out.append(k, one);
    const status = res.statusCode ?? 0;
    return new Response(NULL_BODY.has(status) ? null : new Uint8Array(buf), { status, statusText: res.statusMessage ?? '', headers: out });
  };
}

function bodyOf(body: RequestInit['body']): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string' || body instanceof URLSearchParams) return Buffer.from(String(body), 'utf8');
  if (body instanceof Uint8Array) return Buffer.from(body);
  throw new TypeError('unsupported request body');
}

async function readAll(res: IncomingMessage, url: URL, signal: AbortSignal | undefined): Promise<Buffer> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of res as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) {
        res.destroy();
        throw new NetworkError(`${url.host} sent more than 1 MiB in one OAuth response`, 'Check the --issuer: an OAuth server answers with a few KB.', 'RESPONSE_TOO_LARGE');
      }
      chunks.push(chunk);
    }
  } catch (e) {
    throw signal?.aborted ? signal.reason : e;
  }
  return Buffer.concat(chunks);
}
