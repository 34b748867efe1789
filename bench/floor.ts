/**
 * The lower bound of a bench tier, in a process of its own (a fresh heap, so the figure is the floor and not
 * the synth's garbage): `node build/bench/floor.js <synthesized folder> <runs>` reads back every YAML file the
 * synth wrote (outside the timing), warms the serializer up on 5,000 of them (untimed), then `runs` times
 * serializes the same objects with the same serializer (toYaml) and writes them to a new folder; prints the
 * objects and the seconds of each run as one JSON line, with, after each run, the seconds serializing the device
 * requests alone takes (`templatedKindSeconds`, timed apart so the runs are timed as before: the synth puts their
 * bodies together from a template instead, so bench/size.ts also gives the ratio against the lower bound without
 * them).
 */
import * as fs from 'fs';
import * as path from 'path';
import { toYaml, yamlHeader } from '../lib/internal';
import { readYaml } from '../lib/spec/fast-yaml';

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
      objects.push([f, readYaml(text)]);
    }
  }
};
walk('');
const header = yamlHeader('bench');
/** Serializes and writes `list` into `dir` (created), then removes it; the seconds it took, removal excluded. */
function writeAll(list: ReadonlyArray<[string, unknown]>, dir: string): number {
  const t = process.hrtime.bigint();
  const made = new Set<string>();
  for (const [f, o] of list) {
    const full = path.join(dir, f);
    const d = path.dirname(full);
    if (!made.has(d)) fs.mkdirSync(d, { recursive: true });
    made.add(d);
    fs.writeFileSync(full, toYaml(o, header));
  }
  const s = Number(process.hrtime.bigint() - t) / 1e9;
  fs.rmSync(dir, { recursive: true, force: true });
  return s;
}
/** The kind whose bodies the synth puts together from a template instead of serializing each (lib/synth/serialize.ts templatedBody). */
const TEMPLATED_KIND = 'EdgeDeviceSignedRequest';
const templatedKind = objects.filter(([, o]) => (o as { kind?: unknown } | null)?.kind === TEMPLATED_KIND).map(([, o]) => o);
/** The seconds serializing the objects of TEMPLATED_KIND takes (after a timed run, so that run is timed as before). */
function serializeTemplatedKind(): number {
  const t = process.hrtime.bigint();
  for (const o of templatedKind) toYaml(o, header);
  return Number(process.hrtime.bigint() - t) / 1e9;
}
// Untimed warm-up on the first 5,000 objects, so the timed runs use a warm serializer, as the synth's (the median of
// runs in one process) mostly does: a cold first run would make the floor slower and the ratio look better.
writeAll(objects.slice(0, 5000), path.join(path.dirname(from), 'floor-warm-up'));
const seconds: number[] = [];
const templatedKindSeconds: number[] = [];
for (let i = 0; i < runs; i++) {
  seconds.push(writeAll(objects, path.join(path.dirname(from), `floor-${i}`)));
  templatedKindSeconds.push(serializeTemplatedKind());
}
console.log(JSON.stringify({ objects: objects.length, seconds, templatedKindSeconds }));
