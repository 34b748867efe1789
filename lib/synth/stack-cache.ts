import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { packageVersions, sourceDigest } from '../core/code-digest';
import { digestHex } from '../core/hash';
import { jsonExact } from '../core/object-digest';
import { utf8Text } from '../core/utf8-text';
import { StackReader, StackReaderState } from '../spec/stack-reader';
import { writeCacheLines } from '../validate/cache-files';

/**
 * The stack reader's state (lib/spec/stack-reader.ts: the last stack.yaml text the quick reader read, its data
 * before the schema, where its lists are) kept on disk beside the other caches (`.edgewatt.cache/<out>/stack.json`),
 * so that `edgewatt synth` — a process of its own — reads a stack.yaml that changed in a few items of a list by those
 * items, as `synth --watch` does: at 100,000 devices, the data read back (~9 MB of JSON, ~0.07 s) instead of the
 * whole text read as YAML (~0.55 s, and its garbage).
 *
 * The file is a header line (its format, the key, the sha256 of the rest and the byte lengths of its parts), then
 * the text, the data as JSON and the lists' places as JSON, each on its own line. It is read only under the same key
 * (every source file of lib/ as loaded, the versions of js-yaml and yaml, which the quick reader reads with, and
 * Node's) and only when the rest has its digest and holds together (StackReader.restore); a missing, other-key,
 * damaged or unreadable file means the text is read whole. The data is kept only when JSON gives it back exactly
 * (jsonExact: no -0; the schema refuses NaN and infinities), so what is read back is what the quick reader read. As with the other caches,
 * the folder is trusted not to be forged on purpose. Not public API.
 */

/** Bump when what is stored changes meaning without a change to any source file. */
const FORMAT = 1;

/** The file in a cache folder. */
export const STACK_CACHE_FILE = 'stack.json';

/**
 * The key of the code that reads stack.yaml (null when lib/'s sources cannot be read: no file is used), taken when this
 * module loads, as lib/synth/chart-cache.ts takes its own: files replaced under a running process (a build, an install)
 * do not make its states pass for theirs.
 */
function codeKey(): string | null {
  try {
    return createHash('sha256')
      .update(`format ${FORMAT}\0lib ${sourceDigest(path.resolve(__dirname, '..'))}\0deps ${packageVersions(['js-yaml', 'yaml'], __dirname)}\0node ${process.versions.node}`)
      .digest('hex');
  } catch {
    return null;
  }
}
const CODE_KEY = codeKey();

interface Header {
  readonly format: number;
  readonly key: string;
  /** sha256 (hex) of everything after the header line. */
  readonly sha256: string;
  /** Bytes of the text, and of the data's JSON. */
  readonly text: number;
  readonly raw: number;
}

const stats = { restored: 0, saved: 0, spliced: 0 };

/**
 * How many readers this process started from a kept state, how many states it wrote, and how many reads by edits the
 * readers it saved made (for tests).
 */
export function stackCacheStats(): { readonly restored: number; readonly saved: number; readonly spliced: number } {
  return { ...stats };
}

/**
 * The text each reader was given from disk or last wrote there (a text is read deterministically: the same text, the
 * same data), so that the state of that text is not written again; and how many of its reads by edits were counted.
 */
const onDisk = new WeakMap<StackReader, string>();
const counted = new WeakMap<StackReader, number>();

/**
 * A stack reader that starts from the state kept in cache folder `dir`, or an empty one (no file, another key, a
 * damaged file).
 */
export function openStackReader(dir: string): StackReader {
  const state = readState(path.join(dir, STACK_CACHE_FILE));
  const reader = state === undefined ? undefined : StackReader.restore(state);
  if (reader === undefined) return new StackReader();
  onDisk.set(reader, (state as StackReaderState).text);
  stats.restored++;
  return reader;
}

/** Removes the state kept in cache folder `dir` (after a bug met reading from it, so that the next synth reads whole). */
export function dropStackReader(dir: string): void {
  fs.rmSync(path.join(dir, STACK_CACHE_FILE), { force: true });
}

function readState(file: string): StackReaderState | undefined {
  const code = CODE_KEY;
  if (code === null) return undefined;
  try {
    if (!fs.statSync(file).isFile()) return undefined;
    const bytes = fs.readFileSync(file);
    const nl = bytes.indexOf(10);
    if (nl < 0) return undefined;
    const header = JSON.parse(bytes.toString('utf8', 0, nl)) as Partial<Header>;
    if (header.format !== FORMAT || header.key !== code || typeof header.text !== 'number' || typeof header.raw !== 'number') return undefined;
    const body = bytes.subarray(nl + 1);
    if (digestHex('sha256', body) !== header.sha256) return undefined;
    const rawFrom = header.text + 1;
    const layoutsFrom = rawFrom + header.raw + 1;
    if (body[header.text] !== 10 || body[layoutsFrom - 1] !== 10 || body[body.length - 1] !== 10) return undefined;
    return {
      exact: true,
      text: utf8Text(body, 0, header.text),
      raw: JSON.parse(utf8Text(body, rawFrom, layoutsFrom - 1)) as Record<string, unknown>,
      layouts: JSON.parse(utf8Text(body, layoutsFrom, body.length - 1)) as StackReaderState['layouts'],
    };
  } catch {
    return undefined;
  }
}

/**
 * Keeps what `reader` holds in cache folder `dir` (a temporary file renamed over the file), unless it is what the
 * folder already holds or cannot be kept (nothing read by the quick reader, data JSON does not give back exactly).
 * Any failure leaves the cache as it was (it is only a shortcut). Returns whether it wrote.
 */
export function saveStackReader(dir: string, reader: StackReader): boolean {
  const state = reader.state();
  stats.spliced += reader.counts.spliced - (counted.get(reader) ?? 0);
  counted.set(reader, reader.counts.spliced);
  const code = CODE_KEY;
  if (state === undefined || code === null || onDisk.get(reader) === state.text) return false;
  try {
    if (!(state.exact === true || jsonExact(state.raw))) return false;
    // Encoded once, then hashed and written as bytes.
    const text = Buffer.from(state.text, 'utf8');
    const raw = Buffer.from(JSON.stringify(state.raw), 'utf8');
    const layouts = Buffer.from(JSON.stringify(state.layouts.map(({ keys, indent, head, starts, end }) => ({ keys, indent, head, starts, end }))), 'utf8');
    const nl = Buffer.from('\n');
    const sha256 = createHash('sha256').update(text).update(nl).update(raw).update(nl).update(layouts).update(nl).digest('hex');
    const header: Header = { format: FORMAT, key: code, sha256, text: text.length, raw: raw.length };
    writeCacheLines(path.join(dir, STACK_CACHE_FILE), [JSON.stringify(header), text, raw, layouts]);
  } catch {
    return false;
  }
  onDisk.set(reader, state.text);
  stats.saved++;
  return true;
}
