// Runs the built CLI and keeps everything it printed, so a test file can finally prove that no
// secret reached stdout, stderr or the files calshare wrote. Also a live runner for flows where
// the test must act while calshare waits (a browser sign-in, a device code).
import { spawn } from 'node:child_process';
import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { ROOT } from './staging.js';
import type { CliResult } from './cli.js';

/** The calshare-related variables of the test runner's own environment are never inherited. */
const SCRUB = ['CALSHARE_PASSWORD', 'CALSHARE_TOKEN', 'CALSHARE_URL', 'CALSHARE_USERNAME', 'CALSHARE_ACCOUNT', 'DBUS_SESSION_BUS_ADDRESS', 'BROWSER', 'DISPLAY', 'WAYLAND_DISPLAY'];

export interface Live {
  /** Resolves with the first match of `re` in stderr so far or to come. */
  waitFor(re: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  done: Promise<CliResult>;
}

export class Recorder {
  readonly outputs: string[] = [];
  readonly dirs = new Set<string>();

  constructor(private readonly baseEnv: Record<string, string>) {}

  start(args: string[], env: Record<string, string | undefined> = {}): Live {
    const inherited = Object.fromEntries(Object.entries(process.env).filter(([k]) => !SCRUB.includes(k)));
    const full: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...inherited, NO_COLOR: '1', ...this.baseEnv, ...env })) if (v !== undefined) full[k] = v;
    if (full.XDG_CONFIG_HOME) this.dirs.add(full.XDG_CONFIG_HOME);
    const child = spawn(process.execPath, [`${ROOT}/dist/cli/main.js`, ...args], { env: full, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    const waiters: { re: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
    const check = () => {
      for (const w of [...waiters]) {
        const m = w.re.exec(stderr);
        if (m) {
          waiters.splice(waiters.indexOf(w), 1);
          w.resolve(m);
        }
      }
    };
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => {
      stderr += d;
      check();
    });
    child.stdin.end('');
    const timer = setTimeout(() => child.kill('SIGKILL'), 120_000);
    const done = new Promise<CliResult>((resolve, reject) => {
      child.on('error', reject);
      child.on('close', (code) => {
        clearTimeout(timer);
        this.outputs.push(stdout, stderr);
        resolve({ code, stdout, stderr });
      });
    });
    return {
      done,
      waitFor: (re, timeoutMs = 30_000) =>
        new Promise((resolve, reject) => {
          const t = setTimeout(() => reject(new Error(`no ${re} in calshare's stderr within ${timeoutMs} ms:\n${stderr}`)), timeoutMs);
          waiters.push({ re, resolve: (m) => (clearTimeout(t), resolve(m)) });
          check();
          void done.then(() => setTimeout(() => reject(new Error(`calshare exited without printing ${re}:\n${stderr}`)), 50));
        }),
    };
  }

  run(args: string[], env: Record<string, string | undefined> = {}): Promise<CliResult> {
    return this.start(args, env).done;
  }

  /** Every secret found in what calshare printed or wrote (config dirs included), with where. */
  async scan(secrets: string[]): Promise<string[]> {
    const haystacks: [string, string][] = this.outputs.map((o, i) => [`output #${i}`, o]);
    for (const dir of this.dirs) for (const f of await files(dir)) haystacks.push([f, await readFile(f, 'utf8').catch(() => '')]);
    const hits: string[] = [];
    for (const s of new Set(secrets.filter((x) => x.length >= 6))) {
      for (const [where, text] of haystacks) if (text.includes(s)) hits.push(`${where} contains a secret (${s.length} chars, starts ${s.slice(0, 3)}…)`);
    }
    return hits;
  }
}

async function files(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const e of await readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...(await files(p)));
    else out.push(p);
  }
  return out;
}

/** The forms a password or token can leak in: itself, and inside HTTP Basic credentials. */
export function secretForms(user: string, secret: string): string[] {
  return [secret, Buffer.from(`${user}:${secret}`).toString('base64')];
}
