import { parse } from 'yaml';
import { fastYaml } from '../../lib/spec/fast-yaml';
import { parsedData } from '../../lib/validate/flows/parsed';

describe('parsedData: a YAML data value parsed once per text, shared read-only', () => {
  test('the same text gives the same document, even from another object (a rebuilt chart)', () => {
    const text = 'remote_write:\n  - url: http://a.b.svc.cluster.local:9090/api/v1/write\n';
    const first = parsedData(text) as { remote_write: Array<{ url: string }> };
    expect(first.remote_write[0].url).toBe('http://a.b.svc.cluster.local:9090/api/v1/write');
    // A copy of the text (another string instance, as a rebuilt ConfigMap holds) finds the same document.
    expect(parsedData(text.split('').join(''))).toBe(first);
  });

  test('a changed text is parsed again: the gates never read an earlier version', () => {
    const a = parsedData('x: 1\n') as { x: number };
    const b = parsedData('x: 2\n') as { x: number };
    expect([a.x, b.x]).toEqual([1, 2]);
  });

  test('the shared document cannot be changed by one of its readers', () => {
    const doc = parsedData('scrape_configs:\n  - job_name: kepler\n    static_configs: [{ targets: ["a:1"] }]\n') as { scrape_configs: Array<{ job_name: string; static_configs: Array<{ targets: string[] }> }> };
    expect(() => {
      doc.scrape_configs[0].job_name = 'other';
    }).toThrow(TypeError);
    expect(() => doc.scrape_configs[0].static_configs[0].targets.push('b:2')).toThrow(TypeError);
    expect(doc.scrape_configs[0]).toEqual({ job_name: 'kepler', static_configs: [{ targets: ['a:1'] }] });
  });

  test('read by the quick reader when it can, with the reference reader\'s value; otherwise by the reference', () => {
    const quick = 'scrape_configs:\n  - job_name: kepler\n    relabel_configs:\n      - regex: "[0-9]|[1-9][0-9]{1}|249"\n        action: keep\n    scrape_interval: 30s\n    honor_labels: true\n';
    expect(fastYaml(quick)).toBeDefined();
    // An anchor and alias, which only the reference reads.
    const reference = 'a: &x [1, 2]\nb: *x\nc: 0x1F\n';
    expect(fastYaml(reference)).toBeUndefined();
    for (const text of [quick, reference]) expect(parsedData(text)).toEqual(parse(text));
  });

  test('text that is not YAML is null, and so is an empty document', () => {
    expect(parsedData('a: [1, 2\n')).toBeNull();
    expect(parsedData('')).toBeNull();
  });

  test('the memo is bounded: past 8 Mi characters the earlier texts are parsed again when asked', () => {
    const first = parsedData('bounded: 0\n');
    expect(parsedData('bounded: 0\n')).toBe(first);
    const big = `pad: ${'x'.repeat(4 * 1024 * 1024)}\n`;
    for (let i = 0; i < 3; i++) parsedData(`${big}i: ${i}\n`);
    const again = parsedData('bounded: 0\n');
    expect(again).toEqual(first);
    expect(again).not.toBe(first);
  });
});
