import fc from 'fast-check';

/**
 * Plain data as YAML holds it, for the quick readers' differential tests: mappings (keys from `key`), lists and
 * scalars from `scalar`, nested a few levels.
 */
export function yamlData(scalar: fc.Arbitrary<unknown>, key: fc.Arbitrary<string>): fc.Arbitrary<unknown> {
  return fc.letrec((tie) => ({
    node: fc.oneof({ depthSize: 'small', withCrossShrink: true }, scalar, tie('list'), tie('map')),
    list: fc.array(tie('node'), { maxLength: 4 }),
    map: fc.dictionary(key, tie('node'), { maxKeys: 4 }),
  })).node;
}

/** The scalars of every kind besides `text`: numbers, booleans and null. */
export function yamlScalars(text: ReadonlyArray<fc.Arbitrary<unknown>>): fc.Arbitrary<unknown> {
  return fc.oneof(...text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
}
