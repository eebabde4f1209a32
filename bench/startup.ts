// Start-up (issues 6 and 14). Prints figures; asserts nothing.
// 1. Cold `calshare --help` next to bare `node -e 0` (the floor no Node CLI can beat), and which
//    modules --help loads. Goal (issue 6): at most 2× node.
// 2. Cold `calshare calendars` against the same read done with tsdav (createDAVClient +
//    fetchCalendars, bench/startup/tsdav-calendars.mjs), both as whole processes, in turn, round
//    after round, against staging Cyrus as alice. Goal (issue 14): calshare faster than tsdav.
// 3. What each heavy dependency costs to load, each in a fresh process, and whether `calendars`
//    loads it.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { CYRUS, ensureStaging } from '../test/helpers/staging.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const TSDAV = join(ROOT, 'bench/startup/tsdav-calendars.mjs');
const RUNS = Number(process.env.STARTUP_RUNS ?? 21);
// The password goes by environment, as the CLI takes it; never in argv. The discovery cache is on
// (test/helpers/staging.ts turns it off for tests); each row below says which cache it runs with.
const ENV = { ...process.env, CALSHARE_PASSWORD: 'alice-pw', CALSHARE_CACHE: undefined };
const CALENDARS = [CLI, 'calendars', '--url', CYRUS.url, '--username', 'alice'];
// Cold: an empty discovery cache for every run (src/discovery/cache.ts), so calshare discovers as
// tsdav does. Warm: one cache directory kept across runs, as a user's second command finds it.
const COLD = 'cold';
const WARM_CACHE = mkdtempSync(join(tmpdir(), 'calshare-bench-warm-'));
const cacheEnv = (kind: string | undefined): NodeJS.ProcessEnv =>
  kind === COLD ? { ...ENV, XDG_CACHE_HOME: mkdtempSync(join(tmpdir(), 'calshare-bench-cold-')) } : kind ? { ...ENV, XDG_CACHE_HOME: kind } : ENV;
const TSDAV_CALENDARS = [TSDAV, CYRUS.url, 'alice'];

// Each process reports its own CPU time (user + system) and peak memory as it exits: on a shared,
// loaded machine wall time swings with other work, CPU time much less.
const HOOK_DIR = mkdtempSync(join(tmpdir(), 'calshare-bench-'));
const CPU_HOOK = join(HOOK_DIR, 'cpu.mjs');
writeFileSync(
  CPU_HOOK,
  `import { writeSync } from 'node:fs'; process.on('exit', () => { const u = process.cpuUsage(); writeSync(2, '\\nbench-usage ' + (u.user + u.system) / 1000 + ' ' + process.resourceUsage().maxRSS / 1024 + '\\n'); });`,
);

interface Run {
  wall: number;
  cpu: number;
  /** Peak resident memory, MiB. */
  rss: number;
}

/** One whole process; `cache` is COLD, a cache directory, or undefined (the caller's own). */
function once(args: string[], cache?: string): Run {
  const env = cacheEnv(cache);
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, ['--import', CPU_HOOK, ...args], { stdio: ['ignore', 'ignore', 'pipe'], env, cwd: ROOT, encoding: 'utf8' });
  const wall = Number(process.hrtime.bigint() - t0) / 1e6;
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}: ${r.stderr}`);
  const [, cpu, rss] = /bench-usage (\S+) (\S+)/.exec(r.stderr) ?? [];
  return { wall, cpu: Number(cpu), rss: Number(rss) };
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Runs the commands in turn, round after round, so load from other processes hits all alike. */
function measure(commands: (string[] | [string[], string])[], runs = RUNS): Run[][] {
  const split = commands.map((c) => (Array.isArray(c[0]) ? (c as [string[], string]) : ([c as string[], undefined] as const)));
  split.forEach(([args, cache]) => once(args, cache)); // warm the file cache (and the server's)
  const times: Run[][] = commands.map(() => []);
  for (let i = 0; i < runs; i++) split.forEach(([args, cache], j) => times[j]!.push(once(args, cache)));
  return times;
}

/** The modules a command loads (ESM, and the entry of each CommonJS package), via a module hook. */
function loadedModules(args: string[]): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'calshare-bench-'));
  writeFileSync(join(dir, 'hook.mjs'), `import { writeSync } from 'node:fs'; export async function load(u, c, n) { if (!u.startsWith('node:')) writeSync(2, 'LOAD ' + u + '\\n'); return n(u, c); }`);
  writeFileSync(join(dir, 'reg.mjs'), `import { register } from 'node:module'; register(${JSON.stringify('file://' + join(dir, 'hook.mjs'))});`);
  const r = spawnSync(process.execPath, ['--import', join(dir, 'reg.mjs'), ...args], { encoding: 'utf8', env: ENV, cwd: ROOT });
  return r.stderr.split('\n').filter((l) => l.startsWith('LOAD ')).map((l) => l.slice(5).replace(`file://${ROOT}`, ''));
}

/** Requests one run sends: calshare's --verbose trace lines, tsdav's own count (see its script). */
function requests(args: string[], verboseFlag: boolean, cache?: string): number {
  const r = spawnSync(process.execPath, verboseFlag ? [...args, '--verbose'] : args, { encoding: 'utf8', env: cacheEnv(cache), cwd: ROOT });
  if (verboseFlag) return r.stderr.split('\n').filter((l) => /^\s+#\d+ /.test(l)).length;
  return Number(/requests (\d+)/.exec(r.stderr)?.[1] ?? NaN);
}

/** CPU milliseconds to import `specs` in a fresh process (median of 5), measured inside it: CPU
 * rather than wall time, which other work on a shared machine inflates several-fold. */
function importCost(...specs: string[]): number {
  const imports = specs.map((s) => `await import(${JSON.stringify(s)});`).join(' ');
  const code = `const c = process.cpuUsage(); ${imports} const u = process.cpuUsage(c); process.stdout.write(String((u.user + u.system) / 1000));`;
  const xs = Array.from({ length: 5 }, () => Number(spawnSync(process.execPath, ['--input-type=module', '-e', code], { encoding: 'utf8', cwd: ROOT }).stdout));
  return median(xs);
}

const spread = (xs: number[], unit = 'ms') => `median ${median(xs).toFixed(0)} ${unit} (min ${Math.min(...xs).toFixed(0)}, max ${Math.max(...xs).toFixed(0)})`;
const fmt = (rs: Run[]) =>
  `wall ${spread(rs.map((r) => r.wall))}; cpu ${spread(rs.map((r) => r.cpu))}; peak ${median(rs.map((r) => r.rss)).toFixed(0)} MiB; ${rs.length} runs`;
/** Ratios taken pair by pair (runs of the same round), so drift in the machine's speed cancels. */
const ratio = (a: Run[], b: Run[], k: keyof Run) => {
  const rs = a.map((x, i) => x[k] / b[i]![k]);
  return `${k} ${median(rs).toFixed(2)}× (min ${Math.min(...rs).toFixed(2)}, max ${Math.max(...rs).toFixed(2)})`;
};
const load = () => loadavg().map((l) => l.toFixed(2)).join(' ');

console.log(`machine load (1/5/15 min) at start: ${load()}`);
const [bare, help, sub] = measure([['-e', '0'], [CLI, '--help'], [CLI, 'share', '--help']]) as [Run[], Run[], Run[]];
console.log(`node -e 0                 ${fmt(bare)}`);
console.log(`calshare --help           ${fmt(help)}`);
console.log(`calshare share --help     ${fmt(sub)}`);
console.log(`ratio --help / node -e 0  ${ratio(help, bare, 'wall')}, ${ratio(help, bare, 'cpu')} (goal ≤ 2×)`);
console.log(`modules loaded by --help: ${loadedModules([CLI, '--help']).join(', ')}`);

ensureStaging('cyrus');
console.log(`\ncold \`calendars\` on staging Cyrus as alice, whole processes in turn (load ${load()}):`);
const [cs, ts, warm, bare2] = measure([[CALENDARS, COLD], TSDAV_CALENDARS, [CALENDARS, WARM_CACHE], ['-e', '0']]) as [Run[], Run[], Run[], Run[]];
console.log(`calshare calendars, cold  ${fmt(cs)}, ${requests(CALENDARS, true, COLD)} requests`);
console.log(`tsdav fetchCalendars      ${fmt(ts)}, ${requests(TSDAV_CALENDARS, false)} requests`);
console.log(`calshare calendars, warm  ${fmt(warm)}, ${requests(CALENDARS, true, WARM_CACHE)} requests (discovery cached)`);
console.log(`node -e 0                 ${fmt(bare2)}`);
console.log(`ratio cold / tsdav        ${ratio(cs, ts, 'wall')}, ${ratio(cs, ts, 'cpu')} (goal < 1×)`);
console.log(`ratio warm / tsdav        ${ratio(warm, ts, 'wall')}, ${ratio(warm, ts, 'cpu')}`);

// Each dependency alone in a fresh process: what it would add to a command that imports it.
const modules = loadedModules(CALENDARS);
const pkgs = ['undici', 'saxes', 'commander', 'zod', 'yaml', 'csv-parse/sync', 'csv-stringify/sync', '@clack/prompts', '@napi-rs/keyring', 'tldts', 'oauth4webapi', 'tsdav', 'node:https'];
console.log(`\nCPU to import each dependency alone (fresh process, median of 5; load ${load()}):`);
for (const p of pkgs) {
  const name = p.replace(/\/sync$/, '');
  const used = p.startsWith('node:') ? '' : modules.some((m) => m.startsWith(`node_modules/${name}/`)) ? '  loaded by calendars' : '';
  console.log(`  ${p.padEnd(20)} ${importCost(p).toFixed(0).padStart(4)} ms${used}`);
}
const own = modules.filter((m) => m.startsWith('dist/')).length;
const all = importCost(join(ROOT, 'dist/cli/commands/calendars.js'), join(ROOT, 'dist/session.js'));
console.log(`  everything calendars imports (${own} of calshare's modules + the packages marked): ${all.toFixed(0)} ms`);
console.log(`machine load at end: ${load()}`);
