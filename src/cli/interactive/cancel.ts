// Leaving a prompt without an answer. Nothing state-changing has been sent at that point (every
// write comes after the last prompt), so the only job is a clear message and a distinct exit:
// 130 (128 + SIGINT, the shell convention) for Ctrl-C; 2 (usage) for Esc, Ctrl-D, end of input or
// answering "no" to the confirmation.
import { UsageError } from '../../errors.js';

export type CancelReason = 'interrupt' | 'eof' | 'escape' | 'declined';

export class CancelledError extends UsageError {
  /** Set once the prompt's own frame has said it, so the message is not printed twice. */
  shown = false;
  constructor(readonly reason: CancelReason) {
    super(
      reason === 'interrupt' ? 'interrupted; nothing was changed' : reason === 'eof' ? 'input ended; nothing was changed' : 'cancelled; nothing was changed',
    );
  }
  override get exitCode(): number {
    return this.reason === 'interrupt' ? 130 : 2;
  }
}
