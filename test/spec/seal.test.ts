import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as yaml from 'yaml';
import { benchStack } from '../../bench/stacks';
import { SpecError } from '../../lib/core/errors';
import { parseStack, sealParsed } from '../../lib/spec/parse';
import { resolveStack } from '../../lib/synth/resolve-all';
import { loadStackFile } from '../../lib/synth/stack-file';

const demoFile = path.join(__dirname, '..', '..', 'apps', 'demo', 'stack.yaml');
const demo = () => yaml.parse(fs.readFileSync(demoFile, 'utf8')) as unknown;

describe('sealParsed: a parsed stack that a synth does not check against the schema again', () => {
  test('the schema gives the same stack when it checks its own output: skipping that second pass changes nothing', () => {
    for (const input of [demo(), benchStack(200)]) {
      const once = parseStack(input);
      expect(parseStack(structuredClone(once))).toEqual(once);
    }
  });

  test('a sealed stack is returned as it is, and cannot be changed', () => {
    const spec = sealParsed(parseStack(benchStack(20)));
    expect(parseStack(spec)).toBe(spec);
    const devices = (spec.fleet as { devices: Array<{ name: string }> }).devices;
    expect(() => {
      devices[0].name = 'Not_A_Name';
    }).toThrow(TypeError);
    expect(() => devices.push({ name: 'x' })).toThrow(TypeError);
    expect(devices[0].name).toBe(parseStack(benchStack(20)).fleet?.devices[0].name);
  });

  test('a parsed stack that is not sealed is checked again, so a change after parsing is caught', () => {
    const spec = parseStack(benchStack(20));
    (spec.fleet as { devices: Array<{ name: string }> }).devices[3].name = 'Not_A_Name';
    expect(() => parseStack(spec)).toThrow(SpecError);
    // A copy of a sealed stack is not sealed: it is checked, and a change to it is caught.
    const copy = structuredClone(sealParsed(parseStack(benchStack(20))));
    (copy.fleet as { devices: Array<{ name: string }> }).devices[3].name = 'Not_A_Name';
    expect(() => parseStack(copy)).toThrow(SpecError);
  });

  test('two parses of one stack share no object (a default included), so sealing one freezes nothing of another', () => {
    const objectsOf = (v: unknown, out = new Set<object>()): Set<object> => {
      if (v !== null && typeof v === 'object') {
        out.add(v);
        for (const x of Object.values(v)) objectsOf(x, out);
      }
      return out;
    };
    // The bundled example and a stack that leaves every optional part to its defaults.
    for (const input of [demo(), { name: 'bare', clusters: [{ name: 'hub' }] }]) {
      const sealedOne = sealParsed(parseStack(structuredClone(input)));
      const other = parseStack(structuredClone(input));
      const shared = [...objectsOf(other)].filter((o) => objectsOf(sealedOne).has(o));
      expect(shared).toEqual([]);
      expect([...objectsOf(other)].filter((o) => Object.isFrozen(o))).toEqual([]);
    }
  });

  test('loadStackFile seals the stack it read; the model is the one of the same stack parsed twice', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'edgewatt-seal-'));
    try {
      const file = path.join(dir, 'stack.yaml');
      fs.writeFileSync(file, yaml.stringify(benchStack(300)));
      const loaded = loadStackFile(file);
      expect(Object.isFrozen(loaded)).toBe(true);
      expect(parseStack(loaded)).toBe(loaded);
      expect(resolveStack(loaded)).toEqual(resolveStack(yaml.parse(fs.readFileSync(file, 'utf8'))));
      expect(resolveStack(loadStackFile(demoFile))).toEqual(resolveStack(demo()));
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
