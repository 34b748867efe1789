import { Problem, ValidationError } from '../core/errors';
import { KubeObject, Manifest } from './kube-object';
import { toYaml, yamlHeader } from './serialize';

/** A file to write: its path relative to the output folder (always with '/') and its content. */
export type FileMap = Map<string, string>;

/** An object with the file it goes to. */
export interface PlacedObject {
  /** Path relative to the output folder: `<cluster>/<component>/<file>`. */
  readonly path: string;
  readonly cluster: string;
  readonly component: string;
  readonly object: KubeObject;
}

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

/** One component folder's objects, each with its file `<cluster>/<component>/<file>` (see fileNames). */
export function placeManifest(m: Manifest): PlacedObject[] {
  const names = fileNames(m.objects);
  return m.objects.map((object, i) => ({ path: `${m.cluster}/${m.component}/${names[i]}`, cluster: m.cluster, component: m.component, object }));
}

/**
 * Placed objects of every folder, sorted by path. Two objects that would land in one file are an error (the
 * same kind, namespace and name twice).
 */
export function collectPlaced(placed: Iterable<PlacedObject>): PlacedObject[] {
  const problems: Problem[] = [];
  const byPath = new Map<string, PlacedObject>();
  for (const p of placed) {
    if (byPath.has(p.path)) {
      problems.push({ path: p.path, message: `${p.object.kind} "${p.object.metadata.name}" is produced twice: objects must be unique per kind, namespace and name` });
    }
    byPath.set(p.path, p);
  }
  if (problems.length > 0) throw new ValidationError(problems);
  return [...byPath.values()].sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
}

/** Gives every object its file `<cluster>/<component>/<file>`, sorted by path (placeManifest, collectPlaced). */
export function placeObjects(manifests: ReadonlyArray<Manifest>): PlacedObject[] {
  return collectPlaced(manifests.flatMap(placeManifest));
}

/**
 * Serializes placed objects, one YAML document per file, each with the generated-file header; `body` gives an
 * object's YAML body when a render cache has it (the same bytes as yamlBody).
 */
export function renderFiles(stackName: string, placed: ReadonlyArray<PlacedObject>, body?: (object: KubeObject) => string): FileMap {
  const header = yamlHeader(stackName);
  return new Map(placed.map((p) => [p.path, body ? `${header}\n${body(p.object)}` : toYaml(p.object, header)]));
}

/** placeObjects then renderFiles. */
export function layoutFiles(stackName: string, manifests: ReadonlyArray<Manifest>): FileMap {
  return renderFiles(stackName, placeObjects(manifests));
}
