import type { Calendar } from '../discovery/calendars.js';
import type { Principal } from '../discovery/discover.js';
export function shareeCount(_c: Calendar, _p: Principal): number | undefined { return undefined; }
