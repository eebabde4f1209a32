// Cold start of `calshare --help` next to bare `node -e 0` (the floor no Node CLI can beat), and
// which modules --help loads. Prints figures; asserts nothing. Goal (issue 6): at most 2× node.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { writeFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CLI = join(ROOT, 'dist/cli/main.js');
const RUNS = 21;

function once(args: string[]): number {
  const t0 = process.hrtime.bigint();
  const r = spawnSync(process.execPath, args, { stdio: ['ignore', 'ignore', 'inherit'] });
  if (r.status !== 0) throw new Error(`node ${args.join(' ')} exited ${r.status}`);
  return Number(process.hrtime.bigint() - t0) / 1e6;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[xs.length >> 1]!;

/** Runs the commands in turn, round after round, so load from other processes hits all alike. */
function measure(commands: string[][]): number[][] {
  commands.forEach(once); // warm the file cache
  const times: number[][] = commands.map(() => []);
  for (let i = 0; i < RUNS; i++) commands.forEach((args, j) => times[j]!.push(once(args)));
  return times;
}

/** The ESM modules `--help` loads, via a module hook that logs each one. */
function loadedModules(): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'calshare-bench-'));
  writeFileSync(join(dir, 'hook.mjs'), `import { writeSync } from 'node:fs'; export async function load(u, c, n) { if (!u.startsWith('node:')) writeSync(2, 'LOAD ' + u + '\\n'); return n(u, c); }`);
  writeFileSync(join(dir, 'reg.mjs'), `import { register } from 'node:module'; register(${JSON.stringify('file://' + join(dir, 'hook.mjs'))});`);
  const r = spawnSync(process.execPath, ['--import', join(dir, 'reg.mjs'), CLI, '--help'], { encoding: 'utf8' });
  return r.stderr.split('\n').filter((l) => l.startsWith('LOAD ')).map((l) => l.slice(5).replace(`file://${ROOT}`, ''));
}

const [bare, help, sub] = measure([['-e', '0'], [CLI, '--help'], [CLI, 'share', '--help']]) as [number[], number[], number[]];
const fmt = (xs: number[]) => `median ${median(xs).toFixed(1)} ms (min ${Math.min(...xs).toFixed(1)}, max ${Math.max(...xs).toFixed(1)}, ${xs.length} runs)`;
console.log(`node -e 0                 ${fmt(bare)}`);
console.log(`calshare --help           ${fmt(help)}`);
console.log(`calshare share --help     ${fmt(sub)}`);
console.log(`ratio --help / node -e 0  ${(median(help) / median(bare)).toFixed(2)}× (goal ≤ 2×)`);
console.log(`modules loaded by --help: ${loadedModules().join(', ')}`);
