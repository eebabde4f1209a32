// Issue 14's start-up goal row for bench/speed.ts: a cold `calshare calendars` (empty discovery
// cache) against tsdav's createDAVClient + fetchCalendars on the same Cyrus account, as whole
// processes in turn, in this same run. bench/startup.ts prints the full comparison.
import { CALENDARS, COLD, RUNS, TSDAV_CALENDARS, measure, median, requests, type Run } from '../startup/measure.js';

type Goal = [goal: string, measured: string, met: boolean | undefined];

export async function goals(): Promise<Goal[]> {
  // As many rounds as bench/startup.ts: the two are within a few per cent of each other, and a median
  // of 7 per-round ratios fell on either side of 1 from one run to the next (0.89×, 1.05×).
  const [cs, ts] = measure([[CALENDARS, COLD], TSDAV_CALENDARS], RUNS) as [Run[], Run[]];
  const wall = median(cs.map((c, i) => c.wall / ts[i]!.wall));
  const cpu = median(cs.map((c, i) => c.cpu / ts[i]!.cpu));
  const ms = (rs: Run[]) => `${median(rs.map((r) => r.wall)).toFixed(0)} ms`;
  return [
    [
      'start-up: cold `calendars` faster than tsdav in the same run',
      `${ms(cs)} vs ${ms(ts)} (median of ${RUNS} in turn), ${wall.toFixed(2)}× wall, ${cpu.toFixed(2)}× CPU; ${requests(CALENDARS, true, COLD)} vs ${requests(TSDAV_CALENDARS, false)} requests`,
      wall < 1,
    ],
  ];
}
