// Where calshare may send credentials. HTTPS everywhere; plain HTTP only to this machine, where no
// network sits between us and the server (how staging and local test servers run).
import { isIP } from 'node:net';
import { UsageError } from '../errors.js';

export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase();
  if (h === 'localhost' || h.endsWith('.localhost')) return true; // RFC 6761 §6.3
  if (isIP(h) === 4) return h.startsWith('127.');
  if (isIP(h) === 6) return h === '::1' || /^::ffff:127\./.test(h);
  return false;
}

/** Parses and checks a server URL given by the user, before any byte is sent. */
export function parseServerUrl(input: string): URL {
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    throw new UsageError(`"${input}" is not a URL`, 'Give the full server address, e.g. --url https://cal.example.com/');
  }
  if (url.username || url.password) {
    throw new UsageError(
      'the URL contains a user name or password',
      'Remove them from the URL; pass --username, and the password through CALSHARE_PASSWORD or calshare login.',
    );
  }
  if (url.protocol === 'https:') return url;
  if (url.protocol === 'http:') {
    if (isLoopbackHost(url.hostname)) return url;
    throw new UsageError(
      `refusing plain http:// to ${url.host}: your password would cross the network unencrypted`,
      `Use https://${url.host}${url.pathname}. If the server has a private or self-signed certificate, add --ca-file PATH.`,
    );
  }
  throw new UsageError(`unsupported URL scheme "${url.protocol}"`, 'Use an https:// URL.');
}

export type RedirectVerdict = { follow: true } | { follow: false; reason: string };

/**
 * Redirects keep the credentials only when they stay with the same server: the same origin, or the
 * same host moving from http to https. Never to another host, never down to http.
 */
export function judgeRedirect(from: URL, to: URL): RedirectVerdict {
  if (to.protocol !== 'https:' && to.protocol !== 'http:') return { follow: false, reason: `to a ${to.protocol} URL` };
  if (from.protocol === 'https:' && to.protocol === 'http:') return { follow: false, reason: 'from https down to plain http' };
  if (to.hostname !== from.hostname) return { follow: false, reason: `to another host (${to.host})` };
  if (to.origin === from.origin) return { follow: true };
  if (from.protocol === 'http:' && to.protocol === 'https:') return { follow: true };
  return { follow: false, reason: `to another port (${to.host})` };
}
