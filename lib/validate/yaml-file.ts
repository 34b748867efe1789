import * as path from 'path';
import { parseAllDocuments } from 'yaml';
import { Problem } from '../core/errors';
import { KubeObject } from '../core/kube-object';
import { fastYamlDocuments } from '../spec/fast-yaml';
import { GENERATED_PREFIX } from '../synth/serialize';
import { NOT_REGULAR_FIX, readRegularFile } from '../synth/tree';
import { Entry, Finding } from './types';

/** Some of a tree's files, read: their objects, findings, and the files refused (not regular, or too large). */
export interface Chunk {
  readonly entries: Entry[];
  readonly findings: Finding[];
  readonly refused: Problem[];
}

/**
 * Reads names[from, to) of the tree `dir` (shown as `label`): each a regular file (readRegularFile; anything else is
 * refused), parsed with readYamlObjects. A read that throws (a file it may not open) throws here. `handOver`: a file's
 * bytes for which the caller reads the files itself instead (the loader's workers: load-worker.ts); then undefined.
 * @default none (every file is read)
 */
export function readFiles(dir: string, label: string, names: ReadonlyArray<string>, from: number, to: number, keep: RegExp | undefined): Chunk;
export function readFiles(dir: string, label: string, names: ReadonlyArray<string>, from: number, to: number, keep: RegExp | undefined, handOver: (content: Buffer) => boolean): Chunk | undefined;
export function readFiles(dir: string, label: string, names: ReadonlyArray<string>, from: number, to: number, keep: RegExp | undefined, handOver?: (content: Buffer) => boolean): Chunk | undefined {
  const chunk: Chunk = { entries: [], findings: [], refused: [] };
  for (let i = from; i < to; i++) {
    const rel = names[i];
    const got = readRegularFile(path.join(dir, rel));
    if (typeof got === 'string') {
      chunk.refused.push({ path: path.join(label, rel), message: `${got}: ${NOT_REGULAR_FIX}` });
      continue;
    }
    if (handOver?.(got)) return undefined;
    const r = readYamlObjects(`${label}/${rel}`, clusterOfFile(rel), got, keep);
    for (const e of r.entries) chunk.entries.push(e);
    for (const f of r.findings) chunk.findings.push(f);
  }
  return chunk;
}

/**
 * The objects of one YAML file of a tree (multi-document files too), as loadYamlTree reads them: `file` names it in
 * entries and findings, `cluster` is the cluster its entries belong to. With `keep`, a file whose text does not match
 * it gives nothing (not parsed). A text is read by js-yaml when that gives exactly the `yaml` package's documents
 * (fastYamlDocuments: nearly every file edgewatt writes, ~6 times faster), else by the `yaml` package, whose errors
 * the findings quote. A document that does not parse, or is not a Kubernetes object, is a finding. The
 * same on the loader's worker threads (load-worker.ts) as on the main thread, so a tree read in parallel gives what
 * it gives read on one thread. `keep` is tried from the start of the text whatever its flags.
 */
export function readYamlObjects(file: string, cluster: string, content: Buffer, keep?: RegExp): { entries: Entry[]; findings: Finding[] } {
  const entries: Entry[] = [];
  const findings: Finding[] = [];
  const text = content.toString('utf8');
  if (keep) {
    // From the start of each file, whichever thread reads it (a global or sticky RegExp would go on from the last match).
    keep.lastIndex = 0;
    if (!keep.test(text)) return { entries, findings };
  }
  for (const doc of yamlDocuments(text)) {
    if ('error' in doc) {
      findings.push({ file, pointer: '', message: `is not valid YAML: ${doc.error}` });
      continue;
    }
    const object = doc.value as KubeObject | null;
    if (object === null) continue;
    // A merge patch edgewatt generates (argocd/argocd-cm/: the Application health check) is not an object to apply.
    if (text.startsWith(GENERATED_PREFIX) && typeof object === 'object' && !Array.isArray(object) && object.apiVersion === undefined && object.kind === undefined) continue;
    if (typeof object !== 'object' || Array.isArray(object) || typeof object.metadata?.name !== 'string') {
      findings.push({ file, pointer: '', message: 'is not a Kubernetes object (apiVersion, kind and metadata.name are required)' });
      continue;
    }
    entries.push({ file, cluster, object });
  }
  return { entries, findings };
}

/**
 * A text's documents as the `yaml` package reads them (parseAllDocuments, then toJS with at most 1,000 alias uses), each
 * its value or the first line of its first error: by js-yaml when fastYamlDocuments reads the text (no document then
 * has an error), else by the `yaml` package. A tree's files (readYamlObjects) and CRD files (lib/validate/crds.ts).
 */
export function* yamlDocuments(text: string): Generator<{ readonly value: unknown } | { readonly error: string }> {
  const quick = fastYamlDocuments(text);
  if (quick !== undefined) {
    for (const value of quick.values) yield { value };
    return;
  }
  for (const doc of parseAllDocuments(text, { uniqueKeys: true })) {
    if (!('toJS' in doc)) continue;
    yield doc.errors.length > 0 ? { error: doc.errors[0].message.split('\n')[0] } : { value: doc.toJS({ maxAliasCount: 1000 }) };
  }
}

/** The cluster of a tree's file: the first folder under the tree when files sit in folders (dist/<cluster>/…), else ".". */
export function clusterOfFile(rel: string): string {
  return rel.includes('/') ? rel.split('/')[0] : '.';
}
