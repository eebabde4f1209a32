// The staging servers the integration tests run against (started by staging/up.sh, from Debian
// packages, on 127.0.0.1). Tests call ensureStaging() so each file can also run on its own.
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

// No test meets a developer's or CI's discovery cache (src/discovery/cache.ts): every CLI a test
// spawns inherits a cache directory of this test process's own, and the cache is off, so request
// sequences stay those of a cold command. A test of the cache turns it on with
// `CALSHARE_CACHE: undefined` in the CLI's env (test/integration/discovery-cache.test.ts).
export const TEST_CACHE_HOME = mkdtempSync(join(tmpdir(), 'calshare-test-cache-'));
process.env.XDG_CACHE_HOME = TEST_CACHE_HOME;
process.env.CALSHARE_CACHE = 'off';
process.on('exit', () => rmSync(TEST_CACHE_HOME, { recursive: true, force: true }));

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const STATE = process.env.CALSHARE_STAGING_DIR ?? '/var/tmp/calshare-staging';

export const USERS = { alice: 'alice-pw', bob: 'bob-pw', carol: 'carol-pw' } as const;
/**
 * Cyrus owners that one test file has to itself (`staging/cyrus.sh named`, password <name>-pw):
 * no other file writes their ACLs, so Cyrus's home spill from another test's ACL write on a
 * sibling calendar (src/servers/cyrus-home-spill.ts) cannot reach their calendar home.
 */
export const CYRUS_OWNERS = { 'acl-owner': 'acl-owner-pw' } as const;
export type Owner = keyof typeof CYRUS_OWNERS;
export type User = keyof typeof USERS | Owner;
/** Every staging password by user (staging users, then Cyrus's named owners). */
export const PASSWORDS: Readonly<Record<User, string>> = { ...USERS, ...CYRUS_OWNERS };

export const CYRUS = {
  url: 'http://127.0.0.1:8008/',
  httpsUrl: 'https://127.0.0.1:8443/',
  ca: `${STATE}/cyrus/tls/cert.pem`,
  domain: 'example.test',
  home: (u: string) => `http://127.0.0.1:8008/dav/calendars/user/${u}/`,
  principal: (u: string) => `/dav/principals/user/${u}/`,
};
export const RADICALE = { url: 'http://127.0.0.1:5232/', calendar: 'http://127.0.0.1:5232/alice/calendar/' };
export const XANDIKOS = { url: 'http://127.0.0.1:8300/', calendar: 'http://127.0.0.1:8300/alice/calendars/calendar/' };
/** DAViCal (staging/davical.sh): users alice..frank, `<user>-pw`, `<user>@example.test`. */
export const DAVICAL = {
  url: 'http://127.0.0.1:8100/caldav.php/',
  httpsUrl: 'https://127.0.0.1:8101/caldav.php/',
  ca: `${STATE}/davical/tls/cert.pem`,
  domain: 'example.test',
  users: ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'henry'] as const,
  home: (u: string) => `http://127.0.0.1:8100/caldav.php/${u}/`,
  calendar: (u: string) => `http://127.0.0.1:8100/caldav.php/${u}/calendar/`,
  principal: (u: string) => `/caldav.php/${u}/`,
};

/**
 * SOGo (staging/sogo.sh): users alice..frank, `<user>-pw`, `<user>@example.test`; SOGo uid = login.
 * No /.well-known/caldav: point clients at the DAV root. Users without access get 404, not 403.
 */
export const SOGO = {
  url: 'http://127.0.0.1:8200/SOGo/dav/',
  domain: 'example.test',
  users: ['alice', 'bob', 'carol', 'dave', 'erin', 'frank'] as const,
  home: (u: string) => `http://127.0.0.1:8200/SOGo/dav/${u}/Calendar/`,
  calendar: (u: string) => `http://127.0.0.1:8200/SOGo/dav/${u}/Calendar/personal/`,
  principal: (u: string) => `/SOGo/dav/${u}/`,
};

const started = new Set<string>();

/** Starts a staging server if it is not running (idempotent, fast when it is up). */
export function ensureStaging(server: 'cyrus' | 'radicale' | 'xandikos' | 'postgres' | 'davical' | 'sabredav' | 'sogo'): void {
  if (started.has(server)) return;
  execFileSync('bash', [`${ROOT}/staging/up.sh`, server], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
  started.add(server);
}

/** Numbered extra Cyrus users u001..uNNN (password "u-pw"), for benchmarks and concurrency tests. */
export function ensureCyrusUsers(n: number): string[] {
  execFileSync('bash', [`${ROOT}/staging/cyrus.sh`, 'users', String(n)], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
  return Array.from({ length: n }, (_, i) => `u${String(i + 1).padStart(3, '0')}`);
}

/** Named Cyrus owners (CYRUS_OWNERS), created if missing; idempotent and quick when they exist. */
export function ensureCyrusOwners(...names: Owner[]): void {
  execFileSync('bash', [`${ROOT}/staging/cyrus.sh`, 'named', ...names], { stdio: ['ignore', 'ignore', 'inherit'], timeout: 600_000 });
}
