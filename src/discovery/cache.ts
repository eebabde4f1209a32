// The discovery cache (issue 14): a warm command skips the two to four requests that find the
// user's principal and calendar home (RFC 6764 §5, RFC 5397, RFC 4791 §6.2.1). One small JSON file
// per origin and user under $XDG_CACHE_HOME/calshare (XDG Base Directory spec; default
// ~/.cache/calshare), directory 0700, file 0600, written by rename so a reader never sees half a
// file. It holds what discovery found and nothing else: principal URL, calendar home URL, the
// user's addresses and display name, and which product answers there (fingerprint.ts, from an
// OPTIONS). Never a password, token or Authorization value.
//
// Nothing read here is trusted: a file that is not a regular file of ours with mode 0600 (or
// stricter), that does not parse, names another origin or user, or is older than MAX_AGE_MS is
// ignored; and the Session passes every URL from it through the OriginPolicy before use. The
// Session drops the file when a cached URL answers 301, 404 or 401 (it moved, vanished, or is not
// this account's any more) and discovers once more.
import { createHash, randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, lstat, mkdir, open, readFile, rename, unlink } from 'node:fs/promises';
import { homedir } from 'node:os';
import { isAbsolute, join } from 'node:path';
import type { Principal } from './discover.js';
import { SERVER_IDS } from '../servers/fingerprint.js';

/** What the Session needs from a cache; the library works without one (SessionOptions.cache). */
export interface DiscoveryCache {
  /** The cached principal for this origin and user, or undefined (missing, unusable, or old). */
  load(): Promise<Principal | undefined>;
  save(p: Principal): Promise<void>;
  /** Forgets this origin and user (stale answer, logout). Never throws. */
  drop(): Promise<void>;
}

const VERSION = 1;
/** A week: discovery is cheap and layouts rarely change, but a forgotten file should not live forever. */
export const MAX_AGE_MS = 7 * 24 * 3600 * 1000;
/** Far beyond any real answer; a bigger file is not ours. */
const MAX_BYTES = 64 * 1024;

/** $XDG_CACHE_HOME/calshare; a relative XDG_CACHE_HOME is invalid per the XDG spec and ignored. */
export function cacheDir(env: NodeJS.ProcessEnv = process.env): string {
  const xdg = env.XDG_CACHE_HOME;
  return join(xdg && isAbsolute(xdg) ? xdg : join(homedir(), '.cache'), 'calshare');
}

/** One file per origin and user; the name is a hash so neither shows in a directory listing. */
export function cacheFile(dir: string, origin: string, user: string): string {
  const h = createHash('sha256').update(`${origin}\n${user}`).digest('hex').slice(0, 32);
  return join(dir, `discovery-${h}.json`);
}

interface Stored {
  v: number;
  origin: string;
  user: string;
  savedAt: number;
  principal: string;
  home: string;
  displayName?: string;
  addresses: string[];
  product?: string;
}

export function serialise(origin: string, user: string, p: Principal, now = Date.now()): string {
  const s: Stored = {
    v: VERSION,
    origin,
    user,
    savedAt: now,
    principal: p.url.href,
    home: p.homeUrl.href,
    ...(p.displayName !== undefined ? { displayName: p.displayName } : {}),
    addresses: p.addresses,
    ...(p.product ? { product: p.product } : {}),
  };
  return JSON.stringify(s) + '\n';
}

const isStr = (x: unknown): x is string => typeof x === 'string';

/** The principal in a file's text, or undefined for anything that is not exactly what serialise() writes. */
export function parseCached(text: string, origin: string, user: string, now = Date.now()): Principal | undefined {
  let s: Partial<Stored>;
  try {
    s = JSON.parse(text) as Partial<Stored>;
  } catch {
    return undefined;
  }
  if (!s || typeof s !== 'object' || s.v !== VERSION || s.origin !== origin || s.user !== user) return undefined;
  if (typeof s.savedAt !== 'number' || !(now - s.savedAt < MAX_AGE_MS) || s.savedAt > now + 60_000) return undefined;
  if (!isStr(s.principal) || !isStr(s.home) || !Array.isArray(s.addresses) || !s.addresses.every(isStr)) return undefined;
  if (s.displayName !== undefined && !isStr(s.displayName)) return undefined;
  // An unknown product is dropped, not trusted: the next OPTIONS names it again.
  const product = SERVER_IDS.find((id) => id === s.product);
  let url: URL, homeUrl: URL;
  try {
    url = new URL(s.principal);
    homeUrl = new URL(s.home);
  } catch {
    return undefined;
  }
  // The cache only ever names places on the origin it is keyed by; the OriginPolicy checks again.
  if (url.origin !== origin || homeUrl.origin !== origin) return undefined;
  return { url, homeUrl, displayName: s.displayName, addresses: s.addresses, ...(product ? { product } : {}) };
}

/** Answers on a cached URL that say the cache is stale: moved, gone, or not this account's. */
const STALE = new Set([301, 302, 307, 308, 404, 410, 401]);

/**
 * Whether an answer proves the cached principal stale (issue 14: "a 301, 404 or 401 on a cached
 * URL"): such a status on the cached principal or home itself. A 404 elsewhere (a calendar that
 * does not exist) says nothing about discovery.
 */
export function provesStale(answer: { url: string; status: number | string }, cached: Pick<Principal, 'url' | 'homeUrl'>): boolean {
  if (typeof answer.status !== 'number' || !STALE.has(answer.status)) return false;
  let u: URL;
  try {
    u = new URL(answer.url);
  } catch {
    return false;
  }
  return [cached.url, cached.homeUrl].some((c) => u.origin === c.origin && u.pathname.replace(/\/+$/, '') === c.pathname.replace(/\/+$/, ''));
}

/** Ours, a regular file (no symlink), nobody else may read or write it. */
async function trustworthy(path: string, wantDir: boolean): Promise<boolean> {
  const st = await lstat(path);
  if (wantDir ? !st.isDirectory() : !st.isFile()) return false;
  if (typeof process.getuid === 'function' && st.uid !== process.getuid()) return false;
  return process.platform === 'win32' || (st.mode & 0o077) === 0;
}

export class FileDiscoveryCache implements DiscoveryCache {
  readonly path: string;

  constructor(
    readonly origin: string,
    readonly user: string,
    readonly dir: string = cacheDir(),
    private readonly onProblem?: (message: string) => void,
  ) {
    this.path = cacheFile(dir, origin, user);
  }

  async load(): Promise<Principal | undefined> {
    try {
      if (!(await trustworthy(this.dir, true)) || !(await trustworthy(this.path, false))) return undefined;
      const text = await readFile(this.path, { encoding: 'utf8', flag: constants.O_RDONLY | (constants.O_NOFOLLOW ?? 0) });
      return text.length > MAX_BYTES ? undefined : parseCached(text, this.origin, this.user);
    } catch {
      return undefined; // missing or unreadable: discover as if there were no cache
    }
  }

  async save(p: Principal): Promise<void> {
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      const st = await lstat(this.dir);
      if (!st.isDirectory() || (typeof process.getuid === 'function' && st.uid !== process.getuid())) return;
      if (process.platform !== 'win32' && (st.mode & 0o077) !== 0) await chmod(this.dir, 0o700);
      // Written next to its final name and renamed (atomic on one file system): a concurrent reader
      // sees the old file or the new one. O_EXCL: never write through a planted file or symlink.
      const tmp = `${this.path}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
      const fh = await open(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | (constants.O_NOFOLLOW ?? 0), 0o600);
      try {
        await fh.writeFile(serialise(this.origin, this.user, p));
      } finally {
        await fh.close();
      }
      await rename(tmp, this.path).catch(async (e) => {
        await unlink(tmp).catch(() => undefined);
        throw e;
      });
    } catch (e) {
      // A cache that cannot be written costs the next command its discovery, nothing more.
      this.onProblem?.(`could not write the discovery cache in ${this.dir}: ${(e as Error).message}`);
    }
  }

  async drop(): Promise<void> {
    await unlink(this.path).catch(() => undefined);
  }
}
