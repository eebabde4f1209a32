// vdirsyncer-style password commands (`password.fetch = ["command", ...]`): run without a shell,
// the first line of stdout is the secret. Failures name the command and its exit status, never
// its output (which may be the secret, or part of it).
import { execFile } from 'node:child_process';
import { AuthError } from '../errors.js';

const TIMEOUT_MS = 60_000; // long enough for a GPG pinentry or a hardware-key touch

export function runPasswordCommand(argv: readonly string[], account: string): Promise<string> {
  const shown = argv.join(' ');
  const fail = (why: string) =>
    new AuthError(`the password command of account "${account}" (${shown}) ${why}`, 'Run the command yourself to check it, or change it with `calshare login --password-command …`.');
  return new Promise((resolve, reject) => {
    execFile(argv[0]!, argv.slice(1), { timeout: TIMEOUT_MS, maxBuffer: 1024 * 1024, encoding: 'utf8', windowsHide: true, shell: false }, (err, stdout) => {
      if (err) {
        const e = err as NodeJS.ErrnoException & { killed?: boolean; signal?: string | null };
        if (e.code === 'ENOENT') return reject(fail('was not found'));
        if (e.killed || e.signal) return reject(fail(e.signal === 'SIGTERM' ? `did not finish within ${TIMEOUT_MS / 1000} s` : `was killed (${e.signal})`));
        return reject(fail(`failed (exit status ${typeof e.code === 'number' ? e.code : '?'})`));
      }
      const line = stdout.split(/\r?\n/, 1)[0] ?? '';
      if (line === '') return reject(fail('printed nothing on its first line'));
      resolve(line);
    });
  });
}
