// Whole-process timing for bench/startup.ts and bench/speed-goals/startup.ts: each run in turn,
// round after round, with its own CPU time and peak memory; cold and warm discovery caches.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CYRUS } from '../../test/helpers/staging.js';

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
export const CLI = join(ROOT, 'dist/cli/main.js');
export const TSDAV = join(ROOT, 'bench/startup/tsdav-calendars.mjs');
export const RUNS = Number(process.env.STARTUP_RUNS ?? 21);
// The password goes by environment, as the CLI takes it; never in argv. The discovery cache is on
// (test/helpers/staging.ts turns it off for tests); each row below says which cache it runs with.
export const ENV = { ...process.env, CALSHARE_PASSWORD: 'alice-pw', CALSHARE_CACHE: undefined };
export const CALENDARS = [CLI, 'calendars', '--url', CYRUS.url, '--username', 'alice'];
// Cold: an empty discovery cache for every run (src/discovery/cache.ts), so calshare discovers as
// tsdav does. Warm: one cache directory kept across runs, as a user's second command finds it.
export const COLD = 'cold';
export const WARM_CACHE = mkdtempSync(join(tmpdir(), 'calshare-bench-warm-'));
export const cacheEnv = (kind: string | undefined): NodeJS.ProcessEnv =>
  kind === COLD ? { ...ENV, XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'calshare-bench-cold-')) } : kind ? { ...ENV, XDG_CACHE_HOME: kind } : ENV;
export const TSDAV_CALENDARS = [TSDAV, CYRUS.url, 'alice'];

// Each process reports its own CPU time (user + system) and peak memory as it exits: on a shared,
// loaded machine wall time swings with other work, CPU time much less.
export const HOOK_DIR = mkdtempSync(join(tmpdir(), 'calshare-bench-'));
export const CPU_HOOK = join(HOOK_DIR, 'cpu.mjs');
writeFileSync(
  CPU_HOOK,
  `import { writeSync } from 'node:fs'; process.on('exit', () => { const u = process.cpuUsage(); writeSync(2, '\\nbench-usage ' + (u.user + u.system) / 1000 + ' ' + process.resourceUsage().maxRSS / 1024 + '\\n'); });`,
);

export interface Run {
  wall: number;
  cpu: number;
  /** Peak resident memory, MiB. */
  rss: number;
}

/** One whole process; `cache` is COLD, a cache directory, or undefined (the caller's own). */
export function once(args: string[], cache?: string): Run {
  const env = cacheEnv(cache);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', CPU_HOOK, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env, cwd: ROOT, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const [, cpu, rss] = /bench-usage (\S+) (\S+)/.exec(r.stderr) ?? [];
  return { wall, cpu: Number(cpu), rss: Number(rss) };
}

export const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Runs the commands in turn, round after round, so load from other processes hits all alike. */
export function measure(commands: (string[] | [string[], string])[], runs = RUNS): Run[][] {
  const split = commands.map((c) => (Array.isArray(c[0]) ? (c as [string[], string]) : ([c as string[], undefined] as const)));
  split.forEach(([args, cache]) => once(args, cache)); // warm the file cache (and the server's)
  const times: Run[][] = commands.map(() => []);
  for (let i = 0; i < runs; i++) split.forEach(([args, cache], j) => times[j]!.push(once(args, cache)));
  return times;
}

/** The modules a command loads (ESM, and the entry of each CommonJS package), via a module hook. */
export function loadedModules(args: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'calshare-bench-'));
  writeFileSync(join(dir, 'hook.mjs'), `import { writeSync } from 'node:fs'; export async function load(u, c, n) { if (!u.startsWith('node:')) writeSync(2, 'LOAD ' + u + '\\n'); return n(u, c); }`);
  writeFileSync(join(dir, 'reg.mjs'), `import { register } from 'node:module'; register(${JSON.stringify('file://' + join(dir, 'hook.mjs'))});`);
  const r = spawnSync(process.execPath, ['--import', join(dir, 'reg.mjs'), ...args], { encoding: 'utf8', env: ENV, cwd: ROOT });
  return r.stderr.split('\n').filter((l) => l.startsWith('LOAD ')).map((l) => l.slice(5).replace(`file://${ROOT}`, ''));
}

/** Requests one run sends: calshare's --verbose trace lines, tsdav's own count (see its script). */
export function requests(args: string[], verboseFlag: boolean, cache?: string): number {
  const r = spawnSync(process.execPath, verboseFlag ? [...args, '--verbose'] : args, { encoding: 'utf8', env: cacheEnv(cache), cwd: ROOT });
  if (verboseFlag) return r.stderr.split('\n').filter((l) => /^\s+#\d+ /.test(l)).length;
  return Number(/requests (\d+)/.exec(r.stderr)?.[1] ?? NaN);
}

/** CPU milliseconds to import `specs` in a fresh process (median of 5), measured inside it: CPU
 * rather than wall time, which other work on a shared machine inflates several-fold. */
export function importCost(...specs: string[]): number {
  const imports = specs.map((s) => `await import(${JSON.stringify(s)});`).join(' ');
  const code = `const c = process.cpuUsage(); ${imports} const u = process.cpuUsage(c); process.stdout.write(String((u.user + u.system) / 1000));`;
  const xs = Array.from({ length: 5 }, () => Number(spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', cwd: ROOT }).stdout));
  return median(xs);
}

export const spread = (xs: number[], unit = 'ms') => `median ${median(xs).toFixed(0)} ${unit} (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
export const fmt = (rs: Run[]) =>
  `wall ${spread(rs.map((r) => r.wall))}; cpu ${spread(rs.map((r) => r.cpu))}; peak ${median(rs.map((r) => r.rss)).toFixed(0)} MiB; ${rs.length} runs`;
/** Ratios taken pair by pair (runs of the same round), so drift in the machine's speed cancels. */
export const ratio = (a: Run[], b: Run[], k: keyof Run) => {
  const rs = a.map((x, i) => x[k] / b[i]![k]);
  return `${k} ${median(rs).toFixed(2)}× (min ${Math.min(...rs).toFixed(2)}, max ${Math.max(...rs).toFixed(2)})`;
};
export const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

