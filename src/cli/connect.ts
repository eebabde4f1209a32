// From command-line flags to an open Session. Secrets never come from argv.
//
// Which server and which credentials, first match wins:
//   1. --account NAME (or CALSHARE_ACCOUNT): that configured account;
//   2. --url (or CALSHARE_URL): --username and the environment (CALSHARE_PASSWORD / CALSHARE_TOKEN);
//   3. the only configured account, when there is exactly one.
// How an account's secret is found: src/credentials/resolve.ts.
import { AuthError, UsageError } from '../errors.js';
import type { Session } from '../session.js';
import type { DiscoveryCache } from '../discovery/cache.js';
import type { Credentials, TraceEntry } from '../transport/http.js';

export interface GlobalFlags {
  url?: string;
  username?: string;
  caFile?: string;
  timeout?: string;
  verbose?: boolean;
  json?: boolean;
  account?: string;
}

export interface Target {
  url: string;
  credentials: Credentials;
  caFile?: string;
  /** The account used, when one was. */
  account?: string;
  /** Hosts the account recorded at login beyond its URL (see url-policy.ts). */
  origins?: readonly string[];
}

const traceLine = (t: Pick<TraceEntry, 'method' | 'url' | 'status' | 'ms'> & { n?: number }) =>
  process.stderr.write(`  ${t.n === undefined ? 'oauth' : `#${t.n}`} ${t.method} ${t.url} → ${t.status} (${t.ms} ms)\n`);

export async function resolveTarget(flags: GlobalFlags): Promise<Target> {
  const url = flags.url ?? process.env.CALSHARE_URL;
  if (flags.account !== undefined || !url) {
    const { loadConfig, pickAccount } = await import('../credentials/config.js');
    const picked = pickAccount(await loadConfig(), flags.account);
    if (picked) {
      const { accountCredentials } = await import('../credentials/resolve.js');
      const { name, account } = picked;
      const caFile = flags.caFile ?? account.caFile;
      return {
        url: account.url,
        account: name,
        ...(account.origins?.length ? { origins: account.origins } : {}),
        ...(caFile ? { caFile } : {}),
        credentials: accountCredentials(name, account, {
          ...(flags.verbose ? { trace: traceLine } : {}),
          ...(caFile ? { caFile } : {}),
          warn: (m) => process.stderr.write(`warning: ${m}\n`),
        }),
      };
    }
  }
  const username = flags.username ?? process.env.CALSHARE_USERNAME;
  if (!url) throw new UsageError('missing --url', 'Give the server address, e.g. --url https://cal.example.com/ (or set CALSHARE_URL), or run `calshare login` once.');
  if (!username) throw new UsageError('missing --username', 'Give your user name on that server with --username NAME (or set CALSHARE_USERNAME).');
  const { flagCredentials } = await import('../credentials/resolve.js');
  return { url, credentials: flagCredentials(username), ...(flags.caFile ? { caFile: flags.caFile } : {}) };
}

export function parseTimeout(flags: GlobalFlags): number | undefined {
  if (flags.timeout === undefined) return undefined;
  const s = Number(flags.timeout);
  if (!Number.isFinite(s) || s <= 0 || s > 3600) throw new UsageError(`--timeout must be a number of seconds between 0 and 3600, not "${flags.timeout}"`);
  return s * 1000;
}

/** A Session for a resolved target; `login` uses this to verify before it saves anything. */
export async function openTarget(target: Pick<Target, 'url' | 'credentials' | 'caFile' | 'origins'>, flags: GlobalFlags): Promise<Session> {
  const timeoutMs = parseTimeout(flags);
  const [{ Session }, cache] = await Promise.all([import('../session.js'), discoveryCache(target.url, target.credentials.user, flags)]);
  return Session.open({
    ...(cache ? { cache } : {}),
    url: target.url,
    credentials: target.credentials,
    ...(target.caFile ? { caFile: target.caFile } : {}),
    ...(timeoutMs ? { timeoutMs } : {}),
    ...(target.origins ? { origins: target.origins } : {}),
    ...(flags.verbose
      ? {
          onTrace: traceLine,
          onCrossHost: (origin: string, domain: string, what: string) =>
            process.stderr.write(`  note: ${origin} is another host than --url; allowed while ${what} (https, same registrable domain ${domain})\n`),
        }
      : {}),
  });
}

/**
 * The discovery cache for an origin and user (src/discovery/cache.ts), saved accounts and
 * --url/--username alike; none for a URL that does not parse (Session.open reports that).
 */
async function discoveryCache(url: string, user: string, flags: GlobalFlags, evenIfOff = false): Promise<DiscoveryCache | undefined> {
  // CALSHARE_CACHE=off: never read or write it (README, "Speed").
  if (process.env.CALSHARE_CACHE === 'off' && !evenIfOff) return undefined;
  let origin: string;
  try {
    origin = new URL(url).origin;
  } catch {
    return undefined;
  }
  const { FileDiscoveryCache } = await import('../discovery/cache.js');
  return new FileDiscoveryCache(origin, user, undefined, flags.verbose ? (m) => process.stderr.write(`  note: ${m}\n`) : undefined);
}

/** Forgets what discovery cached for an account (`logout`). */
export async function dropDiscoveryCache(url: string, user: string): Promise<void> {
  await (await discoveryCache(url, user, {}, true))?.drop();
}

export async function openSession(flags: GlobalFlags): Promise<Session> {
  parseTimeout(flags); // a bad --timeout is reported before anything else happens
  return openTarget(await resolveTarget(flags), flags);
}

/** Opens a session, runs the command, reports the request count under --verbose, always closes. */
export async function withSession<T>(flags: GlobalFlags, run: (s: Session) => Promise<T>): Promise<T> {
  parseTimeout(flags);
  const target = await resolveTarget(flags);
  const session = await openTarget(target, flags);
  try {
    try {
      return await run(session);
    } catch (e) {
      // A cached URL answered 301/404/401 and the command failed on it before sending anything
      // but reads: the Session has dropped the cache, so one more run discovers afresh (issue 14).
      if (!session.mayRetryAfterStaleCache) throw e;
      if (flags.verbose) process.stderr.write('  note: the cached discovery was stale; discovering again\n');
      return await run(session);
    }
  } catch (e) {
    // Which saved account failed matters when there are several; the secret is never part of it.
    if (e instanceof AuthError && target.account) throw new AuthError(`account "${target.account}" (${target.url}): ${e.message}`, e.hint, { cause: e });
    throw e;
  } finally {
    if (flags.verbose) process.stderr.write(`  ${session.transport.requestCount} HTTP request(s)\n`);
    await session.close();
  }
}
