import { LineCounter, parseDocument } from 'yaml';
import { Problem, SpecError } from '../core/errors';
import { deepFreeze } from '../core/freeze';
import { OffSwitch } from '../core/off-switch';
import { credentialProblems } from './credentials';
import { fastYaml } from './fast-yaml';
import { problemsFromZod } from './issues';
import { QuickDevice, quickDevices, readsAs } from './quick-devices';
import { StackInput, stackSchema, StackSpec } from './stack';

/** Limits on stack.yaml, checked before anything big is built from it. */
export const INPUT_LIMITS = {
  /** Largest stack.yaml accepted, in bytes (a 10,000-device fleet is about 1.5 MB). */
  maxBytes: 16 * 1024 * 1024,
  /** Most alias expansions (`*ref`) in one document; guards against "billion laughs" alias bombs. */
  maxAliasCount: 1000,
  /** Deepest nesting of mappings and lists; the contract needs under 10. */
  maxDepth: 64,
} as const;

/**
 * From this size on, stack.yaml is first read with the quick reader (lib/spec/fast-yaml.ts: the same data, in a
 * fraction of the time and memory); smaller files, and any file with a problem, are read by the reference
 * reader, which keeps every value's line for the messages.
 */
export const FAST_YAML_MIN_BYTES = 256 * 1024;

/** Options of parseStackYaml. */
export interface ParseOptions {
  /** File name used in locations of problems. @default stack.yaml */
  readonly fileName?: string;
}

/**
 * Parses stack.yaml text: YAML (duplicate keys rejected, size and aliases bounded), then the stack schema.
 * Throws a SpecError naming every problem with its field path and, where known, its line. A file of
 * FAST_YAML_MIN_BYTES or more is first read with the quick reader; the result is the same.
 */
export function parseStackYaml(text: string, options: ParseOptions = {}): StackSpec {
  return parseStackText(text, options).spec;
}

/**
 * The checks parseStackYaml makes of the text before it reads it as YAML (its size, its encoding, how deep its flow
 * brackets nest); throws their SpecError. Its size in bytes. Not public API (lib/spec/stack-reader.ts).
 */
export function checkStackText(text: string, fileName: string): number {
  const bytes = Buffer.byteLength(text, 'utf8');
  if (bytes > INPUT_LIMITS.maxBytes) {
    throw new SpecError([
      { path: fileName, message: `is ${bytes} bytes, over the limit of ${INPUT_LIMITS.maxBytes}: split the stack or generate it as TypeScript props` },
    ]);
  }
  const encoding = utf16(text);
  if (encoding) throw new SpecError([{ path: fileName, message: `is ${encoding}: save it as UTF-8` }]);
  if (flowDepth(text) > INPUT_LIMITS.maxDepth) throw tooDeep(fileName);
  return bytes;
}

function tooDeep(fileName: string): SpecError {
  return new SpecError([{ path: fileName, message: `nests mappings or lists more than ${INPUT_LIMITS.maxDepth} levels deep: the stack contract needs far fewer; flatten it` }]);
}

/**
 * parseStackYaml, and the quick reader's data (`raw`, the YAML as plain data before the schema) when the stack was
 * read by it: lib/spec/stack-reader.ts keeps it to read the next version of the file by its edits. Not public API.
 */
export function parseStackText(text: string, options: ParseOptions = {}): { readonly spec: StackSpec; readonly raw?: unknown } {
  const fileName = options.fileName ?? 'stack.yaml';
  const bytes = checkStackText(text, fileName);
  // A large stack is read quickly when it can be (fastYaml gives the same data, or nothing); problems are
  // reported from the reference reader below, which knows their lines.
  const fast = bytes >= FAST_YAML_MIN_BYTES ? fastYaml(text) : undefined;
  if (fast !== undefined && depthOf(fast.value) <= INPUT_LIMITS.maxDepth) {
    try {
      return { spec: parseStack(fast.value), raw: fast.value };
    } catch (e) {
      if (!(e instanceof SpecError)) throw e;
    }
  }
  const lineCounter = new LineCounter();
  let doc: ReturnType<typeof parseDocument>;
  try {
    doc = parseDocument(text, { uniqueKeys: true, lineCounter, prettyErrors: true, strict: true });
  } catch (e) {
    if (e instanceof RangeError) throw tooDeep(fileName);
    throw e;
  }
  if (doc.errors.some((e) => /Maximum call stack/.test(e.message))) throw tooDeep(fileName);
  if (doc.errors.length > 0) {
    throw new SpecError(
      doc.errors.map((e) => {
        const pos = e.linePos?.[0];
        return { path: pos ? `${fileName}:${pos.line}:${pos.col}` : fileName, message: yamlMessage(e.code, e.message, text.slice(e.pos[0], e.pos[0] + 300)) };
      }),
    );
  }
  let input: unknown;
  try {
    input = doc.toJS({ maxAliasCount: INPUT_LIMITS.maxAliasCount });
  } catch (e) {
    if (e instanceof RangeError) throw tooDeep(fileName);
    throw new SpecError([{ path: fileName, message: `${(e as Error).message}: expand the aliases or write the values out` }]);
  }
  if (depthOf(input) > INPUT_LIMITS.maxDepth) throw tooDeep(fileName);
  if (input === null || input === undefined) throw new SpecError([{ path: fileName, message: 'is empty (or only comments): a stack needs at least name and clusters; `edgewatt schema` prints the whole contract' }]);
  return { spec: parseStack(input, (path, atKey) => locationIn(doc, lineCounter, fileName, path, atKey)) };
}

/**
 * The encoding of text that is UTF-16 or UTF-32 read as UTF-8: a byte-order mark, or NUL bytes between
 * ASCII characters. Undefined for UTF-8.
 */
export function utf16(text: string): string | undefined {
  const head = text.slice(0, 4);
  if (head.startsWith('\u00ff\u00fe\u0000\u0000') || head.startsWith('\u0000\u0000\u00fe\u00ff')) return 'UTF-32 encoded';
  // Read as UTF-8, a UTF-16 byte-order mark (FF FE or FE FF) becomes two replacement characters.
  if (head.startsWith('\ufffd\ufffd') || head.startsWith('\u00ff\u00fe') || head.startsWith('\u00fe\u00ff')) return 'UTF-16 encoded (it starts with a UTF-16 byte-order mark)';
  const sample = text.slice(0, 200);
  if (/^([\x20-\x7e\n\r\t]\u0000){2}/.test(sample)) return 'UTF-16 little-endian encoded (NUL bytes after each character)';
  if (/^(\u0000[\x20-\x7e\n\r\t]){2}/.test(sample)) return 'UTF-16 big-endian encoded (NUL bytes before each character)';
  return undefined;
}

/** Deepest run of unclosed flow brackets (`[[[[...`), which the YAML parser would recurse into. */
function flowDepth(text: string): number {
  let depth = 0;
  let max = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 91 || c === 123) max = Math.max(max, ++depth);
    else if ((c === 93 || c === 125) && depth > 0) depth--;
  }
  return max;
}

/** Nesting depth of plain data (an object or list is 1 deeper than what it holds), measured without recursion. */
export function depthOf(root: unknown): number {
  let max = 0;
  const stack: Array<[unknown, number]> = [[root, 0]];
  while (stack.length > 0) {
    const [v, d] = stack.pop() as [unknown, number];
    if (v === null || typeof v !== 'object') continue;
    max = Math.max(max, d + 1);
    if (max > INPUT_LIMITS.maxDepth) return max;
    for (const x of Object.values(v as object)) stack.push([x, d + 1]);
  }
  return max;
}

/** A YAML reader's error as a problem message; `at`: the text from the error's position (a duplicate key's name). */
function yamlMessage(code: string, message: string, at = ''): string {
  const first = message.split('\n')[0].replace(/ at line \d+, column \d+:?$/, '');
  if (code === 'DUPLICATE_KEY') {
    const key = /^("(?:[^"\\\n]|\\.)*"|'(?:[^'\n]|'')*'|[^\s:#][^:\n#]*?)\s*:/.exec(at)?.[1];
    return `${first}${key !== undefined ? ` (${key} is given twice)` : ''}: each key may appear once in a mapping`;
  }
  if (code === 'MULTIPLE_DOCS') return 'holds more than one YAML document (a --- line after the first): a stack is one document; remove the --- or split the file';
  return first;
}

/** `<file>:<line>:<col>` of the field at `path`, or of its nearest enclosing node the document holds. */
function locationIn(doc: ReturnType<typeof parseDocument>, lineCounter: LineCounter, fileName: string, path: ReadonlyArray<PropertyKey>, atKey = false): string | undefined {
  const node = (atKey ? keyOffset(doc, path) : undefined) ?? nearestNode(doc, path);
  if (node === undefined) return undefined;
  const pos = lineCounter.linePos(node);
  return `${fileName}:${pos.line}:${pos.col}`;
}

/** Where the key of the last step of `path` is written, when that step is a key of a mapping in the document. */
function keyOffset(doc: ReturnType<typeof parseDocument>, path: ReadonlyArray<PropertyKey>): number | undefined {
  const last = path[path.length - 1];
  if (typeof last !== 'string') return undefined;
  const parent = (path.length === 1 ? doc.contents : doc.getIn(path.slice(0, -1) as Array<string | number>, true)) as { items?: Array<{ key?: { value?: unknown; range?: [number, number, number] } }> } | undefined;
  const pair = parent && Array.isArray(parent.items) ? parent.items.find((p) => p && typeof p === 'object' && p.key?.value === last) : undefined;
  return pair?.key?.range?.[0];
}

function nearestNode(doc: ReturnType<typeof parseDocument>, path: ReadonlyArray<PropertyKey>): number | undefined {
  for (let n = path.length; n >= 0; n--) {
    const node = (n === 0 ? doc.contents : doc.getIn(path.slice(0, n) as Array<string | number>, true)) as
      | { range?: [number, number, number] }
      | undefined;
    if (node && typeof node === 'object' && node.range) return node.range[0];
  }
  return undefined;
}

/** The top-level keys of a stack: a problem path that starts with one of them names a field of the stack file. */
const STACK_KEYS = new Set(Object.keys(stackSchema.shape));

/** `a.b[0].c` as keys and indices, or undefined when it is not a path of the stack (a file, a gate's finding). */
function stackPath(p: string): Array<string | number> | undefined {
  const m = /^([A-Za-z$][A-Za-z0-9$]*)((?:\.[A-Za-z0-9$_-]+|\[\d+\])*)/.exec(p);
  if (!m || !STACK_KEYS.has(m[1])) return undefined;
  return [m[1], ...[...m[2].matchAll(/\.([A-Za-z0-9$_-]+)|\[(\d+)\]/g)].map((x) => (x[2] !== undefined ? Number(x[2]) : x[1]))];
}

/**
 * `problems` with the line and column of their field in `text` (a stack.yaml) where they have none yet: the
 * cross-reference problems, which resolve finds on the parsed stack. A path the file does not hold (a missing key)
 * gets the line of its nearest enclosing key. Texts of FAST_YAML_MIN_BYTES or more are left as they are: the
 * reference reader that knows lines would take seconds and hundreds of MB on a large fleet's file.
 */
export function locateProblems(text: string, fileName: string, problems: ReadonlyArray<Problem>): Problem[] {
  if (!problems.some((p) => p.location === undefined && stackPath(p.path)) || Buffer.byteLength(text, 'utf8') >= FAST_YAML_MIN_BYTES) return [...problems];
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter });
  if (doc.errors.length > 0) return [...problems];
  return problems.map((p) => {
    const at = p.location === undefined ? stackPath(p.path) : undefined;
    const location = at && locationIn(doc, lineCounter, fileName, at);
    return location ? { ...p, location } : p;
  });
}

/** The stacks sealParsed sealed: parsed, frozen all the way down. */
const sealed = new WeakSet<object>();

/**
 * A parsed stack frozen all the way down, which parseStack then returns as it is instead of checking it again:
 * it passed the schema and cannot have changed since. Only for what parseStack or parseStackYaml returned (a
 * parse shares no object with another, the schema's object defaults being factories, but for the frozen devices a
 * StackReader takes from the stack it read before, lib/spec/stack-reader.ts); for a stack read from a
 * file and synthesized at once (the CLI's loadStackFile), where the schema's second pass took ~0.2 s at 100,000
 * devices. Not public API.
 */
export function sealParsed(spec: StackSpec): StackSpec {
  sealed.add(deepFreeze(spec));
  return spec;
}

/**
 * Validates a stack given as plain data (parsed YAML or TypeScript props) and applies defaults.
 * `locate` may map a field path to a source location shown before the path. A stack sealed by sealParsed is
 * returned as it is.
 */
export function parseStack(input: unknown, locate?: (path: ReadonlyArray<PropertyKey>, atKey?: boolean) => string | undefined): StackSpec {
  if (typeof input === 'object' && input !== null && sealed.has(input)) return input as StackSpec;
  return parseWith(input, locate);
}

/**
 * parseStack of data that differs from an earlier parse's only in some of its fleet's devices (lib/spec/
 * stack-reader.ts): `known(i)` is what that parse gave for device i when it is the same object as there (never
 * changed since), else undefined. Those devices are neither read again nor searched for credentials (that parse,
 * which succeeded, found none). Not public API.
 */
export function parseStackKnowing(input: unknown, known: (i: number) => QuickDevice | undefined): StackSpec {
  return parseWith(input, undefined, known);
}

/** The devices the last parseStackRecalling gave (frozen), by index; none before the first or after a failed one. */
let recalled: ReadonlyArray<QuickDevice> | undefined;

const recalling = new OffSwitch();

/** Runs `f` with parseStackRecalling reading every device (a reference synth: lib/synth/chart-reuse.ts withoutChartReuse). */
export function withoutRecall<T>(f: () => T): T {
  return recalling.off(f);
}

/** Forgets the devices parseStackRecalling keeps: the next one reads every device, and their memory can go. */
export function forgetRecalledDevices(): void {
  recalled = undefined;
}

/**
 * parseStack for a synth (lib/synth/synthesize.ts), which a long-lived process may run again and again on the same
 * stack, changed a little or not at all: each device that reads as the one at its index did in the last such parse
 * (readsAs: the same fields, values and labels in order) is that parse's device object again, neither read nor
 * searched for credentials again (that parse, which succeeded, found none in it); the others are read as parseStack
 * reads them. At 100,000 devices the parse then keeps what it made before instead of ~30 MB of new devices that live
 * until the next synth (session 45, docs/performance-history.md). The devices it gives are frozen, as they may be
 * given again. A stack sealed by sealParsed is returned as it is.
 */
export function parseStackRecalling(input: unknown): StackSpec {
  if (typeof input === 'object' && input !== null && sealed.has(input)) return input as StackSpec;
  if (!recalling.on) return parseWith(input);
  const before = recalled;
  recalled = undefined;
  const spec = parseWith(input, undefined, before && recallFrom(before));
  const devices = spec.fleet?.devices as ReadonlyArray<QuickDevice> | undefined;
  if (devices !== undefined) {
    for (const d of devices) deepFreeze(d); // a device given again is frozen already, and not walked
    recalled = devices;
  }
  return spec;
}

/**
 * `known` for parseWith from the devices of the last recalling parse: device i when the one given reads as it. Each
 * device's verdict is reached once (quickDevices asks first, with the device; the credential search asks again).
 */
function recallFrom(before: ReadonlyArray<QuickDevice>): (i: number, given?: unknown) => QuickDevice | undefined {
  const verdicts = new Uint8Array(before.length); // 0 not asked yet, 1 recalled, 2 not
  return (i, given) => {
    if (i >= before.length) return undefined;
    if (verdicts[i] === 0 && given !== undefined) verdicts[i] = readsAs(given, before[i]) ? 1 : 2;
    return verdicts[i] === 1 ? before[i] : undefined;
  };
}

/** Whether a credential search path lies in a device `known` gives (fleet.devices[i]). */
const inKnownDevice =
  (known: (i: number) => QuickDevice | undefined) =>
  (path: ReadonlyArray<string | number>): boolean =>
    path.length === 3 && path[0] === 'fleet' && path[1] === 'devices' && typeof path[2] === 'number' && known(path[2]) !== undefined;

function parseWith(input: unknown, locate?: (path: ReadonlyArray<PropertyKey>, atKey?: boolean) => string | undefined, known?: (i: number, given?: unknown) => QuickDevice | undefined): StackSpec {
  // The fleet's devices, read by the quick reader when it can (lib/spec/quick-devices.ts): the schema then reads the
  // stack without them, and its devices are the quick reader's (the same values, sooner).
  const devices = quickDevices(input, known);
  const result = stackSchema.safeParse(devices === undefined ? input : withoutDevices(input as Record<string, Record<string, unknown>>));
  const credentials = credentialProblems(input, locate, known && inKnownDevice(known));
  if (result.success && credentials.length === 0) {
    if (devices !== undefined) (result.data.fleet as { devices: QuickDevice[] }).devices = devices;
    return result.data;
  }
  const problems: Problem[] = result.success
    ? []
    : result.error.issues.flatMap((issue) => {
        const found = problemsFromZod(stackSchema, [issue], input);
        // An unknown key is shown where it is written (one problem per key, in order), not at its mapping.
        const keys = issue.code === 'unrecognized_keys' && issue.keys.length === found.length ? issue.keys : undefined;
        const at = (i: number): string | undefined => (keys ? locate?.([...(issue.path as PropertyKey[]), keys[i]], true) : locate?.(issue.path as PropertyKey[]));
        return found.map((p, i) => {
          const where = at(i);
          return where ? { ...p, location: where } : p;
        });
      });
  throw new SpecError([...problems, ...credentials]);
}

/** A stack with its fleet's devices left out (quickDevices read them). */
function withoutDevices(input: Record<string, Record<string, unknown>>): Record<string, unknown> {
  return { ...input, fleet: { ...input.fleet, devices: [] } };
}

/** Type-checks TypeScript props against the contract; a no-op at run time. */
export function defineStack(props: StackInput): StackInput {
  return props;
}
