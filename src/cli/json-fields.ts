// `--json` as in gh: alone it prints the whole document; `--json name,url` keeps only those
// fields of each item in the document's lists (calendars, results, sharees, accounts), and the
// document's own scalar context (principal, mechanism, dryRun) stays. An unknown field is a usage
// error listing the available ones, like gh's "Unknown JSON field".
import { UsageError } from '../errors.js';

const FIELD_LIST = /^[A-Za-z][A-Za-z0-9]*(,[A-Za-z][A-Za-z0-9]*)*$/;

/**
 * Field names a list item carries today. Used only to tell `--json name` (one field) from
 * `--json Work` (a calendar argument after a bare --json); a list with a comma is always fields,
 * and `--json=FIELDS` is never ambiguous.
 */
export const KNOWN_FIELDS = new Set([
  // calendars
  'name', 'url', 'color', 'owner', 'owned', 'sharedWith', 'fromHome', 'sharedWithOthers', 'others', 'kind',
  // share / unshare results
  'email', 'requested', 'result', 'before', 'after', 'invite',
  // sharees
  'sharees', 'principal', 'level', 'origin', 'sources',
  // capabilities
  'calendar', 'server', 'dav', 'allow', 'preferred', 'mechanisms', 'scheduling',
  // accounts
  'username', 'auth', 'secret',
]);

/** Fields requested on the command line (mutates argv: `--json F` / `--json=F` become `--json`). */
export function takeJsonFields(argv: string[]): string[] | undefined {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') break;
    let list: string | undefined;
    if (a.startsWith('--json=')) {
      list = a.slice('--json='.length);
      if (!FIELD_LIST.test(list)) throw new UsageError(`--json wants a comma-separated list of field names, not "${list}"`, 'Example: --json name,url');
      argv.splice(i, 1, '--json');
    } else if (a === '--json') {
      const next = argv[i + 1];
      if (next && FIELD_LIST.test(next) && (next.includes(',') || KNOWN_FIELDS.has(next))) {
        list = next;
        argv.splice(i + 1, 1);
      }
    }
    if (list !== undefined) return list.split(',');
  }
  return undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The document with each list item cut down to `fields` (in the order given). Pure. */
export function projectJson(doc: unknown, fields: readonly string[]): unknown {
  if (!isRecord(doc)) return doc;
  const available = new Set<string>();
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(doc)) {
    if (Array.isArray(v) && v.every(isRecord)) {
      for (const item of v) for (const key of Object.keys(item)) available.add(key);
      out[k] = v.map((item) => Object.fromEntries(fields.filter((f) => f in item).map((f) => [f, item[f]])));
    } else if (!isRecord(v)) out[k] = v;
  }
  const unknown = fields.filter((f) => !available.has(f));
  // An empty list has no items to learn fields from: nothing to check, nothing to cut.
  if (available.size && unknown.length) {
    throw new UsageError(`unknown JSON field${unknown.length > 1 ? 's' : ''}: ${unknown.join(', ')}`, `Available fields: ${[...available].join(', ')}`);
  }
  return out;
}
