import { cutHoles } from '../../lib/core/text-holes';

describe('a text cut at spans (lib/core/text-holes.ts cutHoles)', () => {
  test('gives the parts around the spans and each hole\'s value in text order, whatever order the spans come in', () => {
    const text = 'name: AAA\nset: BB\nlabel: AAA\n';
    const cut = cutHoles(text, [
      { at: text.indexOf('BB'), length: 2, value: 1 },
      { at: text.indexOf('AAA'), length: 3, value: 0 },
      { at: text.lastIndexOf('AAA'), length: 3, value: 0 },
    ]);
    expect(cut).toEqual({ parts: ['name: ', '\nset: ', '\nlabel: ', '\n'], holes: [0, 1, 0] });
  });

  test('no spans: the whole text, no holes; spans that overlap: none', () => {
    expect(cutHoles('abc', [])).toEqual({ parts: ['abc'], holes: [] });
    expect(cutHoles('abcdef', [{ at: 1, length: 3, value: 0 }, { at: 3, length: 2, value: 1 }])).toBeUndefined();
    expect(cutHoles('abcdef', [{ at: 1, length: 2, value: 0 }, { at: 3, length: 2, value: 1 }])).toEqual({ parts: ['a', '', 'f'], holes: [0, 1] });
  });
});
