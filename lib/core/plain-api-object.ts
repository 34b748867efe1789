import { ApiObject, App, Chart, ImplicitTokenResolver, Lazy, LazyResolver, NumberStringUnionResolver } from 'cdk8s';
import { IConstruct } from 'constructs';

/**
 * An ApiObject whose `toJson` gives exactly what cdk8s's `ApiObject.toJson` gives, without cdk8s's generic
 * resolve walk when that walk cannot change anything.
 *
 * cdk8s (cdk8s-team/cdk8s-core v2.70.106, the version installed: lib/api-object.ts `toJson`, lib/resolve.ts `resolve`, lib/_util.ts `sanitizeValue`,
 * lib/metadata.ts `toJson`) renders an object by resolving every value against the app's resolvers (looking
 * the app up from the object for each value, and allocating a key path per value), then copying it again
 * with sorted keys and `null`/`undefined` dropped (the metadata also without empty arrays and objects), then
 * applying the JSON patches, then putting apiVersion, kind and metadata first. For a fleet of 100,000 devices
 * (one EdgeDeviceSignedRequest each) that walk was most of the time spent building the fleet chart.
 *
 * When the app has only cdk8s's built-in resolvers and every value is plain data (strings, numbers, booleans,
 * arrays and plain objects — no `Lazy`, no object with a `resolve` method) or a number-or-string union
 * (IntOrString, Quantity: NumberStringUnionResolver makes it `{ value }`), those resolvers change nothing else,
 * so one copy with sorted keys gives the same result. Anything else — a
 * custom resolver, a token, a JSON patch, `CDK8S_DISABLE_SORT` — takes cdk8s's own path unchanged.
 * test/fleet/plain-api-object.test.ts compares both paths, so a cdk8s upgrade that changes rendering fails it.
 */
export abstract class PlainApiObject extends ApiObject {
  public override toJson(): any {
    return plainToJson(this) ?? super.toJson();
  }
}

/**
 * Whether objects of plain data under `scope` render as plainObjectToJson gives: the app has only cdk8s's built-in
 * resolvers and CDK8S_DISABLE_SORT is not set (otherwise only ApiObjects render as cdk8s would).
 */
export function rendersPlain(scope: IConstruct): boolean {
  return !process.env.CDK8S_DISABLE_SORT && builtInResolversOnly(App.of(scope));
}

/**
 * A chart with objects that are not constructs (`plainObjects`, rendered as plainObjectToJson renders them), after
 * its ApiObjects: its toJson is cdk8s's, then those, so cdk8s's App.synth writes them; renderChart
 * (lib/synth/render-chart.ts) renders its ApiObjects its own way, then those.
 */
export abstract class ChartWithPlainObjects extends Chart {
  /** The objects that are not constructs; new objects on every call. */
  public abstract plainObjects(): Array<Record<string, unknown>>;

  public override toJson(): any[] {
    return [...super.toJson(), ...this.plainObjects()];
  }
}

/**
 * What cdk8s renders for `new ApiObject(scope, id, props)` when `props` is plain data (strings, numbers, booleans,
 * arrays and plain objects) in an app with only the built-in resolvers: the same object as plainToJson gives for
 * that ApiObject, key order included (metadata without empty values, every object's keys sorted, `apiVersion`,
 * `kind` and `metadata` first), without a construct. Throws on a value that is not plain data (a token, a Lazy,
 * a class instance), which only an ApiObject can render. test/fleet/plain-api-object.test.ts compares it with
 * ApiObject.prototype.toJson.
 */
export function plainObjectToJson(props: { readonly apiVersion: string; readonly kind: string; readonly metadata?: Readonly<Record<string, unknown>>; readonly [key: string]: unknown }): Record<string, unknown> {
  const metadata = copy(props.metadata ?? {}, true);
  const out = assemble(metadata === NOT_PLAIN ? undefined : (metadata as Record<string, unknown> | undefined), props);
  const bad = typeof out === 'string' ? out : metadata === NOT_PLAIN ? 'metadata' : undefined;
  if (bad !== undefined) throw new Error(`${props.kind}: ${bad} is not plain data (a token, a Lazy or a class instance): render it as an ApiObject`);
  return out as Record<string, unknown>;
}

/**
 * An object as cdk8s lays it out: `apiVersion`, `kind`, then `metadata` (already rendered; none when empty), then
 * the other props copied with sorted keys and without null or undefined values. The key of the first prop that is
 * not plain data instead, when there is one.
 */
function assemble(metadata: Record<string, unknown> | undefined, props: Readonly<Record<string, unknown>>): Record<string, unknown> | string {
  const rest: Record<string, unknown> = {};
  for (const key of sortKeys(Object.keys(props))) {
    if (key === 'metadata') continue;
    const v = copy(props[key], false);
    if (v === NOT_PLAIN) return key;
    if (v !== undefined) rest[key] = v;
  }
  const out: Record<string, unknown> = {};
  if ('apiVersion' in rest) out.apiVersion = rest.apiVersion;
  if ('kind' in rest) out.kind = rest.kind;
  if (metadata !== undefined) out.metadata = metadata;
  for (const key of Object.keys(rest)) if (!(key in out)) out[key] = rest[key];
  return out;
}

/** Marks a value the fast path cannot copy (cdk8s's own path must resolve it). */
const NOT_PLAIN: unique symbol = Symbol('not plain');

/** The private fields cdk8s's ApiObjectMetadataDefinition.toJson reads (cdk8s-team/cdk8s-core v2.70.106 lib/metadata.ts). */
interface MetadataFields {
  readonly name?: unknown;
  readonly namespace?: unknown;
  readonly labels?: unknown;
  readonly annotations?: unknown;
  readonly finalizers?: unknown;
  readonly ownerReferences?: unknown;
  readonly _additionalAttributes?: unknown;
}

/** `obj` rendered as cdk8s renders it, or undefined when only cdk8s's own path may render it. */
export function plainToJson(obj: ApiObject): Record<string, unknown> | undefined {
  if (process.env.CDK8S_DISABLE_SORT || (obj as unknown as { patches: unknown[] }).patches.length > 0 || !builtInResolversOnly(App.of(obj))) return undefined;
  const md = obj.metadata as unknown as MetadataFields;
  const attrs = md._additionalAttributes;
  if (!isPlainObject(attrs) || !isPlainObject(md.labels) || !isPlainObject(md.annotations) || !Array.isArray(md.finalizers) || !Array.isArray(md.ownerReferences)) return undefined;
  // cdk8s renders `{ ...attrs, name, namespace, annotations, finalizers, ownerReferences, labels }`; attrs (the
  // options, with a property deleted) is a dictionary-mode object whose spread costs microseconds, so the copy
  // reads the keys instead.
  const fixed: Record<string, unknown> = { name: md.name, namespace: md.namespace, annotations: md.annotations, finalizers: md.finalizers, ownerReferences: md.ownerReferences, labels: md.labels };
  const keys = Object.keys(attrs);
  for (const key of METADATA_KEYS) if (!Object.prototype.hasOwnProperty.call(attrs, key)) keys.push(key);
  const metadata: Record<string, unknown> = {};
  let empty = true;
  for (const key of sortKeys(keys)) {
    const v = copy(Object.prototype.hasOwnProperty.call(fixed, key) ? fixed[key] : attrs[key], true);
    if (v === NOT_PLAIN) return undefined;
    if (v !== undefined) {
      metadata[key] = v;
      empty = false;
    }
  }
  const props = (obj as unknown as { props: unknown }).props;
  if (!isPlainObject(props)) return undefined;
  const out = assemble(empty ? undefined : metadata, props);
  return typeof out === 'string' ? undefined : out;
}

/** The metadata fields cdk8s's ApiObjectMetadataDefinition.toJson sets over the additional attributes. */
const METADATA_KEYS = ['name', 'namespace', 'annotations', 'finalizers', 'ownerReferences', 'labels'] as const;

/**
 * `keys` sorted as Array.prototype.sort sorts strings (by UTF-16 code units, which is what `<` compares):
 * insertion sort for the few keys of an object, which is several times faster than the generic sort.
 */
function sortKeys(keys: string[]): string[] {
  if (keys.length > 16) return keys.sort();
  for (let i = 1; i < keys.length; i++) {
    const k = keys[i];
    let j = i - 1;
    while (j >= 0 && keys[j] > k) {
      keys[j + 1] = keys[j];
      j--;
    }
    keys[j + 1] = k;
  }
  return keys;
}

const BUILT_IN: ReadonlyArray<Function> = [LazyResolver, ImplicitTokenResolver, NumberStringUnionResolver];

/** Whether the app resolves with cdk8s's built-in resolvers only (App adds them after any custom ones). */
function builtInResolversOnly(app: App): boolean {
  const r = (app as { resolvers?: unknown }).resolvers;
  return Array.isArray(r) && r.length === BUILT_IN.length && r.every((x, i) => Object.getPrototypeOf(x) === BUILT_IN[i].prototype);
}

/** Whether `v` is a plain object (its prototype Object.prototype, no own `constructor`): data as the generic render copies it. */
export function isPlainObject(v: unknown): v is Record<string, unknown> {
  return v !== null && typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype && !Object.prototype.hasOwnProperty.call(v, 'constructor');
}

/**
 * A class instance as the built-in resolvers leave it: a number-or-string union of the k8s imports (IntOrString,
 * Quantity: a class with a `value`) becomes `{ value }` (NumberStringUnionResolver); a Lazy, a token (a
 * `resolve` method, ImplicitTokenResolver, which runs first) or any other instance is left to cdk8s.
 */
function unionValue(v: object): unknown {
  const u = v as { resolve?: unknown; value?: unknown; constructor?: unknown };
  if (v instanceof Lazy || typeof u.resolve === 'function' || u.constructor === Object || Object.prototype.hasOwnProperty.call(v, 'constructor')) return NOT_PLAIN;
  return typeof u.value === 'number' || typeof u.value === 'string' ? { value: u.value } : NOT_PLAIN;
}

/**
 * `v` with sorted keys and without null or undefined object values, as cdk8s's sanitizeValue (arrays keep
 * their undefined items); with `filterEmpty`, empty arrays and objects dropped too (as for metadata).
 * NOT_PLAIN when a value is one a built-in resolver would replace, or one sanitizeValue rejects.
 */
function copy(v: unknown, filterEmpty: boolean): unknown {
  if (v === null || v === undefined) return undefined;
  const t = typeof v;
  if (t === 'string' || t === 'number' || t === 'boolean') return v;
  if (t !== 'object') return NOT_PLAIN;
  if (Array.isArray(v)) {
    // ImplicitTokenResolver calls a `resolve` method; NumberStringUnionResolver replaces a non-plain object with a `value`.
    if ((v as { resolve?: unknown }).resolve !== undefined || (v as { value?: unknown }).value !== undefined) return NOT_PLAIN;
    if (filterEmpty && v.length === 0) return undefined;
    const out = new Array<unknown>(v.length);
    for (let i = 0; i < v.length; i++) {
      const x = copy(v[i], filterEmpty);
      if (x === NOT_PLAIN) return NOT_PLAIN;
      out[i] = x;
    }
    return out;
  }
  if (!isPlainObject(v)) return unionValue(v);
  if (typeof v.resolve === 'function') return NOT_PLAIN;
  const out: Record<string, unknown> = {};
  let empty = true;
  for (const key of sortKeys(Object.keys(v))) {
    const x = copy(v[key], filterEmpty);
    if (x === NOT_PLAIN) return NOT_PLAIN;
    if (x !== undefined) {
      out[key] = x;
      empty = false;
    }
  }
  return filterEmpty && empty ? undefined : out;
}
