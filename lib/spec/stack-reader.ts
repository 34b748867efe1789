import { SpecError } from '../core/errors';
import { jsonExact } from '../core/object-digest';
import { fastYaml, REFERENCE_ONLY } from './fast-yaml';
import { checkStackText, depthOf, FAST_YAML_MIN_BYTES, INPUT_LIMITS, parseStackKnowing, parseStackText, sealParsed } from './parse';
import { QuickDevice } from './quick-devices';
import { StackSpec } from './stack';

/**
 * The lists of a stack an edit is read in alone: each a path of mapping keys from the top of stack.yaml to a block
 * list (`- ` items). A 100,000-device stack.yaml is 10.7 MB, almost all of it these lists.
 */
export const SPLICED_LISTS: ReadonlyArray<readonly string[]> = [['fleet', 'devices'], ['fleet', 'deviceSets'], ['fleet', 'workloads'], ['iomt', 'pipelines'], ['clusters']];

/** Where one of SPLICED_LISTS is written in a text: the indentation of its `- `, where each item starts, where it ends. */
export interface Layout {
  readonly keys: readonly string[];
  readonly indent: number;
  /** Offset of the line after the list's key (blank and comment lines before its first item, if any, start there). */
  readonly head: number;
  /** Offsets of each item's first line (its `- `); as many as the list has items. */
  readonly starts: readonly number[];
  /** Offset of the first line after the list (the text's length when the list ends the text). */
  readonly end: number;
}

/**
 * What a reader keeps of the last text the quick reader read (whole or by its edits), as plain data: the text, its
 * data before the schema, where its lists are. lib/synth/stack-cache.ts keeps it on disk, so that `edgewatt synth`, a
 * process of its own, reads the next version of the file by its edits too. Not public API.
 */
export interface StackReaderState {
  readonly text: string;
  readonly raw: Record<string, unknown>;
  readonly layouts: readonly Layout[];
  /** True when `raw` is known to be exactly JSON (lib/core/object-digest.ts jsonExact); else not known. */
  readonly exact?: boolean;
}

/** What the last read kept: the state, and the stack read when this process read it. */
interface Last extends StackReaderState {
  /**
   * The stack read (sealed); its fleet.devices[i] is what raw's fleet.devices[i] gave. Undefined for a state read back
   * from disk (restore): its devices are then all read again by the schema.
   */
  readonly spec?: StackSpec;
}

/**
 * Reads one stack file again and again, as `edgewatt synth --watch` does at each save: what it returns is what
 * parseStackYaml returns for the same text (the same stack, or the same SpecError), sooner after a small edit.
 *
 * A text read whole by the quick reader (lib/spec/fast-yaml.ts: files of FAST_YAML_MIN_BYTES or more) is kept, with
 * its data before the schema and where each of SPLICED_LISTS is written. The next text is compared with it (the
 * common start and end); when everything that differs lies in items of one of those lists, only the new text of
 * those items is read (fastYaml, on whole lines from an item's `- ` to the next item's), and spliced into a copy of the
 * last data (the lists and mappings on the way copied, the rest shared); the schema then reads that data
 * (parseStackKnowing: the devices that are the same objects as last time are not read again). The 100,000-device
 * stack.yaml takes ~0.65 s to read whole (js-yaml ~0.45 s of it), and a save with one device changed 41–83 ms this
 * way (README, Performance).
 *
 * It reads the whole text as parseStackYaml does when anything else differs, when the new items are not only whole
 * items of that list (a line less indented than its `- `, a `---`), when the checks of the whole text fail
 * (checkStackText, and any of REFERENCE_ONLY: the reference reader would read it) or the items' text does not read
 * alone as a list of that many items, and whenever the spliced data fails the schema (so problems come with their
 * lines as parseStackYaml gives them). An item read alone is read as in its place: its lines are all indented deeper
 * than its `- ` (or are blank, or comments), the list's `- ` lines are the only lines at its indentation, the lines
 * before and after it are as they were, and a flow collection or quoted text over several lines (which could cross
 * an item's end) sends any text to the reference reader. test/spec/stack-reader.test.ts compares the two on
 * generated edits.
 */
export class StackReader {
  private last: Last | undefined;
  /** How many reads read the whole text, and how many only the edited items. */
  readonly counts = { whole: 0, spliced: 0 };

  /**
   * A reader that starts from `state` (what state() gave, in this process or one before it: lib/synth/stack-cache.ts)
   * as if it had read that text; undefined when the state does not hold together (its lists' places are not within
   * its text, or not as many as its data's items), so a damaged state is not used.
   */
  static restore(state: StackReaderState): StackReader | undefined {
    if (typeof state.text !== 'string' || !plain(state.raw) || !Array.isArray(state.layouts) || !state.layouts.every((l) => fits(l, state.text, state.raw))) return undefined;
    const reader = new StackReader();
    reader.last = { text: state.text, raw: state.raw, layouts: state.layouts, ...(state.exact === true ? { exact: true } : {}) };
    return reader;
  }

  /** What this reader keeps (the same object until a read keeps another), or undefined when it keeps nothing. */
  state(): StackReaderState | undefined {
    return this.last;
  }

  /**
   * The stack in `text`: what parseStackYaml(text, { fileName }) gives, sealed (lib/spec/parse.ts sealParsed: frozen
   * all the way down), or its SpecError. The devices that did not change are the last stack's own (frozen) objects,
   * and a text the same as the last one gives the last stack itself. A text that fails leaves what was kept as it
   * was: the next text (the fix) is compared with the last one read.
   */
  read(text: string, fileName = 'stack.yaml'): StackSpec {
    const last = this.last;
    if (last !== undefined) {
      const spliced = text === last.text ? same(last) : splice(last, text, fileName);
      if (spliced !== undefined) {
        this.last = spliced.last;
        this.counts.spliced++;
        return spliced.spec;
      }
    }
    this.counts.whole++;
    const { spec, raw } = parseStackText(text, { fileName });
    sealParsed(spec);
    this.last = raw !== undefined && plain(raw) ? { text, raw, layouts: layoutsOf(text, raw), spec } : undefined;
    return spec;
  }

  /** Forgets the last text (the next read reads the whole text). */
  forget(): void {
    this.last = undefined;
  }
}

function plain(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function devicesOf(spec: StackSpec | undefined): readonly QuickDevice[] {
  return (spec as { fleet?: { devices?: readonly QuickDevice[] } } | undefined)?.fleet?.devices ?? [];
}

/**
 * Whether `l` is a place of one of SPLICED_LISTS within `text` as layoutOf finds one: its offsets in order within the
 * text, as many items as `raw` has at its keys, each item's line starting with `- ` at its indentation.
 */
function fits(l: Layout, text: string, raw: Record<string, unknown>): boolean {
  if (typeof l !== 'object' || l === null || !Array.isArray(l.keys) || !Array.isArray(l.starts)) return false;
  if (!SPLICED_LISTS.some((keys) => keys.length === l.keys.length && keys.every((k, i) => l.keys[i] === k))) return false;
  const offset = (x: unknown): x is number => Number.isSafeInteger(x) && (x as number) >= 0 && (x as number) <= text.length;
  if (!offset(l.indent) || !offset(l.head) || !offset(l.end) || l.starts.length === 0 || l.head > l.starts[0]) return false;
  for (let k = 0; k < l.starts.length; k++) {
    const at = l.starts[k];
    if (!offset(at) || at >= l.end || (k > 0 && at <= l.starts[k - 1]) || (at > 0 && text.charCodeAt(at - 1) !== 10) || !isItem(text, at, l.indent)) return false;
  }
  let v: unknown = raw;
  for (const k of l.keys) v = plain(v) && Object.prototype.hasOwnProperty.call(v, k) ? v[k] : undefined;
  return Array.isArray(v) && v.length === l.starts.length;
}

/** The stack of the text last read, read again: the kept stack, or (a state read back from disk) its data through the schema. */
function same(last: Last): { spec: StackSpec; last: Last } | undefined {
  if (last.spec !== undefined) return { spec: last.spec, last };
  try {
    const spec = sealParsed(parseStackKnowing(last.raw, () => undefined));
    return { spec, last: { ...last, spec } };
  } catch (e) {
    if (e instanceof SpecError) return undefined;
    throw e;
  }
}

/** The new stack and what to keep, or undefined when `text` must be read whole. */
function splice(last: Last, text: string, fileName: string): { spec: StackSpec; last: Last } | undefined {
  const old = last.text;
  // The same errors as parseStackYaml's, first (what it checks before it reads).
  if (checkStackText(text, fileName) < FAST_YAML_MIN_BYTES) return undefined;
  // What differs starts on the line of the first character that does (so an insertion before a list's end is in it).
  const q = commonPrefix(old, text);
  const p = q === 0 ? 0 : old.lastIndexOf('\n', q - 1) + 1;
  const s = commonSuffix(old, text, Math.min(old.length, text.length) - p);
  // What differs: [p, e) of the old text, [p, text.length - s) of the new one.
  const e = old.length - s;
  const delta = text.length - old.length;
  const at = last.layouts.findIndex((l) => l.starts.length > 0 && l.head <= p && e <= l.end);
  if (at < 0) return undefined;
  const layout = last.layouts[at];
  const { starts, indent } = layout;
  // The item holding the first line that differs; the one before it when that line starts an item and is no item's
  // now (a line inserted between two items, a comment, ends the first one).
  let i = p < starts[0] ? 0 : lastAtOrBefore(starts, p);
  if (p === starts[i] && i > 0 && !isItem(text, p, indent)) i--;
  let j = i;
  while (j + 1 < starts.length && starts[j + 1] < e) j++;
  // The first item is read from the line after the list's key, with the blank and comment lines before it.
  const start = (k: number): number => (k === 0 ? layout.head : starts[k]);
  // Whole items removed: the item after them (or before) is read again, so that something is read.
  if ((j + 1 < starts.length ? starts[j + 1] : layout.end) + delta <= starts[i]) {
    if (j + 1 < starts.length) j++;
    else if (i > 0) i--;
  }
  const from = start(i);
  const oldTo = j + 1 < starts.length ? starts[j + 1] : layout.end;
  const to = oldTo + delta;
  const items = itemStarts(text, from, to, indent, i === 0);
  if (items === undefined || REFERENCE_ONLY.some(([, re]) => re.test(around(text, from, to)))) return undefined;
  const read = fastYaml(text.slice(from, to));
  if (read === undefined || !Array.isArray(read.value) || read.value.length !== items.length) return undefined;
  if (layout.keys.length + depthOf(read.value) > INPUT_LIMITS.maxDepth) return undefined;
  const added = read.value as unknown[];
  const raw = withList(last.raw, layout.keys, (list) => [...list.slice(0, i), ...added, ...list.slice(j + 1)]);
  if (raw === undefined) return undefined;
  // The devices parsed last time, for the devices that are the same objects.
  const devices = layout.keys.join('.') === 'fleet.devices';
  const before = devicesOf(last.spec);
  const known = (k: number): QuickDevice | undefined =>
    !devices || k < i ? before[k] : k < i + added.length ? undefined : before[k - added.length + (j + 1 - i)];
  let spec: StackSpec;
  try {
    spec = sealParsed(parseStackKnowing(raw, known));
  } catch (e) {
    if (e instanceof SpecError) return undefined;
    throw e;
  }
  const layouts = last.layouts.map((l, k): Layout => {
    if (k === at) {
      return { ...l, starts: [...l.starts.slice(0, i), ...items, ...l.starts.slice(j + 1).map((x) => x + delta)], end: l.end + delta };
    }
    return l.head > p ? { ...l, head: l.head + delta, starts: l.starts.map((x) => x + delta), end: l.end + delta } : l;
  });
  // Exactly JSON when the data was and what was read is.
  return { spec, last: { text, raw, layouts, spec, ...(last.exact === true && jsonExact(added) ? { exact: true } : {}) } };
}

/**
 * What of `text` the checks of REFERENCE_ONLY must see when [from, to) is all that changed (whole lines): those lines,
 * the line before them, and the text after them up to the end of the line of its first character that is not
 * whitespace (`]` then `:` may be apart by line breaks). Each other match would have been in the text last read.
 */
function around(text: string, from: number, to: number): string {
  const before = from > 0 ? text.lastIndexOf('\n', from - 2) + 1 : 0;
  let after = to;
  while (after < text.length && /\s/.test(text[after])) after++;
  const nl = text.indexOf('\n', after);
  return text.slice(before, nl < 0 ? text.length : nl + 1);
}

/** Compared this many characters at a time (a slice of each and ===) before one by one. */
const CHUNK = 4096;

/** How many characters `a` and `b` start with in common. */
export function commonPrefix(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  let i = 0;
  while (i + CHUNK <= n && a.slice(i, i + CHUNK) === b.slice(i, i + CHUNK)) i += CHUNK;
  while (i < n && a.charCodeAt(i) === b.charCodeAt(i)) i++;
  return i;
}

/** How many characters (at most `max`) `a` and `b` end with in common. */
export function commonSuffix(a: string, b: string, max: number): number {
  let k = 0;
  while (k + CHUNK <= max && a.slice(a.length - k - CHUNK, a.length - k) === b.slice(b.length - k - CHUNK, b.length - k)) k += CHUNK;
  while (k < max && a.charCodeAt(a.length - 1 - k) === b.charCodeAt(b.length - 1 - k)) k++;
  return k;
}

/** The last index of sorted `xs` whose value is at most `x` (xs[0] <= x). */
function lastAtOrBefore(xs: readonly number[], x: number): number {
  let lo = 0;
  let hi = xs.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (xs[mid] <= x) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

/** `raw` with the list at `keys` replaced by `change(list)`, the mappings on the way copied; undefined if it is not a list there. */
function withList(raw: Record<string, unknown>, keys: readonly string[], change: (list: readonly unknown[]) => unknown[]): Record<string, unknown> | undefined {
  const [key, ...rest] = keys;
  if (!Object.prototype.hasOwnProperty.call(raw, key)) return undefined;
  const v = raw[key];
  let next: unknown;
  if (rest.length === 0) next = Array.isArray(v) ? change(v) : undefined;
  else next = plain(v) ? withList(v, rest, change) : undefined;
  return next === undefined ? undefined : { ...raw, [key]: next };
}

/**
 * Calls `visit` with each line of `text` from `from` to `to` (whole lines): the start of the line, its indentation, and
 * whether it holds anything but a comment; until `visit` returns false.
 */
function eachLine(text: string, from: number, to: number, visit: (start: number, indent: number, content: boolean) => boolean): void {
  for (let start = from; start < to; ) {
    let nl = text.indexOf('\n', start);
    if (nl < 0 || nl >= to) nl = to;
    let i = start;
    while (i < nl && text.charCodeAt(i) === 32) i++;
    const c = text.charCodeAt(i);
    // Blank (a \r before the \n counts as blank) or a comment.
    const content = i < nl && c !== 35 && !(c === 13 && i + 1 === nl);
    if (visit(start, i - start, content) === false) return;
    start = nl + 1;
  }
}

/** Whether the line at `start` (indented by `indent`) is an item of a block list at that indentation: `- ` (a `-` ending its line goes to the reference reader). */
function isItem(text: string, start: number, indent: number): boolean {
  return text.charCodeAt(start + indent) === 45 && text.charCodeAt(start + indent + 1) === 32;
}

/**
 * Where each item starts in [from, to) of `text`, a run of whole items of a list indented by `indent`: its first line
 * an item's (or, with `notesFirst`, its first line holding more than a comment), each line holding more than a comment
 * an item's or deeper; undefined otherwise (or when it does not end with a line break before `to`, unless `to` ends
 * the text).
 */
function itemStarts(text: string, from: number, to: number, indent: number, notesFirst = false): number[] | undefined {
  if (to > text.length || from >= to || (to < text.length && text.charCodeAt(to - 1) !== 10)) return undefined;
  if (from > 0 && text.charCodeAt(from - 1) !== 10) return undefined;
  const out: number[] = [];
  let ok = true;
  eachLine(text, from, to, (start, n, content) => {
    if (!content) return (ok = out.length > 0 || notesFirst);
    if (n > indent) return (ok = out.length > 0);
    if (n < indent || !isItem(text, start, indent)) return (ok = false);
    out.push(start);
    return true;
  });
  return ok && out.length > 0 ? out : undefined;
}

/** Where each of SPLICED_LISTS is written in `text`, whose data (the quick reader's) is `raw`; those not found left out. */
export function layoutsOf(text: string, raw: Record<string, unknown>): Layout[] {
  const out: Layout[] = [];
  for (const keys of SPLICED_LISTS) {
    const layout = layoutOf(text, keys);
    let v: unknown = raw;
    for (const k of keys) v = plain(v) && Object.prototype.hasOwnProperty.call(v, k) ? v[k] : undefined;
    // Found as many items as the data has: else the text is not laid out as this reader reads it.
    if (layout !== undefined && Array.isArray(v) && v.length === layout.starts.length) out.push(layout);
  }
  return out;
}

/**
 * Where the block list at `keys` is written in `text`: each key found as `key:` (nothing but a comment after it) on a
 * line at the indentation of its mapping's first line, among the lines after the key before it up to the first less
 * indented; the list then the next lines indented at least as deep as its key, whose first line is an item.
 */
function layoutOf(text: string, keys: readonly string[]): Layout | undefined {
  let from = 0;
  const to = text.length;
  let parent = -1;
  for (let k = 0; k < keys.length; k++) {
    const key = keys[k];
    let at: number | undefined;
    let indent = -1;
    let ok = true;
    eachLine(text, from, to, (start, n, content) => {
      if (!content) return true;
      if (indent < 0) {
        if (n <= parent) return (ok = false);
        // A document's `---` before its top mapping.
        if (parent < 0 && /^---[ ]*\r?$/.test(lineAt(text, start))) return true;
        indent = n;
      }
      if (n < indent) return false;
      if (n === indent && isKey(lineAt(text, start).slice(n), key)) {
        at = start;
        return false;
      }
      return true;
    });
    if (!ok || at === undefined) return undefined;
    const valueFrom = text.indexOf('\n', at) + 1;
    if (valueFrom === 0) return undefined;
    if (k < keys.length - 1) {
      // A mapping's key: the next key is looked for from here, among the lines indented deeper than this one up to
      // the first that is not (the search stops there).
      from = valueFrom;
      parent = indent;
      continue;
    }
    // The list: the lines after its key until one that holds content at the key's indentation or less (or, for a
    // list at the key's own indentation, one there that is not an item).
    let valueTo = to;
    let list = -1;
    eachLine(text, valueFrom, to, (start, n, content) => {
      if (!content) return true;
      if (list === -1) {
        list = n >= indent && isItem(text, start, n) ? n : -2;
        if (list >= 0) from = start;
        if (n > indent || list === n) return true;
      }
      if (n < indent || (n === indent && !(list === n && isItem(text, start, n)))) {
        valueTo = start;
        return false;
      }
      return true;
    });
    if (list < 0) return undefined;
    const starts = itemStarts(text, from, valueTo, list);
    return starts === undefined ? undefined : { keys, indent: list, head: valueFrom, starts, end: valueTo };
  }
  return undefined;
}

/** The line at `start`, without its line break. */
function lineAt(text: string, start: number): string {
  const nl = text.indexOf('\n', start);
  return text.slice(start, nl < 0 ? text.length : nl);
}

/** Whether `line` (from its first character) is `key:` with nothing after it but spaces and a comment. */
function isKey(line: string, key: string): boolean {
  return line.startsWith(`${key}:`) && /^(?:[ ]+(?:#.*)?)?\r?$/.test(line.slice(key.length + 1));
}
