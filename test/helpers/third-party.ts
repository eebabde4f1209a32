// Runs the calendar client no part of calshare wrote (Debian's python3-caldav, installed by
// scripts/setup.sh) as a given user, from that user's own calendar home, as their calendar app would.
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('./third-party-client.py', import.meta.url));
// Debian's interpreter on purpose: python3-caldav is a Debian package, not in any other python's path.
const PYTHON = '/usr/bin/python3';

function run(args: string[], password: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [SCRIPT, ...args], { env: { PATH: '/usr/bin:/bin', CALDAV_PASSWORD: password }, timeout: 120_000 }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`python3-caldav ${args[0]} failed: ${err.message}\n${stderr}`));
      try {
        resolve(JSON.parse(stdout));
      } catch {
        reject(new Error(`python3-caldav printed no JSON:\n${stdout}\n${stderr}`));
      }
    });
  });
}

export interface ThirdParty {
  list(): Promise<{ url: string; name: string | null }[]>;
  read(calUrl: string): Promise<{ summaries?: string[]; refused?: boolean; error?: string }>;
}

/** The client logged in as `user`, started from `home` (their calendar home). */
export function thirdParty(home: string, user: string, password: string): ThirdParty {
  return {
    list: async () => ((await run(['list', home, user], password)) as { calendars: { url: string; name: string | null }[] }).calendars,
    read: async (calUrl) => (await run(['read', home, user, calUrl], password)) as { summaries?: string[]; refused?: boolean; error?: string },
  };
}
