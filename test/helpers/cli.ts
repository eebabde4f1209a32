// Runs the built CLI (dist/, built by `npm test` before the suite) as a user would, without a terminal.
import { spawn } from 'node:child_process';
import { ROOT, PASSWORDS, type User } from './staging.js';

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function calshare(args: string[], opts: { env?: Record<string, string | undefined>; input?: string; timeoutMs?: number } = {}): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const env: Record<string, string> = {};
    for (const [k, v] of Object.entries({ ...process.env, NO_COLOR: '1', ...opts.env })) if (v !== undefined) env[k] = v;
    const child = spawn(process.execPath, [`${ROOT}/dist/cli/main.js`, ...args], { env, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const timer = setTimeout(() => child.kill('SIGKILL'), opts.timeoutMs ?? 60_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(opts.input ?? '');
  });
}

/** calshare as `user` against a server URL, password from the environment as the CLI expects. */
export function as(user: User, url: string, extraEnv: Record<string, string> = {}) {
  return (args: string[], opts: { input?: string } = {}) =>
    calshare([...args, '--url', url, '--username', user], { ...opts, env: { CALSHARE_PASSWORD: PASSWORDS[user], ...extraEnv } });
}
