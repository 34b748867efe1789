/**
 * The lower bound of a bench tier, in a process of its own (a fresh heap, so the figure is the floor and not
 * the synth's garbage): `node build/bench/floor.js <synthesized folder> <runs>` reads back every YAML file the
 * synth wrote (outside the timing), then `runs` times serializes the same objects with the same serializer
 * (toYaml) and writes them to a new folder; prints the objects and the seconds of each run as one JSON line.
 */
import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { toYaml, yamlHeader } from '../lib/internal';
import { fastYaml } from '../lib/spec/fast-yaml';

const from = process.argv[2];
const runs = Number(process.argv[3] ?? 3);
const objects: Array<[string, unknown]> = [];
const walk = (rel: string): void => {
  for (const e of fs.readdirSync(path.join(from, rel), { withFileTypes: true })) {
    const f = rel ? `${rel}/${e.name}` : e.name;
    if (e.isDirectory()) walk(f);
    else if (f.endsWith('.yaml')) {
      // Read with the quick reader where it can (the same value as the reference's parse, or nothing): outside the
      // timing, but a tier reads back its output once per run.
      const text = fs.readFileSync(path.join(from, f), 'utf8');
      objects.push([f, fastYaml(text)?.value ?? parse(text)]);
    }
  }
};
walk('');
const header = yamlHeader('bench');
const seconds: number[] = [];
for (let i = 0; i < runs; i++) {
  const dir = path.join(path.dirname(from), `floor-${i}`);
  const t = process.hrtime.bigint();
  const made = new Set<string>();
  for (const [f, o] of objects) {
    const full = path.join(dir, f);
    const d = path.dirname(full);
    if (!made.has(d)) fs.mkdirSync(d, { recursive: true });
    made.add(d);
    fs.writeFileSync(full, toYaml(o, header));
  }
  seconds.push(Number(process.hrtime.bigint() - t) / 1e9);
  fs.rmSync(dir, { recursive: true, force: true });
}
console.log(JSON.stringify({ objects: objects.length, seconds }));
