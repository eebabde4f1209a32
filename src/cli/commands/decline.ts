// `calshare decline [INVITE] --yes`: the same flow as accept (accept.ts), answering no.
import { run as reply, type ReplyFlags } from './accept.js';

export const run = (ref: string | undefined, flags: ReplyFlags): Promise<void> => reply('decline', ref, flags);
