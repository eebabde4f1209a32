// The defences of a web server that anyone's browser tab can reach on 127.0.0.1:
// - Host allow-list against DNS rebinding (a hostile name resolving to 127.0.0.1 sends its own Host);
// - a one-time launch token exchanged for an HttpOnly, SameSite=Strict cookie (RFC 6265bis §5.4.7);
// - for every state-changing request a CSRF token plus an exact Origin match (RFC 6454 §7) and, when
//   the browser sends it, Sec-Fetch-Site: same-origin (Fetch Metadata);
// - constant-time comparison of every secret.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const token = (): string => randomBytes(32).toString('base64url');

/** Compares secrets in constant time; hashing first makes unequal lengths safe to compare too. */
export function sameSecret(given: string | undefined, expected: string): boolean {
  if (given === undefined) return false;
  const h = (s: string) => createHash('sha256').update(s, 'utf8').digest();
  return timingSafeEqual(h(given), h(expected));
}

/** The only Host values this server answers to. */
export const allowedHosts = (port: number): string[] => [`127.0.0.1:${port}`, `localhost:${port}`];

export function hostAllowed(req: IncomingMessage, port: number): boolean {
  const host = req.headers.host;
  return host !== undefined && allowedHosts(port).includes(host.toLowerCase());
}

/**
 * Cookies are not isolated by port (RFC 6265 §8.5): two servers on 127.0.0.1 would overwrite each
 * other's cookie, so the name carries the port.
 */
export const cookieName = (port: number): string => `calshare_ui_${port}`;

export function readCookie(req: IncomingMessage, name: string): string | undefined {
  for (const part of (req.headers.cookie ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return part.slice(eq + 1).trim();
  }
  return undefined;
}

/**
 * Path = the per-launch secret prefix, so no other server on 127.0.0.1 ever receives it (cookies
 * ignore ports). Max-Age keeps the browser that redeemed the link signed in across its own restart
 * while this server runs (12 h; the server forgets every session when it stops anyway).
 */
export function sessionCookie(name: string, value: string, path: string): string {
  // No "Secure": the server speaks plain HTTP on loopback, which browsers treat as a secure context.
  return `${name}=${value}; Path=${path}; Max-Age=43200; HttpOnly; SameSite=Strict`;
}

export type Refusal = { status: number; reason: string };

/** Checks for POST: same origin as the Host the request came to, and the session's CSRF token. */
export function checkStateChange(req: IncomingMessage, csrf: string, formToken: string | undefined): Refusal | undefined {
  const origin = req.headers.origin;
  if (!origin || origin !== `http://${req.headers.host?.toLowerCase()}`) {
    return { status: 403, reason: 'This request did not come from the calshare page (its Origin does not match).' };
  }
  const site = req.headers['sec-fetch-site'];
  if (site !== undefined && site !== 'same-origin') {
    return { status: 403, reason: 'This request came from another site.' };
  }
  const header = req.headers['x-csrf-token'];
  const given = typeof header === 'string' ? header : formToken;
  if (!sameSecret(given, csrf)) {
    return { status: 403, reason: 'This request lacks the page’s security token. Reload the page and try again.' };
  }
  return undefined;
}

/** Headers on every answer: no inline script or style, no framing, no caching, no referrer. */
export const SECURITY_HEADERS: Record<string, string> = {
  // base-uri 'self': pages carry <base href> with the secret prefix (server.ts).
  'content-security-policy': "default-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'",
  'cache-control': 'no-store',
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};
