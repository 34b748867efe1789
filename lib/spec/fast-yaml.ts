import { FAILSAFE_SCHEMA, load, Type } from 'js-yaml';
import { Document, isScalar, Scalar } from 'yaml';

/**
 * A quick reader for large stack.yaml files, giving exactly what the reference reader (the `yaml` package's
 * parseDocument and toJS, lib/spec/parse.ts) gives, or nothing.
 *
 * The reference reader keeps a node with its source range for every value, for the line numbers of problems: a
 * 100,000-device stack.yaml (10.7 MB) took 6–11 s and about 800 MB to read. js-yaml (v4, which reads as it goes;
 * v5 first lists every parser event, 2.5 times slower here and twice the memory) reads it in about 0.7 s. The two agree on YAML's structure (block and flow collections, quoted, plain and block
 * scalars; checked by test/spec/fast-yaml.test.ts against the reference on generated documents), and this
 * reader makes the rest agree:
 * - **Plain scalars** are resolved by the reference's own YAML 1.2 core-schema tags (their `test` and `resolve`,
 *   tried in the reference's order, as yaml's compose-scalar.ts `findScalarTagByTest` does), not by js-yaml's, which
 *   differ at the edges (`0b101`, `+0x1F`, `-0o7`, `-.5`, `1e400`).
 * - **What it leaves to the reference** (returns undefined): any text with an anchor, alias, tag or directive
 *   character (`&`, `*`, `!`, `%`, anywhere, even inside a string: the check is on the raw text), a tab (the
 *   readers differ on tabs in indentation), a block scalar's indentation indicator (BLOCK_INDENT_INDICATOR), a
 *   collection or explicit key (COLLECTION_KEY), a quoted scalar or flow collection over several lines (the
 *   readers differ on how far its lines must be indented; js-yaml's listener finds them); anything js-yaml
 *   rejects (duplicate keys, several documents, bad indentation, collections as keys, nesting past its depth
 *   limit); a mapping key `null` (a null key is `""` to the reference and `"null"` to js-yaml); and a key over
 *   1,000 characters or with a line break (keyForReference). The reference
 *   then reads the text and gives its own errors and line numbers.
 */
export function fastYaml(text: string): { readonly value: unknown } | undefined {
  if (/[&*!%\t]/.test(text) || BLOCK_INDENT_INDICATOR.test(text) || COLLECTION_KEY.test(text)) return undefined;
  let value: unknown;
  let multiLine = false;
  const opened: number[] = [];
  try {
    value = load(text, {
      schema: SCHEMA,
      // Quoted scalars and flow collections that span lines: the readers differ on how far their lines must be indented.
      listener: (event, state) => {
        if (event === 'open') opened.push(state.position);
        else {
          const from = opened.pop() as number;
          if (!multiLine) multiLine = flowOverLines(text, from, state.position);
        }
      },
    });
  } catch {
    return undefined;
  }
  return value === undefined || multiLine || keyForReference(value) ? undefined : { value };
}

/**
 * A block scalar's explicit indentation indicator (`|2`, `>-1`, `|1+`): the readers disagree on it at the top
 * level (`|1-` then ` a`: "a" to the reference, " a" to js-yaml), so such texts go to the reference.
 */
const BLOCK_INDENT_INDICATOR = /[|>][-+]?[1-9]/;

/**
 * A collection as a mapping key (`[a, b]: 1`, `{a: 1}: 2`) or an explicit key (`? …`): js-yaml makes `"a,b"` of
 * it where the reference makes `"[ a, b ]"`; such texts (and any text that merely looks so) go to the reference.
 */
const COLLECTION_KEY = /[\]}]\s*:(?:\s|$)|^[ \t-]*\?(?:\s|$)/m;

/**
 * Whether the node read from `from` to `to` is a quoted scalar or a flow collection that spans lines (comments
 * and space before it skipped).
 */
function flowOverLines(text: string, from: number, to: number): boolean {
  let i = from;
  for (;;) {
    while (i < to && (text[i] === ' ' || text[i] === '\t' || text[i] === '\n' || text[i] === '\r')) i++;
    if (text[i] !== '#') break;
    while (i < to && text[i] !== '\n') i++;
  }
  const c = text[i];
  if (c !== "'" && c !== '"' && c !== '[' && c !== '{') return false;
  const nl = text.indexOf('\n', i);
  return nl >= 0 && nl < to;
}

/** The reference's YAML 1.2 core-schema scalar tags that resolve plain scalars, in its order, and its options. */
const reference = new Document(null);
const CORE_TAGS = reference.schema.tags.filter((t): t is typeof t & { test: RegExp } => t.default === true && 'test' in t && t.test instanceof RegExp);

/** A plain scalar the reference would resolve with an error (none of the core tags does): left to the reference. */
class Unresolvable extends Error {}

/** Only a plain scalar that starts so (or is empty) can be anything but a string in the core schema. */
const MAYBE_NOT_STRING = /^(?:$|[-+.~0-9nNtTfF])/;

/** The first core tag of the reference that resolves `source`, if any. */
function coreTagOf(source: string): (typeof CORE_TAGS)[number] | undefined {
  return MAYBE_NOT_STRING.test(source) ? CORE_TAGS.find((t) => t.test.test(source)) : undefined;
}

/**
 * One implicit type for every plain scalar (js-yaml tries implicit types only on plain scalars): the first
 * core tag of the reference whose test matches resolves it (null, bool, int, float), else it stays a string.
 * Never used for an explicit tag (texts with `!` go to the reference) nor for dumping.
 */
const corePlainScalar = new Type('tag:edgewatt.io,2026:yaml-core-plain', {
  kind: 'scalar',
  resolve: (data: unknown) => typeof data === 'string' && coreTagOf(data) !== undefined,
  construct: (data: string) => {
    const tag = coreTagOf(data) as (typeof CORE_TAGS)[number];
    const out = (tag.resolve as (s: string, onError: (m: string) => void, options: unknown) => unknown)(
      data,
      (m) => {
        throw new Unresolvable(m);
      },
      reference.options,
    );
    return isScalar(out) ? (out as Scalar).value : out;
  },
});

const SCHEMA = FAILSAFE_SCHEMA.extend({ implicit: [corePlainScalar] });

/**
 * Whether any mapping in `root` has a key left to the reference: `null` (see fastYaml); a key over 1,000
 * characters (the reference rejects implicit keys over 1,024 in strict mode, js-yaml accepts them); a key with
 * a line break (an explicit `? |` key; both read it alike, but nothing is lost by asking the reference).
 * Multi-line implicit keys in block context js-yaml rejects itself.
 */
function keyForReference(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (!Array.isArray(v)) {
      for (const key of Object.keys(v)) if (key === 'null' || key.length > 1000 || key.includes('\n') || key.includes('\r')) return true;
    }
    for (const x of Object.values(v as object)) if (x !== null && typeof x === 'object') stack.push(x);
  }
  return false;
}
