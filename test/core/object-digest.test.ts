import { createHash } from 'crypto';
import fc from 'fast-check';
import { JsonTemplate, jsonExact, jsonLength, knownObjectDigest, measureObject, objectDigest } from '../../lib/core/object-digest';
import { requestRenderer } from '../../lib/fleet/request-renderer';
import { yamlBody } from '../../lib/synth/serialize';

/** sha1 of a text, as the digests are taken. */
const sha1 = (text: string) => createHash('sha1').update(text).digest('base64');

/** A deep copy of arrays and plain objects (structuredClone would give another realm's objects under jest). */
const clone = (v: unknown): unknown =>
  Array.isArray(v) ? v.map(clone) : v !== null && typeof v === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(v)) ? Object.fromEntries(Object.entries(v).map(([k, x]) => [k, clone(x)])) : v;

/** JSON-like values with every value objectDigest spells out or makes unique mixed in. */
const odd = fc.constantFrom<unknown>(undefined, NaN, Infinity, -Infinity, -0, new Date(0), new Map(), () => 1, Symbol('s'), Object.create({ inherited: 1 }));
const value = fc.letrec((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.string(),
    fc.boolean(),
    fc.constant(null),
    fc.double({ noNaN: true, noDefaultInfinity: true }),
    fc.integer(),
    odd,
    fc.array(tie('v'), { maxLength: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('v'), { maxKeys: 4 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('v'), { maxKeys: 3, noNullPrototype: false }),
  ),
})).v;

describe('measureObject: the JSON length, and the digest from the same text when that text says everything', () => {
  test('the digest it records is objectDigest of an equal object; for anything JSON would blur it records none', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 6 }), value, { maxKeys: 5 }), (o) => {
        const n = measureObject(o, true);
        expect(n).toBe(JSON.stringify(o).length);
        const known = knownObjectDigest(o);
        if (jsonExact(o)) {
          // An equal object built again is hashed the long way.
          const copy = clone(o) as object;
          expect(knownObjectDigest(copy)).toBeUndefined();
          expect(known).toBe(objectDigest(copy));
          expect(known).toBe(sha1(JSON.stringify(o)));
        } else {
          expect(known).toBeUndefined();
          expect(objectDigest(o)).not.toBe(sha1(JSON.stringify(o)));
        }
      }),
      { numRuns: 500 },
    );
  });

  test('jsonExact says no to each value objectDigest spells out, wherever it is', () => {
    for (const bad of [undefined, NaN, Infinity, -0, new Date(0), () => 1, 1n, Symbol('s'), new (class C {})()]) {
      expect(jsonExact(bad)).toBe(false);
      expect(jsonExact({ a: { b: [1, bad] } })).toBe(false);
      expect(jsonExact([{ c: bad }])).toBe(false);
    }
    expect(jsonExact({ a: [1, 'x', true, null, { b: 0.5 }], n: Object.assign(Object.create(null), { k: 'v' }) })).toBe(true);
  });

  test('a length asked for first, then a digest: the digest is still taken; without `digest` none is', () => {
    const o = { kind: 'ConfigMap', data: { a: '1' } };
    expect(jsonLength(o)).toBe(JSON.stringify(o).length);
    expect(knownObjectDigest(o)).toBeUndefined();
    measureObject(o, true);
    expect(knownObjectDigest(o)).toBe(sha1(JSON.stringify(o)));
  });

  test('a class instance inside makes the digest unique (never a cache hit), as before', () => {
    const a = { spec: { when: new Date(0) } };
    const b = { spec: { when: new Date(0) } };
    measureObject(a, true);
    measureObject(b, true);
    expect(objectDigest(a)).not.toBe(objectDigest(b));
  });
});

describe('one digest, one YAML: what JSON blurs never shares a digest with what it blurs to', () => {
  /** Values whose JSON text says less than the value: the blurred copy is what JSON.parse gives back. */
  const toJsonObject = (inner: unknown) => Object.defineProperty({ own: 'keys' }, 'toJSON', { value: () => inner, enumerable: false });
  const toJsonArray = (inner: unknown) => Object.assign(['item'], { toJSON: () => inner });
  const blurry = fc.oneof(
    fc.constantFrom<unknown>(undefined, NaN, Infinity, -Infinity, -0, new Date(0), '\u0000undefined', '\u0000number NaN', '\u0000\u0000x'),
    fc.jsonValue().map(toJsonObject),
    fc.jsonValue().map(toJsonArray),
  );
  const value = fc.letrec((tie) => ({
    v: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      fc.string({ maxLength: 4 }),
      fc.integer(),
      fc.constant(null),
      blurry,
      fc.array(tie('v'), { maxLength: 3 }),
      fc.dictionary(fc.string({ maxLength: 3 }), tie('v'), { maxKeys: 3 }),
    ),
  })).v;
  const yamlOf = (v: unknown): string | undefined => {
    try {
      return yamlBody(v);
    } catch {
      return undefined;
    }
  };

  test('an object and its JSON round trip: equal digests (by either path) only when their YAML is equal', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 4 }), value, { minKeys: 1, maxKeys: 4 }), fc.boolean(), (o, measuredFirst) => {
        const text = JSON.stringify(o);
        const back = JSON.parse(text) as object;
        if (measuredFirst) {
          measureObject(o, true);
          measureObject(back, true);
        }
        if (objectDigest(o) === objectDigest(back)) expect(yamlOf(o)).toBe(yamlOf(back));
      }),
      { numRuns: 1000 },
    );
  });

  test('the cases the review found: a non-enumerable or array toJSON, and strings that spell out a value', () => {
    const hidden = { a: toJsonObject({ n: NaN }) };
    measureObject(hidden, true);
    expect(knownObjectDigest(hidden)).toBeUndefined();
    expect(objectDigest(hidden)).not.toBe(objectDigest({ a: { n: null } }));
    const arr = { a: toJsonArray([1]) };
    expect(jsonExact(arr)).toBe(false);
    expect(objectDigest(arr)).not.toBe(objectDigest({ a: [1] }));
    const spelled = { a: ['\u0000undefined'] };
    measureObject(spelled, true);
    expect(knownObjectDigest(spelled)).toBeUndefined();
    expect(objectDigest(spelled)).not.toBe(objectDigest({ a: [undefined] }));
    expect(objectDigest({ a: '\u0000number NaN' })).not.toBe(objectDigest({ a: NaN }));
    // Deterministic for plain strings that start with NUL (no nonce): equal objects, equal digests.
    expect(objectDigest({ a: '\u0000x' })).toBe(objectDigest({ a: '\u0000x' }));
  });
});

describe('memo', () => {
  test('a frozen object gets its digest, the same as an equal object', () => {
    const frozen = Object.freeze({ a: 1, b: ['x'] });
    expect(measureObject(frozen, true)).toBe(JSON.stringify(frozen).length);
    expect(knownObjectDigest(frozen)).toBe(objectDigest({ a: 1, b: ['x'] }));
    expect(objectDigest(frozen)).toBe(knownObjectDigest(frozen));
  });

  test('an object does not inherit the facts of its prototype', () => {
    const parent = { a: 'long enough to differ' };
    measureObject(parent, true);
    const child = Object.create(parent) as object;
    expect(knownObjectDigest(child)).toBeUndefined();
    expect(jsonLength(child)).toBe(2); // "{}": its own (no) keys, not its prototype's
    expect(objectDigest(child)).not.toBe(knownObjectDigest(parent));
  });
});

describe('JsonTemplate: an object made from a probe gets the length and digest of its own JSON text', () => {
  const NAME = 'probe-name-7f3a';
  const SET = 'probe-set-7f3a';
  /** The probe's shape with `name` and `set` put in, as a new object. */
  const make = (shared: Record<string, unknown>, name: string, set: string) => ({ ...shared, metadata: { name, labels: { a: 'b', n: name } }, spec: { set, z: [1, 'x'] } });

  test('for any strings put in (quotes, backslashes, line breaks, lone surrogates, NUL), the walk measures the same', () => {
    fc.assert(
      fc.property(fc.dictionary(fc.string({ maxLength: 5 }).filter((k) => !['metadata', 'spec', '__proto__'].includes(k) && !k.includes('7f3a')), fc.string({ maxLength: 5 }).filter((v) => !v.includes('7f3a')), { maxKeys: 3 }), fc.string(), fc.string(), (shared, name, set) => {
        const template = JsonTemplate.of(make(shared, NAME, SET), [NAME, SET]);
        expect(template).toBeDefined();
        const o = make(shared, name, set);
        expect(template!.text([name, set])).toBe(JSON.stringify(o));
        template!.mark(o, [name, set]);
        const walked = clone(o) as object;
        expect(measureObject(o, true)).toBe(measureObject(walked, true));
        expect(knownObjectDigest(o)).toBe(knownObjectDigest(walked));
        // A string that starts with NUL is spelled out by objectDigest: no digest from the text, as for the walk.
        if (!name.startsWith('\u0000') && !set.startsWith('\u0000')) expect(knownObjectDigest(o)).toBe(sha1(JSON.stringify(o)));
        expect(objectDigest(o)).toBe(objectDigest(clone(o) as object));
      }),
      { numRuns: 300 },
    );
  });

  test.each([
    ['a marker inside a longer string', { metadata: { name: NAME, other: `x-${NAME}` }, spec: { set: SET } }],
    ['a marker as a key', { metadata: { name: NAME, [SET]: 1 }, spec: { set: SET } }],
    ['a value JSON blurs', { metadata: { name: NAME, gone: undefined }, spec: { set: SET } }],
    ['a marker JSON escapes', { metadata: { name: 'a"b' }, spec: { set: SET } }],
  ])('no template from a probe with %s', (_, probe) => {
    const markers = probe.metadata.name === 'a"b' ? ['a"b', SET] : [NAME, SET];
    expect(JsonTemplate.of(probe, markers)).toBeUndefined();
  });

  test('the device requests use it, and measure as the walk does (lib/fleet/request-renderer.ts)', () => {
    const generic = (name: string, targetSet: string) => ({ apiVersion: 'v1', kind: 'K', metadata: { name, labels: { n: name }, annotations: { x: 'y' } }, spec: { targetSet, approved: true } });
    const render = requestRenderer(generic, 'n');
    for (const [name, set] of [['dev-1', 'a'], ['dév "2"', 'b\nc'], ['\u0000x', '']]) {
      const o = render(name, set);
      const walked = clone(o) as object;
      expect(measureObject(o, true)).toBe(JSON.stringify(generic(name, set)).length);
      measureObject(walked, true);
      expect(knownObjectDigest(o)).toBe(knownObjectDigest(walked));
    }
  });
});
