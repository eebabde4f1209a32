// One error class per exit code, so every face (CLI, web UI, library user) can tell
// "fix your input" from "fix your password" from "the server said no" without parsing text.

export const ExitCode = {
  ok: 0,
  usage: 2,
  auth: 3,
  network: 4,
  refused: 5,
  unsupported: 6,
  verification: 7,
  partial: 8,
} as const;
export type ErrorKind = Exclude<keyof typeof ExitCode, 'ok'>;

export abstract class CalshareError extends Error {
  abstract readonly kind: ErrorKind;
  /** What the user should do next; printed after the message. */
  readonly hint: string | undefined;
  constructor(message: string, hint?: string, options?: ErrorOptions) {
    super(message, options);
    this.hint = hint;
    this.name = new.target.name;
  }
  get exitCode(): number {
    return ExitCode[this.kind];
  }
}

export class UsageError extends CalshareError {
  readonly kind = 'usage' as const;
}

export class AuthError extends CalshareError {
  readonly kind = 'auth' as const;
}

export class NetworkError extends CalshareError {
  readonly kind = 'network' as const;
  constructor(
    message: string,
    hint?: string,
    /** Node/undici error code (ECONNREFUSED, UND_ERR_HEADERS_TIMEOUT, DEPTH_ZERO_SELF_SIGNED_CERT, ...). */
    readonly code?: string,
    options?: ErrorOptions,
  ) {
    super(message, hint, options);
  }
}

export class ServerRefusedError extends CalshareError {
  readonly kind = 'refused' as const;
  constructor(
    message: string,
    hint: string | undefined,
    readonly status: number,
    /** Local names of the DAV:error preconditions (RFC 4918 §16), e.g. "need-privileges". */
    readonly preconditions: readonly string[] = [],
    /** The server's own words (plain text), when it gave any. */
    readonly serverMessage?: string,
  ) {
    super(message, hint);
  }
}

export class UnsupportedError extends CalshareError {
  readonly kind = 'unsupported' as const;
  /**
   * Other ways this calendar CAN be shared (mechanism ids), when only the one asked for or tried
   * cannot: then the refusal is about the way, not the calendar, and no "this server cannot share"
   * advice (delegation, the administrator) applies.
   */
  readonly alternatives: readonly string[];
  constructor(message: string, hint?: string, options?: ErrorOptions & { alternatives?: readonly string[] }) {
    super(message, hint, options);
    this.alternatives = options?.alternatives ?? [];
  }
}

export interface Mismatch {
  email: string;
  expected: string;
  seen: string;
}

export class VerificationError extends CalshareError {
  readonly kind = 'verification' as const;
  constructor(
    message: string,
    hint: string | undefined,
    readonly mismatches: readonly Mismatch[],
  ) {
    super(message, hint);
  }
}

/**
 * Some parts of a many-calendar change (a plan's apply, a share naming several calendars) failed
 * while others were made: never success, and not one of the single-cause codes either. The report
 * (printed, or in --json) says which calendars failed, how, and what was left as it was.
 */
export class PartialError extends CalshareError {
  readonly kind = 'partial' as const;
}

export function isCalshareError(e: unknown): e is CalshareError {
  return e instanceof CalshareError;
}
