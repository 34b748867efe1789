import { SpecError } from '../core/errors';
import { readRegularFile } from '../synth/tree';
import Ajv, { ValidateFunction } from 'ajv';
import * as fs from 'fs';
import * as path from 'path';
import { allowFormat, LAZY_SUBSCHEMA } from './schema-keywords';
import { yamlDocuments } from './yaml-file';

type Schema = Record<string, unknown>;

/**
 * Makes a CRD's structural openAPIV3Schema strict: objects with declared properties reject unknown fields
 * unless they preserve them; `x-kubernetes-int-or-string` becomes the intOrString keyword; `nullable`
 * admits null. CEL rules (x-kubernetes-validations) are not evaluated. With `lazy` (the default), each top-level
 * field but the metadata is a LAZY_SUBSCHEMA, compiled when an object first has it.
 */
export function strictCrdSchema(s: Schema, ajv: Ajv, metaRef?: string, root = true, lazy = true): Schema {
  if (s['x-kubernetes-int-or-string']) return { intOrString: true };
  // A root's metadata is the shared ObjectMeta (when given); its other fields are compiled lazily (when `lazy`).
  const propertySchema = (p: string, ps: Schema): Schema => {
    if (root && p === 'metadata' && metaRef) return { $ref: metaRef };
    const strict = strictCrdSchema(ps, ajv, metaRef, false);
    return root && lazy && p !== 'metadata' ? { [LAZY_SUBSCHEMA]: strict } : strict;
  };
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'description' || k === 'nullable' || k === 'default' || k === 'example' || k.startsWith('x-kubernetes-')) continue;
    if (k === 'properties') {
      out.properties = Object.fromEntries(Object.entries(v as Record<string, Schema>).map(([p, ps]) => [p, propertySchema(p, ps)]));
    } else if (k === 'items' || k === 'not' || (k === 'additionalProperties' && typeof v === 'object')) {
      out[k] = strictCrdSchema(v as Schema, ajv, metaRef, false);
    } else if (k === 'allOf' || k === 'anyOf' || k === 'oneOf') {
      out[k] = (v as Schema[]).map((x) => strictCrdSchema(x, ajv, metaRef, false));
    } else {
      if (k === 'format' && typeof v === 'string') allowFormat(ajv, v);
      out[k] = v;
    }
  }
  if (s.nullable === true && typeof out.type === 'string') out.type = [out.type, 'null'];
  if (out.properties && out.additionalProperties === undefined && !s['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

interface CrdVersion {
  name: string;
  served?: boolean;
  schema?: { openAPIV3Schema?: Schema };
}
interface Crd {
  kind: string;
  spec: { group: string; names: { kind: string }; versions: CrdVersion[] };
}

/**
 * Custom resource schemas from CRD files, compiled lazily per `apiVersion/kind`. A file is read by js-yaml when it
 * gives exactly the `yaml` package's documents (yamlDocuments, fastYamlDocuments: ~0.08 s against ~0.5 s for the two
 * large CRDs of the bundled example), else by the `yaml` package, whose errors a bad file reports.
 */
export class CrdSchemas {
  private readonly schemas = new Map<string, Schema>();
  /** CRD files not parsed yet, with their text: parsed only when a kind they mention is asked for. */
  private readonly pending = new Map<string, string>();
  private readonly compiled = new Map<string, ValidateFunction>();
  /** The CRD files read, for messages. */
  public readonly files: string[] = [];

  constructor(
    private readonly ajv: Ajv,
    private readonly metaRef?: string,
  ) {}

  /** Reads every CustomResourceDefinition in the YAML files of `dir` (recursively) or in one file. */
  public addPath(p: string): void {
    if (!fs.existsSync(p)) throw new SpecError([{ path: p, message: 'no such CRD file or folder: pass the folder of CustomResourceDefinition files (`edgewatt schemas pull` fetches them)' }], 'bad schema file');
    if (fs.statSync(p).isDirectory()) {
      for (const e of fs.readdirSync(p).sort()) this.addPath(path.join(p, e));
      return;
    }
    if (!/\.ya?ml$/.test(p)) return;
    this.files.push(p);
    const got = readRegularFile(p, undefined, true);
    if (typeof got === 'string') throw new SpecError([{ path: p, message: `${got}: pass CRD files (regular files) with --crds (library: schemas.crds)` }], 'bad schema file');
    this.pending.set(p, got.toString('utf8'));
  }

  private parse(file: string, text: string): void {
    this.pending.delete(file);
    for (const doc of yamlDocuments(text)) {
      if ('error' in doc) throw new SpecError([{ path: file, message: `is not valid YAML (${doc.error}): pass CustomResourceDefinition files with --crds (library: schemas.crds)` }], 'bad schema file');
      const crd = doc.value as Crd | null;
      if (!crd || crd.kind !== 'CustomResourceDefinition') continue;
      if (typeof crd.spec !== 'object' || crd.spec === null || !Array.isArray(crd.spec.versions)) {
        throw new SpecError([{ path: file, message: `holds a CustomResourceDefinition without spec.versions: pass CRDs as the API server serves them (apiextensions.k8s.io/v1)` }], 'bad schema file');
      }
      for (const v of crd.spec.versions ?? []) {
        if (v.served === false || !v.schema?.openAPIV3Schema) continue;
        this.schemas.set(`${crd.spec.group}/${v.name}/${crd.spec.names.kind}`, v.schema.openAPIV3Schema);
      }
    }
  }

  /** The `apiVersion/kind` pairs known. */
  public kinds(): string[] {
    for (const [file, text] of [...this.pending]) this.parse(file, text);
    return [...this.schemas.keys()].sort();
  }

  /**
   * The validator for `apiVersion/kind`, or undefined when no CRD defines it. Its top-level fields but the
   * metadata are compiled when an object first has them (LAZY_SUBSCHEMA); `eager` compiles the whole schema at
   * once (a new validator, not kept: to prove that a CRD compiles). @default eager false
   */
  public validator(apiVersion: string, kind: string, eager = false): ValidateFunction | undefined {
    const key = `${apiVersion}/${kind}`;
    if (!this.schemas.has(key)) {
      const mentions = new RegExp(`^\\s*kind: ["']?${kind.replace(/[^A-Za-z0-9]/g, '')}["']?\\s*$`, 'm');
      for (const [file, text] of [...this.pending]) if (mentions.test(text)) this.parse(file, text);
    }
    const schema = this.schemas.get(key);
    if (!schema) return undefined;
    if (eager) return this.ajv.compile(strictCrdSchema(schema, this.ajv, this.metaRef, true, false));
    let v = this.compiled.get(key);
    if (!v) {
      v = this.ajv.compile(strictCrdSchema(schema, this.ajv, this.metaRef));
      this.compiled.set(key, v);
    }
    return v;
  }
}
