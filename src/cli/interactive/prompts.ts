// Thin wrappers over @clack/prompts that turn "no answer" into a CancelledError with the reason.
// Loaded only behind the gate (gate.ts), so scripts and `--help` never pay for it.
import * as p from '@clack/prompts';
import type { Readable } from 'node:stream';
import { emitKeypressEvents } from 'node:readline';
import { CancelledError, type CancelReason } from './cancel.js';

interface Key {
  name?: string;
  ctrl?: boolean;
  sequence?: string;
}

/**
 * Why the current prompt ended without an answer. clack cancels on Ctrl-C and Esc itself; Ctrl-D
 * and a closed terminal it ignores (the prompt would wait forever), so those abort it through its
 * `signal` option.
 */
export class Prompter {
  private reason: CancelReason | undefined;
  private readonly abort = new AbortController();

  constructor(private readonly input: Readable & { isTTY?: boolean } = process.stdin) {
    emitKeypressEvents(input);
    input.on('keypress', this.onKey);
    input.once('end', this.onEnd);
  }

  private readonly onKey = (_s: string | undefined, key: Key | undefined): void => {
    if (key?.sequence === '\x03') this.reason ??= 'interrupt';
    else if (key?.name === 'escape') this.reason ??= 'escape';
    else if (key?.sequence === '\x04') this.stop('eof');
  };

  private readonly onEnd = (): void => this.stop('eof');

  private stop(reason: CancelReason): void {
    this.reason ??= reason;
    this.abort.abort();
  }

  /** Runs one clack prompt; its cancel symbol becomes a CancelledError. */
  async ask<T>(prompt: (common: { signal: AbortSignal }) => Promise<T | symbol>): Promise<T> {
    const answer = await prompt({ signal: this.abort.signal });
    if (p.isCancel(answer) || this.abort.signal.aborted) throw new CancelledError(this.reason ?? 'escape');
    return answer as T;
  }

  select<T>(message: string, options: { value: T; label: string; hint?: string }[]): Promise<T> {
    // clack's Option<T> is a conditional type that a generic T cannot satisfy; the shape is the same.
    return this.ask<T>((c) => p.select<T>({ ...c, message, options: options as never }));
  }

  multiselect<T>(message: string, options: { value: T; label: string; hint?: string }[]): Promise<T[]> {
    return this.ask<T[]>((c) => p.multiselect<T>({ ...c, message, required: true, options: options as never }));
  }

  text(message: string, placeholder: string, validate: (v: string) => string | undefined, initialValue?: string): Promise<string> {
    return this.ask<string>((c) => p.text({ ...c, message, placeholder, ...(initialValue ? { initialValue } : {}), validate: (v) => validate(v ?? '') }));
  }

  confirm(message: string): Promise<boolean> {
    return this.ask<boolean>((c) => p.confirm({ ...c, message, initialValue: true }));
  }

  /** Releases stdin so the process can exit once the flow is over. */
  close(): void {
    this.input.off('keypress', this.onKey);
    this.input.off('end', this.onEnd);
    this.input.pause();
  }
}

/** Runs a whole flow with one Prompter: a cancel is announced once, and stdin is always released. */
export async function promptFlow<T>(flow: (ask: Prompter) => Promise<T>): Promise<T> {
  const ask = new Prompter();
  try {
    return await flow(ask);
  } catch (e) {
    if (e instanceof CancelledError) {
      p.cancel(e.message);
      e.shown = true;
    }
    throw e;
  } finally {
    ask.close();
  }
}

export { p as clack };
