// The web UI under test: the built CLI's `calshare ui` as a child process (the real server, real
// Session against staging), and Debian's chromium driven by playwright-core (no browser download).
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { CYRUS, ROOT, USERS, type User } from './staging.js';

export interface RunningUi {
  launchUrl: string;
  origin: string;
  /** Where the UI lives: origin + its secret per-launch path prefix (ends in "/"). */
  base: string;
  port: number;
  child: ChildProcess;
  stderr: () => string;
  /** SIGTERM (what Ctrl-C's sibling sends), then the exit code once the process is gone. */
  stop(): Promise<number | null>;
}

/** The CLI under test; CALSHARE_TEST_CLI points at another build (e.g. a deliberately broken copy, to see the tests fail). */
const CLI = process.env.CALSHARE_TEST_CLI ?? `${ROOT}/dist/cli/main.js`;

/** `user` is a staging user; others (the new servers' dave, erin, frank) have the password `<user>-pw`. */
export function startUi(user: User | string, serverUrl = CYRUS.url, extraArgs: string[] = []): Promise<RunningUi> {
  const env: Record<string, string> = {};
  const password = (USERS as Record<string, string>)[user] ?? `${user}-pw`;
  for (const [k, v] of Object.entries({ ...process.env, NO_COLOR: '1', CALSHARE_PASSWORD: password })) if (v !== undefined) env[k] = v;
  const child = spawn(process.execPath, [CLI, 'ui', '--no-open', '--port', '0', '--url', serverUrl, '--username', user, ...extraArgs], {
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  return new Promise((resolve, reject) => {
    child.stderr!.on('data', (d) => (stderr += d));
    child.stdout!.on('data', (d) => {
      stdout += d;
      const line = stdout.split('\n').find((l) => l.startsWith('http://'));
      if (!line) return;
      const url = new URL(line.trim());
      resolve({
        launchUrl: url.href,
        origin: url.origin,
        base: url.origin + url.pathname,
        port: Number(url.port),
        child,
        stderr: () => stderr,
        stop: async () => {
          if (child.exitCode === null) child.kill('SIGTERM');
          return exited;
        },
      });
    });
    child.on('error', reject);
    void exited.then((code) => reject(new Error(`calshare ui exited (${code}) before printing its URL:\n${stderr}`)));
  });
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Debian chromium with a fresh profile, nothing fetched from the network on its own. */
export async function launchBrowser(): Promise<Browser> {
  const dir = await mkdtemp(join(tmpdir(), 'calshare-chromium-'));
  const context = await chromium.launchPersistentContext(dir, {
    executablePath: '/usr/bin/chromium',
    headless: true,
    viewport: { width: 1000, height: 800 },
    args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
  return {
    context,
    close: async () => {
      await context.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/** The calendar page's row for one person. */
export const shareeRow = (page: Page, who: string) => page.locator(`#sharees tbody tr[data-person="${who}"]`);

/** On an open calendar page: share view-only with `who` by the form, until the verified result and the new row show. */
export async function shareViewOnlyFromPage(page: Page, who: string): Promise<void> {
  await page.getByLabel('E-mail address').fill(who);
  await page.getByRole('radio', { name: /View only/ }).check();
  await page.getByRole('button', { name: 'Share' }).click();
  await page.locator(`#result .outcome tr[data-person="${who}"][data-result="shared"]`).waitFor();
  await shareeRow(page, who).waitFor();
}

/** On an open calendar page: select `who`, remove, confirm, until the verified removal shows. */
export async function removeFromPage(page: Page, who: string): Promise<void> {
  await page.getByLabel(`Select ${who}`).check();
  await page.getByRole('button', { name: 'Remove selected…' }).click();
  await page.getByRole('button', { name: 'Yes, remove access' }).click();
  await page.locator(`#result .outcome tr[data-person="${who}"][data-result="removed"]`).waitFor();
}
