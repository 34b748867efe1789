import { Problem, ValidationError } from '../core/errors';
import { KubeObject, Manifest, objectKey } from './kube-object';
import { toYaml, yamlHeader } from './serialize';

/** A file to write: its path relative to the output folder (always with '/') and its content. */
export type FileMap = Map<string, string>;

function safe(part: string): string {
  return part.toLowerCase().replace(/[^a-z0-9.-]/g, '_');
}

/**
 * File names inside one component folder: `<kind>-<name>.yaml` (kind lower-cased), with a
 * `<namespace>_` prefix only for objects whose kind and name occur in more than one namespace there.
 */
export function fileNames(objects: ReadonlyArray<KubeObject>): string[] {
  const count = new Map<string, number>();
  const base = objects.map((o) => `${safe(o.kind)}-${safe(o.metadata.name)}`);
  for (const b of base) count.set(b, (count.get(b) ?? 0) + 1);
  return objects.map((o, i) => {
    const b = base[i];
    return (count.get(b) ?? 0) > 1 ? `${safe(o.metadata.namespace ?? 'cluster')}_${b}.yaml` : `${b}.yaml`;
  });
}

/**
 * Lays out manifests as files `<cluster>/<component>/<file>`, sorted by path. Two objects with the same
 * kind, namespace and name in one cluster are an error (they would overwrite each other when applied).
 */
export function layoutFiles(stackName: string, manifests: ReadonlyArray<Manifest>): FileMap {
  const header = yamlHeader(stackName);
  const problems: Problem[] = [];
  const seen = new Map<string, string>(); // cluster/kind/ns/name -> file
  const entries: Array<[string, string]> = [];
  for (const m of manifests) {
    const names = fileNames(m.objects);
    m.objects.forEach((o, i) => {
      const path = `${m.cluster}/${m.component}/${names[i]}`;
      const key = `${m.cluster}/${objectKey(o)}`;
      const other = seen.get(key);
      if (other !== undefined) {
        problems.push({ path, message: `${o.kind} "${o.metadata.name}" is also in ${other}: objects must be unique per kind, namespace and name` });
      }
      seen.set(key, path);
      entries.push([path, toYaml(o, header)]);
    });
  }
  if (problems.length > 0) throw new ValidationError(problems);
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return new Map(entries);
}
