// Drives the built CLI in a real pseudo-terminal: a private tmux server (its own socket, so tests
// running in parallel never meet) runs the command; the test types keys and reads the screen the
// way a person would. Secrets reach the command through the tmux server's environment, never argv.
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { setTimeout as sleep } from 'node:timers/promises';
import { ROOT } from './staging.js';

const run = promisify(execFile);

const quote = (w: string) => (/^[A-Za-z0-9@%+=:,./_-]+$/.test(w) ? w : `'${w.replace(/'/g, `'\\''`)}'`);

export class Tty {
  private constructor(
    private readonly socket: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  /** Starts `calshare ARGS` (the built dist/) in a 160×50 terminal (or `columns` wide). */
  static start(args: string[], env: Record<string, string | undefined> = {}, columns = 160): Promise<Tty> {
    // The exit status is printed where the test can read it; the shell then waits to be killed.
    return Tty.shell(`${[process.execPath, `${ROOT}/dist/cli/main.js`, ...args].map(quote).join(' ')}; echo "__EXIT=$?"; sleep 3600`, env, columns);
  }

  /** Starts a shell command line in a 160×50 terminal (or `columns` wide). */
  static async shell(cmd: string, env: Record<string, string | undefined> = {}, columns = 160): Promise<Tty> {
    const socket = `calshare-test-${randomUUID().slice(0, 8)}`;
    const merged: NodeJS.ProcessEnv = { ...process.env, TERM: 'xterm-256color', ...env };
    for (const [k, v] of Object.entries(merged)) if (v === undefined) delete merged[k];
    const t = new Tty(socket, merged);
    await t.tmux('new-session', '-d', '-x', String(columns), '-y', '50', cmd);
    return t;
  }

  private async tmux(...args: string[]): Promise<string> {
    return (await run('tmux', ['-L', this.socket, '-f', '/dev/null', ...args], { env: this.env })).stdout;
  }

  /** The visible screen as text (with `escapes`, including the SGR colour/style sequences). */
  screen(escapes = false): Promise<string> {
    return this.tmux('capture-pane', '-p', ...(escapes ? ['-e'] : []));
  }

  /** Named keys (tmux names: Enter, Down, Space, C-c, C-d, Escape). */
  async keys(...names: string[]): Promise<void> {
    for (const k of names) {
      await this.tmux('send-keys', k);
      await sleep(60); // one keypress per frame: clack re-renders between keys
    }
  }

  async type(text: string): Promise<void> {
    await this.tmux('send-keys', '-l', text);
  }

  /** Waits until the screen matches; fails with the screen in the message so a failure explains itself. */
  async waitFor(pattern: RegExp | string, timeoutMs = 30_000): Promise<string> {
    const deadline = Date.now() + timeoutMs;
    let last = '';
    while (Date.now() < deadline) {
      last = await this.screen();
      if (typeof pattern === 'string' ? last.includes(pattern) : pattern.test(last)) return last;
      await sleep(100);
    }
    throw new Error(`timed out waiting for ${pattern} on screen:\n${last}`);
  }

  /** The command's exit status, once it has ended. */
  async exitCode(timeoutMs = 60_000): Promise<number> {
    const s = await this.waitFor(/__EXIT=\d+/, timeoutMs);
    return Number(/__EXIT=(\d+)/.exec(s)![1]);
  }

  /** In a single-choice list (● marks the cursor), moves down to the option containing `text` and picks it. */
  async choose(text: string, max = 300): Promise<void> {
    for (let i = 0; i < max; i++) {
      const active = (await this.screen()).split('\n').find((l) => /^│\s+●/.test(l));
      if (active?.includes(text)) return this.keys('Enter');
      await this.keys('Down');
    }
    throw new Error(`option "${text}" never came under the cursor:\n${await this.screen()}`);
  }

  /**
   * In a multiple-choice list (cursor starting on the first option), ticks the options containing
   * each of `texts`, then submits.
   */
  async tick(texts: string[]): Promise<void> {
    const lines = (await this.screen()).split('\n').filter((l) => /^│\s+[◻◼]/.test(l));
    const at = texts.map((t) => lines.findIndex((l) => l.includes(t))).sort((a, b) => a - b);
    if (at.some((i) => i < 0)) throw new Error(`not all of ${texts.join(', ')} offered:\n${lines.join('\n')}`);
    let cursor = 0;
    for (const i of at) {
      for (; cursor < i; cursor++) await this.keys('Down');
      await this.keys('Space');
    }
    await this.keys('Enter');
  }

  async kill(): Promise<void> {
    await this.tmux('kill-server').catch(() => {});
  }
}
