// Start-up (issues 6 and 14). Prints figures; asserts nothing.
// 1. Cold `calshare --help` next to bare `node -e 0` (the floor no Node CLI can beat), and which
//    modules --help loads. Goal (issue 6): at most 2× node.
// 2. Cold `calshare calendars` against the same read done with tsdav (createDAVClient +
//    fetchCalendars, bench/startup/tsdav-calendars.mjs), both as whole processes, in turn, round
//    after round, against staging Cyrus as alice. Goal (issue 14): calshare faster than tsdav.
// 3. What each heavy dependency costs to load, each in a fresh process, and whether `calendars`
//    loads it.
import { ensureStaging } from '../test/helpers/staging.js';
import { join } from 'node:path';
import { CALENDARS, CLI, COLD, ROOT, TSDAV_CALENDARS, WARM_CACHE, fmt, importCost, load, loadedModules, measure, median, ratio, requests, type Run } from './startup/measure.js';

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
