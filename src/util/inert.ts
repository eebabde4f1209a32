// Server-supplied text (display names, common names, error pages) reaches terminals and logs.
// Control characters would let a hostile server move the cursor, recolour or rewrite the screen,
// and bidi overrides would let it reorder what the user reads; show them as visible escapes.
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069]/g;

export function inert(text: string): string {
  return text.replace(UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** inert, and on one line: for text inside a line of output (a table cell, a list entry), where a
 *  line break would let a server forge the lines that follow. */
export function inertLine(text: string): string {
  return inert(text).replace(/[\n\t]/g, (c) => (c === '\n' ? '\\n' : '\\t'));
}

// Valid in JSON strings as they are, yet able to reorder or hide what a terminal shows; escaping
// them as \uXXXX keeps the decoded data identical.
const JSON_UNSAFE = /[\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2028\u2029\u2066-\u2069]/g;

export function inertJson(value: unknown): string {
  return JSON.stringify(value, null, 2).replace(JSON_UNSAFE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
}

/** A short, single-line, inert excerpt of a server's body for an error message. */
export function excerpt(body: string, max = 200): string | undefined {
  const plain = body
    .replace(/<(script|style)[\s\S]*?<\/\1>/gi, ' ')
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  if (!plain) return undefined;
  return inert(plain.length > max ? `${plain.slice(0, max)}…` : plain);
}

/**
 * One word of a suggested shell command, safe to paste and inert on the terminal: as it is when it
 * holds only characters no shell treats specially; in single quotes otherwise (POSIX sh §2.2.2);
 * and as $'…' with escapes when it holds control or bidi characters, which bash, zsh and ksh
 * decode back to the same string (a newline in plain quotes would split the line the user sees).
 */
export function shellWord(text: string): string {
  if (/^[A-Za-z0-9_@%+=:,./-]+$/.test(text)) return text;
  if (!UNSAFE_OR_BREAK.test(text)) return `'${text.replace(/'/g, `'\\''`)}'`;
  const escaped = [...text]
    .map((c) => {
      const code = c.codePointAt(0)!;
      if (c === "'" || c === '\\') return `\\${c}`;
      if (code < 0x20 || code === 0x7f) return `\\x${code.toString(16).padStart(2, '0')}`;
      if (UNSAFE_OR_BREAK.test(c)) return `\\u${code.toString(16).padStart(4, '0')}`;
      return c;
    })
    .join('');
  return `$'${escaped}'`;
}

const UNSAFE_OR_BREAK = /[\u0000-\u001F\u007F-\u009F\u061C\u200E\u200F\u202A-\u202E\u2028\u2029\u2066-\u2069]/;

/** decodeURIComponent that never throws: a malformed %-escape in a server's href stays as written. */
export function decodeSafe(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}
