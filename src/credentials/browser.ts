// Opening the user's browser, as gh does: $BROWSER first (split like a shell would, URL appended),
// then the platform's opener. Never through a shell: the URL carries '&'.
import { execFile } from 'node:child_process';
import { splitCommand } from './argv.js';

export function browserCommand(env: NodeJS.ProcessEnv = process.env, platform = process.platform): string[] | undefined {
  if (env.BROWSER?.trim()) return splitCommand(env.BROWSER);
  if (platform === 'darwin') return ['open'];
  if (platform === 'win32') return ['rundll32', 'url.dll,FileProtocolHandler'];
  // A Linux/BSD desktop session; without one (ssh, a server) there is no browser to open here.
  if (env.DISPLAY || env.WAYLAND_DISPLAY) return ['xdg-open'];
  return undefined;
}

/** Resolves true if the opener started and exited cleanly. */
export function openBrowser(cmd: string[], url: string): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(cmd[0]!, [...cmd.slice(1), url], { timeout: 15_000, windowsHide: true }, (err) => resolve(!err));
  });
}
