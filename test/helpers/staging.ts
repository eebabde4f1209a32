// The staging servers the integration tests run against (started by staging/up.sh, from Debian
// packages, on 127.0.0.1). Tests call ensureStaging() so each file can also run on its own.
import { execFileSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const STATE = process.env.CALSHARE_STAGING_DIR ?? '/var/tmp/calshare-staging';

export const USERS = { alice: 'alice-pw', bob: 'bob-pw', carol: 'carol-pw' } as const;
export type User = keyof typeof USERS;

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
