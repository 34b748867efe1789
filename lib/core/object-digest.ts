import { randomBytes } from 'crypto';
import { digestBase64 } from './hash';
import { cutHoles, HoleSpan } from './text-holes';

/**
 * Facts about a synthesized object's JSON text, computed once per object (a synthesized object is not changed
 * afterwards): its length (what the Argo CD size limits count; the synth sizes its shards with it) and its content
 * digest (what the render and validation caches are keyed by). Both come from one JSON.stringify when the object
 * is plain JSON data, so a 100,000-device synth does not stringify its objects twice, or hash them on another
 * thread from a copy.
 */

const lengths = new WeakMap<object, number>();
const digests = new WeakMap<object, string>();
let uncachable = 0;
/**
 * Makes an uncachable value's stand-in unique to this module instance (each thread has its own), so it never
 * matches a digest of another run, even one in a process with the same pid (pid 1 in every container).
 */
const UNCACHABLE_NONCE = randomBytes(16).toString('hex');

/** The length of an object's JSON text, memoized per object. */
export function jsonLength(o: object): number {
  return measureObject(o, false);
}

/**
 * jsonLength, and with `digest` the object's objectDigest from the same text when that text says everything
 * (jsonExact), so objectDigest does not stringify it again.
 */
export function measureObject(o: object, digest: boolean): number {
  let n = lengths.get(o);
  if (n !== undefined && (!digest || digests.has(o))) return n;
  const made = templated.get(o);
  const json = made !== undefined ? made.template.text(made.values) : JSON.stringify(o);
  n = json.length;
  lengths.set(o, n);
  if (json.includes(CLUSTER_DNS)) clusterDns.add(o);
  if (digest && !digests.has(o) && (made !== undefined || jsonExact(o))) digests.set(o, digestBase64('sha1', json));
  return n;
}

/** What every cluster-DNS name of a Service holds (`<svc>.<ns>.svc.cluster.local`, `….svc.clusterset.local`). */
const CLUSTER_DNS = '.svc.cluster';
/** The measured objects whose JSON text holds CLUSTER_DNS (JSON writes those characters as they are). */
const clusterDns = new WeakSet<object>();

/**
 * Whether a string of `o` may name a Service by cluster DNS, from its JSON text when it was measured (the flow gate's
 * undeclared-path check then walks only the objects that do; lib/validate/flows/undeclared.ts): false when the text
 * holds no `.svc.cluster`, true when it does, undefined when `o` was not measured (walk it).
 */
export function mentionsClusterDns(o: object): boolean | undefined {
  return lengths.has(o) ? clusterDns.has(o) : undefined;
}

/** Objects whose JSON text a JsonTemplate gives, with the strings put in its holes. */
const templated = new WeakMap<object, { readonly template: JsonTemplate; readonly values: ReadonlyArray<string> }>();

/**
 * The JSON text of objects made from one probe object by putting other strings where the probe has its marker
 * strings (lib/fleet/request-renderer.ts: 100,000 device requests differ only in three strings): measureObject puts
 * an object's text together from the probe's text and its strings instead of walking it (JSON.stringify and
 * jsonExact), a third of the time at 100,000 devices. The text and digest are the same as the walk's: the template
 * is made only from a probe that is plain JSON data (jsonExact) whose markers appear in its text as whole string
 * values and nowhere else, and its maker checks one object against JSON.stringify (lib/fleet/request-renderer.ts).
 */
export class JsonTemplate {
  private constructor(
    /** The probe's text around its holes (one more than the holes). */
    private readonly parts: ReadonlyArray<string>,
    /** Each hole's marker (an index into the markers, and into the values of `text`), in text order. */
    public readonly holes: ReadonlyArray<number>,
    /** The probe the template was made from (lib/synth/serialize.ts makes its YAML template from it). */
    public readonly probe: object,
    /** The marker strings, in the order of the values given to `text`. */
    public readonly markers: ReadonlyArray<string>,
  ) {}

  /**
   * The template of `probe`, with a hole at each of `markers` (strings JSON writes as they are: letters, digits, -):
   * undefined when the probe is not plain JSON data or a marker is found in its text other than as a whole string
   * value (inside another string, or as a key).
   */
  public static of(probe: object, markers: ReadonlyArray<string>): JsonTemplate | undefined {
    if (!jsonExact(probe)) return undefined;
    const text = JSON.stringify(probe);
    const found: HoleSpan[] = [];
    for (let m = 0; m < markers.length; m++) {
      const quoted = JSON.stringify(markers[m]);
      if (quoted !== `"${markers[m]}"` || text.split(markers[m]).length !== text.split(quoted).length) return undefined;
      for (let at = text.indexOf(quoted); at >= 0; at = text.indexOf(quoted, at + quoted.length)) {
        // A key (JSON puts ':' after a key, never after a value) is not a hole.
        if (text[at + quoted.length] === ':') return undefined;
        found.push({ at, length: quoted.length, value: m });
      }
    }
    const cut = cutHoles(text, found);
    return cut && new JsonTemplate(cut.parts, cut.holes, probe, [...markers]);
  }

  /** The probe's JSON text with `values[i]` (as JSON strings) where marker i was. */
  public text(values: ReadonlyArray<string>): string {
    let out = this.parts[0];
    for (let i = 0; i < this.holes.length; i++) out += JSON.stringify(values[this.holes[i]]) + this.parts[i + 1];
    return out;
  }

  /**
   * Notes that `o`'s JSON text is text(values), so measureObject puts it together; not when a value starts with NUL
   * (which objectDigest spells out: measureObject then leaves the digest to it, as jsonExact would).
   */
  public mark(o: object, values: ReadonlyArray<string>): void {
    if (values.every((v) => !v.startsWith('\u0000'))) templated.set(o, { template: this, values });
  }
}

/** The template an object's JSON text is made from, and the strings put in its holes (JsonTemplate.mark); none: not made so. */
export function templateOf(o: object): { readonly template: JsonTemplate; readonly values: ReadonlyArray<string> } | undefined {
  return templated.get(o);
}

/**
 * The digest of an object's content: sha1 of its JSON text, with everything JSON would blur spelled out — NaN,
 * ±Infinity, -0, undefined values, strings that start with NUL (as the spelled-out values do) — and any value
 * that is not plain data (a Date, a Map, a class instance, anything with a toJSON) made unique, so such an object
 * never matches a cache entry. Two objects with one digest render to the same
 * YAML and get the same verdicts. Memoized per object. For plain JSON data (jsonExact) nothing is spelled out,
 * so the text is JSON.stringify's and measureObject's digest is this one.
 */
export function objectDigest(o: object): string {
  let d = digests.get(o);
  if (d) return d;
  const json = JSON.stringify(o, function (this: Record<string, unknown>, k: string, v: unknown) {
    const raw = this[k];
    // A string that starts like a spelled-out value gets one more NUL, so it never reads as one.
    if (typeof raw === 'string') return raw.startsWith('\u0000') ? `\u0000${raw}` : raw;
    if (typeof raw === 'number') return Number.isFinite(raw) && !Object.is(raw, -0) ? raw : `\u0000number ${Object.is(raw, -0) ? '-0' : raw}`;
    if (raw === undefined) return '\u0000undefined';
    if (raw !== null && typeof raw === 'object') {
      // JSON.stringify writes what a toJSON gives, where the YAML renders the object's own keys.
      if (typeof (raw as { toJSON?: unknown }).toJSON === 'function') return `\u0000uncachable ${UNCACHABLE_NONCE} ${++uncachable}`;
      const proto = Object.getPrototypeOf(raw);
      if (!Array.isArray(raw) && proto !== Object.prototype && proto !== null) return `\u0000uncachable ${UNCACHABLE_NONCE} ${++uncachable}`;
    }
    if (typeof raw === 'bigint' || typeof raw === 'function' || typeof raw === 'symbol') return `\u0000uncachable ${UNCACHABLE_NONCE} ${++uncachable}`;
    return v;
  });
  d = digestBase64('sha1', json);
  digests.set(o, d);
  return d;
}

/** The digest of an object when it is already known (measured or hashed), without computing it. */
export function knownObjectDigest(o: object): string | undefined {
  return digests.get(o);
}

/**
 * Whether JSON.stringify(v) is the text objectDigest hashes: only strings that do not start with NUL, booleans,
 * null, finite numbers other than -0, arrays, and objects whose prototype is Object.prototype or null, none with a
 * toJSON (where objectDigest's replacer returns every value as it is); anything else — undefined anywhere, NaN, a
 * Date, a function, a bigint — is left to objectDigest.
 */
export function jsonExact(v: unknown): boolean {
  switch (typeof v) {
    case 'string':
      return !v.startsWith('\u0000');
    case 'boolean':
      return true;
    case 'number':
      return Number.isFinite(v) && !Object.is(v, -0);
    case 'object': {
      if (v === null) return true;
      if (typeof (v as { toJSON?: unknown }).toJSON === 'function') return false;
      if (Array.isArray(v)) {
        for (let i = 0; i < v.length; i++) if (!jsonExact(v[i])) return false;
        return true;
      }
      const proto = Object.getPrototypeOf(v);
      if (proto !== Object.prototype && proto !== null) return false;
      for (const k in v) if (Object.prototype.hasOwnProperty.call(v, k) && !jsonExact((v as Record<string, unknown>)[k])) return false;
      return true;
    }
    default:
      return false;
  }
}
