// A real Secret Service for tests: a private D-Bus session bus with Debian's gnome-keyring-daemon
// on it, unlocked with a throwaway password, its files in a temporary HOME. Processes that get
// `env` (the CLI under test) use it through @napi-rs/keyring exactly as on a desktop.
// Recipe: ../shared/research/LIBRARIES.md §4 (dbus-run-session + gnome-keyring-daemon --unlock).
import { spawn, execFile, type ChildProcess } from 'node:child_process';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export interface SecretService {
  env: Record<string, string>;
  /** secret-tool's view (libsecret, independent of calshare's library): the stored secret or null. */
  lookup(account: string): Promise<string | null>;
  stop(): Promise<void>;
}

const SCRIPT = `
printf %s "$KEYRING_UNLOCK" | gnome-keyring-daemon --unlock --components=secrets >/dev/null 2>&1 || exit 1
echo "BUS=$DBUS_SESSION_BUS_ADDRESS"
exec sleep 3600`;

export async function startSecretService(): Promise<SecretService> {
  const home = await mkdtemp(join(tmpdir(), 'calshare-keyring-'));
  const run = join(home, 'run');
  await mkdir(run, { mode: 0o700 });
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    HOME: home,
    XDG_DATA_HOME: join(home, 'data'),
    XDG_RUNTIME_DIR: run,
    XDG_CONFIG_HOME: join(home, 'config'),
  };
  const child: ChildProcess = spawn('dbus-run-session', ['--', 'sh', '-c', SCRIPT], {
    env: { ...env, KEYRING_UNLOCK: 'test-keyring-unlock' },
    stdio: ['ignore', 'pipe', 'pipe'],
    detached: true, // own process group: stop() ends the bus, the daemon and sleep together
  });
  const bus = await new Promise<string>((resolve, reject) => {
    let out = '';
    let err = '';
    const timer = setTimeout(() => reject(new Error(`no D-Bus session within 15 s: ${err}`)), 15_000);
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /^BUS=(.+)$/m.exec(out);
      if (m) {
        clearTimeout(timer);
        resolve(m[1]!);
      }
    });
    child.stderr!.on('data', (d) => (err += d));
    child.on('exit', (code) => reject(new Error(`dbus-run-session exited (${code}): ${err}`)));
  });
  const full = { ...env, DBUS_SESSION_BUS_ADDRESS: bus };
  return {
    env: full,
    lookup: (account) =>
      new Promise((resolve) => {
        // keyring-rs stores Secret Service items with the attributes service and username.
        execFile('secret-tool', ['lookup', 'service', 'calshare', 'username', account], { env: full }, (e, stdout) => resolve(e ? null : stdout));
      }),
    async stop() {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
      await rm(home, { recursive: true, force: true });
    },
  };
}
