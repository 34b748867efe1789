/** A text cut at some spans (holes), each to be filled later with one of a list of values. */
export interface TextHoles {
  /** The text around the holes, in order (one more than the holes). */
  readonly parts: ReadonlyArray<string>;
  /** Each hole's value (an index into the values it is filled with), in text order. */
  readonly holes: ReadonlyArray<number>;
}

/** A span of a text that becomes a hole: where it starts, how long it is, and which value fills it. */
export interface HoleSpan {
  readonly at: number;
  readonly length: number;
  readonly value: number;
}

/**
 * `text` cut at `spans` (in any order; sorted here): the parts around them and each hole's value, in text order.
 * Undefined when two spans overlap. Used by the templates that put a text together from a probe's text and other
 * strings (lib/core/object-digest.ts JsonTemplate, its JSON text; lib/synth/serialize.ts, its YAML body).
 */
export function cutHoles(text: string, spans: ReadonlyArray<HoleSpan>): TextHoles | undefined {
  const sorted = [...spans].sort((a, b) => a.at - b.at);
  const parts: string[] = [];
  let from = 0;
  for (const s of sorted) {
    if (s.at < from) return undefined;
    parts.push(text.slice(from, s.at));
    from = s.at + s.length;
  }
  parts.push(text.slice(from));
  return { parts, holes: sorted.map((s) => s.value) };
}
