import { FAILSAFE_SCHEMA, load, Type } from 'js-yaml';
import { Document, isScalar, parse, Scalar } from 'yaml';

/**
 * A quick reader for large stack.yaml files (and for the YAML data values the gates read, lib/validate/flows/
 * parsed.ts), giving exactly what the reference reader (the `yaml` package's
 * parseDocument and toJS, lib/spec/parse.ts) gives, or nothing.
 *
 * The reference reader keeps a node with its source range for every value, for the line numbers of problems: a
 * 100,000-device stack.yaml (10.7 MB) took 6–11 s and about 800 MB to read. js-yaml (v4, which reads as it goes;
 * v5 first lists every parser event, 2.5 times slower here and twice the memory) reads it in about 0.7 s.
 * The two agree on the YAML a stack file is made of (block and flow collections, quoted, plain and block
 * scalars, comments; checked by test/spec/fast-yaml.test.ts against the reference on generated documents), and
 * this reader makes the rest agree:
 * - **Plain scalars** are resolved by the reference's own YAML 1.2 core-schema tags (their `test` and `resolve`,
 *   tried in the reference's order, as yaml's compose-scalar.ts `findScalarTagByTest` does), not by js-yaml's, which
 *   differ at the edges (`0b101`, `+0x1F`, `-0o7`, `-.5`, `1e400`).
 * - **What it leaves to the reference** (returns undefined): any text with one of REFERENCE_ONLY (checked on the
 *   raw text, so a string that merely contains one counts too); a quoted scalar or flow collection over several
 *   lines (the readers differ on how far its lines must be indented; js-yaml's listener finds them); anything
 *   js-yaml rejects (duplicate keys, several documents, bad indentation, nesting past its depth limit); an empty
 *   document; and a mapping key `null` (a null key is `""` to the reference and `"null"` to js-yaml). The
 *   reference then reads the text and gives its own errors and line numbers.
 */
export function fastYaml(text: string): { readonly value: unknown } | undefined {
  if (REFERENCE_ONLY.some(([, re]) => re.test(text))) return undefined;
  let value: unknown;
  let multiLine = false;
  const opened: number[] = [];
  try {
    // A text without a quote or a bracket (a generated fleet's stack.yaml often) has no node the listener looks for;
    // js-yaml then reads without calling it for every node (~0.13 s of 0.55 s on a 100,000-device stack).
    value = !QUOTE_OR_FLOW.test(text)
      ? load(text, { schema: SCHEMA })
      : load(text, {
          schema: SCHEMA,
          listener: (event, state) => {
            if (event === 'open') opened.push(state.position);
            else {
              const from = opened.pop() as number;
              if (!multiLine) multiLine = flowOverLines(text, from, state.position, state.kind);
            }
          },
        });
  } catch {
    return undefined;
  }
  return value === undefined || multiLine || hasNullKey(value) ? undefined : { value };
}

/**
 * The reference's `parse(text)` (the `yaml` package, YAML 1.2 core schema), read by fastYaml when it can: the same
 * value, sooner. Throws as `parse` does (only the reference ever reads a text fastYaml leaves to it).
 */
export function readYaml(text: string): unknown {
  const fast = fastYaml(text);
  return fast !== undefined ? fast.value : parse(text);
}

/**
 * What the two readers read differently (found by reading both, by the differential test and by review), so a
 * text with any of them goes to the reference.
 */
export const REFERENCE_ONLY: ReadonlyArray<readonly [what: string, pattern: { test(text: string): boolean }]> = [
  ['anchors, aliases, tags and directives', /[&*!%]/],
  ['tabs (indentation rules differ)', /\t/],
  ['a carriage return not followed by a line feed (a line break to js-yaml, text to the reference)', /\r(?!\n)/],
  ['backslashes (escapes such as \\U00110000 differ)', /\\/],
  // A block scalar's header starts its node, so it follows a line start or a space (a tag or anchor before it, `!`
  // or `&`, already goes to the reference): `regex: "[0-9]|[1-9]"` (a relabel rule of prometheus.yml) has none.
  ['a block scalar indentation indicator (`|1-` then ` a` is "a" to the reference, " a" to js-yaml)', /(?:^|[ \t\uFEFF])[|>][-+]?[1-9]/m],
  ['a collection or explicit key (`[a]: 1`, `{[a]:b}`, `? x`: js-yaml makes "a" of [a])', /[\]}]\s*:|\?(?:\s|$)/m],
  ['a comment right after a quote or bracket (`"x"#c`: an error to the reference)', /["'\]}]#/],
  ['a document marker with anything after it on its line (`---a`, `--- a: 1`)', /^(?:---|\.\.\.)(?![ ]*(?:\r?\n|$))/m],
  // Line breaks looked up one after another (indexOf): ~0.33 s on a 10.7 MB stack unanchored, ~0.06 s as /^[^\n]{1001}/m.
  ['a line over 1,000 characters (the reference limits implicit keys to 1,024 characters of source)', { test: (text: string) => hasLineOver(text, 1000) }],
  ['a byte order mark anywhere (the reference skips one after a line break, js-yaml keeps it as text)', /\uFEFF/],
  ['a last line of spaces without a line break (a kept block scalar, `|+`, counts it as a line to js-yaml only)', /\n[ ]+$/],
  // Found by the differential test (seed 411413550): after an empty entry ending a nested list, js-yaml takes the next,
  // less indented entry into that list (`- - x\n  -\n- y` is [["x",null,"y"]] to it, [["x",null],"y"] to the
  // reference): js-yaml 4.3.2 lib/loader.js readBlockSequence (nodeca/js-yaml, the npm package) pushes null for an
  // empty entry whose next line is indented no deeper than the list's parent and reads on without checking that the
  // next entry sits at the list's own indentation. A `-` ending its line (a comment after it counts) sends the text
  // to the reference; ~9 ms on 10.7 MB.
  ['a `-` ending its line (an empty list entry: js-yaml may take the next, less indented entry into its list)', /(?:^|[ ])-[ ]*(?:#[^\n]*)?\r?$/m],
];

/** Whether a line of `text` (split at \n, a \r kept) is longer than `max` characters. */
function hasLineOver(text: string, max: number): boolean {
  let from = 0;
  for (let nl = text.indexOf('\n'); nl >= 0; nl = text.indexOf('\n', from)) {
    if (nl - from > max) return true;
    from = nl + 1;
  }
  return text.length - from > max;
}

/** What a quoted scalar or a flow collection starts with: a text without any has neither, over several lines or not. */
const QUOTE_OR_FLOW = /["'[{]/;

/**
 * Whether the node read from `from` to `to` (js-yaml's listener: from before the space ahead of it) is a quoted
 * scalar or a flow collection over several lines (comments and space before it skipped). A block mapping whose
 * first key is quoted is not one (its kind is a mapping).
 */
function flowOverLines(text: string, from: number, to: number, kind: string | null): boolean {
  let i = from;
  for (;;) {
    while (i < to && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r')) i++;
    if (text[i] !== '#') break;
    while (i < to && text[i] !== '\n') i++;
  }
  const c = text[i];
  const flow = c === "'" || c === '"' ? kind === 'scalar' : c === '[' || c === '{';
  if (!flow) return false;
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

/** Whether any mapping in `root` has the key `null` (see fastYaml); without recursion. */
function hasNullKey(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length > 0) {
    const v = stack.pop();
    if (v === null || typeof v !== 'object') continue;
    if (!Array.isArray(v) && Object.prototype.hasOwnProperty.call(v, 'null')) return true;
    for (const x of Object.values(v as object)) if (x !== null && typeof x === 'object') stack.push(x);
  }
  return false;
}
