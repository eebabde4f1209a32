// "The server is working" feedback. An animated spinner only where it helps: an interactive
// terminal with colour allowed (NO_COLOR asks for a calm screen). Elsewhere nothing is drawn:
// pipes and logs get no cursor-hiding sequences or animation frames.
import { useColor } from '../output.js';
import { canPrompt } from './gate.js';

export interface Progress {
  done(message: string): void;
  fail(): void;
}

const quiet: Progress = { done: () => {}, fail: () => {} };

export async function progress(flags: { json?: boolean }, message: string): Promise<Progress> {
  if (!canPrompt(flags)) return quiet;
  if (!useColor(process.stdout)) {
    process.stderr.write(`${message}\n`);
    return quiet;
  }
  const { spinner } = await import('@clack/prompts');
  // The spinner takes over SIGINT (to tidy the line); without this a Ctrl-C while a request is in
  // flight would be swallowed. What the server already applied is unknown at that point: say so.
  const s = spinner({
    cancelMessage: 'Interrupted',
    onCancel: () => {
      process.stderr.write('Interrupted while the server was working; `calshare sharees` shows what changed.\n');
      process.exit(130);
    },
  });
  s.start(message);
  return { done: (m) => s.stop(m), fail: () => s.error('Stopped: see the error below') };
}
