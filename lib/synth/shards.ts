import { digestBytes } from '../core/hash';
import { memoByString } from '../core/memo';
import { Manifest } from './kube-object';

/** Argo CD limits edgewatt keeps every Application under. */
export const APPLICATION_LIMITS = { maxObjects: 1000, maxBytes: 2 * 1024 * 1024 } as const;

/** A stable 32-bit hash of a string (remembered per name: every synth asks it for every object of a large chart). */
const hash32 = memoByString((s: string): number => digestBytes('sha1', s).readUInt32BE(0), 400_000);

/**
 * Splits a component too large for one Argo CD Application into `<component>-000`, `-001`, … An object's
 * shard is the hash of its name modulo a power-of-two shard count, so objects that share a name (a device's
 * EdgeDevice and its registration) stay together, and adding an object changes one shard only — until the
 * fleet doubles and the shard count with it. `size(o)` estimates an object's serialized bytes.
 */
export function shardManifests(manifests: ReadonlyArray<Manifest>, size: (o: Manifest['objects'][number]) => number): Manifest[] {
  const out: Manifest[] = [];
  for (const m of manifests) {
    const bytes = m.objects.reduce((n, o) => n + size(o), 0);
    const needed = Math.max(m.objects.length / APPLICATION_LIMITS.maxObjects, bytes / APPLICATION_LIMITS.maxBytes);
    if (needed <= 1) {
      out.push(m);
      continue;
    }
    // Headroom of 2× so that hash imbalance and growth keep every shard under the limits.
    let shards = 1;
    while (shards < needed * 2) shards *= 2;
    const buckets: Array<Manifest['objects'][number][]> = Array.from({ length: shards }, () => []);
    for (const o of m.objects) buckets[hash32(o.metadata.name) % shards].push(o);
    buckets.forEach((objects, i) => {
      if (objects.length > 0) out.push({ cluster: m.cluster, component: `${m.component}-${String(i).padStart(3, '0')}`, objects });
    });
  }
  return out;
}
