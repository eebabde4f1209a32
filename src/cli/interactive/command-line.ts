// The scriptable equivalent of an interactive session, shown in the summary so the next run can
// skip the questions (gh does the same). Pure: flags in, one shell-safe line out. Secrets never
// appear: calshare takes none on the command line.
import { shellWord } from '../../util/inert.js';

/** One word of the line, shell-quoted and inert: server text (a display name) may hold terminal
 *  escapes or line breaks, which must neither reach the terminal nor break the command (util/inert.ts). */
export const shellQuote = shellWord;

/** Where the session came from, repeated so the line works on its own. */
export interface Origin {
  account?: string | undefined;
  url?: string | undefined;
  username?: string | undefined;
  caFile?: string | undefined;
}

function originArgs(o: Origin): string[] {
  if (o.account) return ['--account', o.account];
  return [
    ...(o.url ? ['--url', o.url] : []),
    ...(o.username ? ['--username', o.username] : []),
    ...(o.caFile ? ['--ca-file', o.caFile] : []),
  ];
}

export function commandLine(verb: 'share' | 'unshare', positional: string[], flags: string[], origin: Origin): string {
  return ['calshare', verb, ...positional, ...flags, ...originArgs(origin)].map(shellQuote).join(' ');
}
