import { parse } from 'yaml';

/**
 * How many characters of YAML text the parsed-data memo keeps, oldest dropped first: ten times every data text of
 * the 100,000-device bench stack (~0.8 M characters); the documents take several times that in memory, held for
 * the life of the process.
 */
const MEMO_CHARS = 8 * 1024 * 1024;
const memo = new Map<string, unknown>();
let memoChars = 0;

/** A parsed document made read-only, so one shared by several checks (and synths) cannot be changed by one. */
function freeze<T>(v: T): T {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const x of Object.values(v)) freeze(x);
  }
  return v;
}

/**
 * A YAML data value of an object, parsed (frozen) once per text for every check that reads it: the scrape check,
 * the configured-URL check, the PromQL and template checks read the same prometheus.yml and rule files of every
 * cluster. The memo is by text, not by object, so a synth that rebuilds its objects (an incremental synth in the
 * same process, a library user's watch loop) parses only the texts that changed; it holds at most MEMO_CHARS
 * characters of text (8 Mi). Null when the text is not YAML.
 */
export function parsedData(text: string): unknown {
  if (memo.has(text)) return memo.get(text);
  let doc: unknown;
  try {
    doc = freeze(parse(text) ?? null);
  } catch {
    doc = null;
  }
  memo.set(text, doc);
  memoChars += text.length;
  for (const [t] of memo) {
    if (memoChars <= MEMO_CHARS) break;
    memo.delete(t);
    memoChars -= t.length;
  }
  return doc;
}
