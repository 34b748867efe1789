import { SpecError } from '../core/errors';
import { readRegularFile } from '../synth/tree';
import Ajv, { ValidateFunction } from 'ajv';
import { kubeAjv } from './schema-keywords';

type Schema = Record<string, unknown>;

/** Where the Kubernetes definitions are registered in ajv. */
export const K8S_SCHEMA_ID = 'kubernetes-openapi';
/** The ObjectMeta definition, also used for the metadata of custom resources. */
export const OBJECT_META_REF = `${K8S_SCHEMA_ID}#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta`;

/**
 * Makes an OpenAPI v2 definition strict: objects with declared properties reject unknown fields (as
 * kubeconform -strict does), int-or-string and quantity get their own keywords, refs point into ajv's copy.
 * Walks schema keywords only, never property names (a field may be called "format" or "type").
 */
export function strictSwaggerSchema(s: Schema): Schema {
  if (s.format === 'int-or-string') return { intOrString: true };
  const out: Schema = {};
  for (const [k, v] of Object.entries(s)) {
    if (k === 'description' || k.startsWith('x-kubernetes-')) continue;
    if (k === '$ref' && typeof v === 'string') out.$ref = v.replace(/^#\/definitions\//, `${K8S_SCHEMA_ID}#/definitions/`);
    else if (k === 'properties') {
      out.properties = Object.fromEntries(Object.entries(v as Record<string, Schema>).map(([p, ps]) => [p, strictSwaggerSchema(ps)]));
    } else if (k === 'items' || (k === 'additionalProperties' && typeof v === 'object')) out[k] = strictSwaggerSchema(v as Schema);
    else out[k] = v;
  }
  if (out.properties && out.additionalProperties === undefined && !s['x-kubernetes-preserve-unknown-fields']) {
    out.additionalProperties = false;
  }
  return out;
}

interface SwaggerDoc {
  definitions: Record<string, Schema & { 'x-kubernetes-group-version-kind'?: Array<{ group: string; version: string; kind: string }> }>;
}

/** The official Kubernetes OpenAPI document, compiled lazily one kind at a time and cached. */
export class KubernetesSchemas {
  /** `apiVersion/kind` → definition name. */
  private readonly kinds = new Map<string, string>();
  private readonly compiled = new Map<string, ValidateFunction>();

  /** Loads an OpenAPI v2 document (`kubectl get --raw /openapi/v2`) into `ajv`. */
  constructor(
    public readonly ajv: Ajv,
    file: string,
  ) {
    const fix = 'get one with `kubectl get --raw /openapi/v2 > k8s-openapi.json` and pass it with --k8s-openapi (library: schemas.k8sOpenApi)';
    let doc: SwaggerDoc;
    try {
      const got = readRegularFile(file, 512 * 1024 * 1024, true); // the v1.35 document is 3.6 MB; a link to it is followed
      if (typeof got === 'string') throw new SpecError([{ path: file, message: `${got}: ${fix}` }], 'bad schema file');
      doc = JSON.parse(got.toString('utf8')) as SwaggerDoc;
    } catch (e) {
      if (e instanceof SpecError) throw e;
      const why = e instanceof SyntaxError ? `is not JSON (${e.message})` : `cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
      throw new SpecError([{ path: file, message: `${why}: ${fix}` }], 'bad schema file');
    }
    if (doc === null || typeof doc !== 'object' || typeof doc.definitions !== 'object' || doc.definitions === null) {
      throw new SpecError([{ path: file, message: `is not a Kubernetes OpenAPI v2 document (no "definitions"): ${fix}` }], 'bad schema file');
    }
    const definitions: Record<string, Schema> = {};
    for (const [name, def] of Object.entries(doc.definitions)) {
      definitions[name] = name === 'io.k8s.apimachinery.pkg.api.resource.Quantity' ? { quantity: true } : strictSwaggerSchema(def);
      for (const gvk of def['x-kubernetes-group-version-kind'] ?? []) {
        const apiVersion = gvk.group ? `${gvk.group}/${gvk.version}` : gvk.version;
        const key = `${apiVersion}/${gvk.kind}`;
        // Prefer the definition in the kind's own API group over shared ones such as DeleteOptions.
        if (!this.kinds.has(key) || name.endsWith(`.${gvk.kind}`)) this.kinds.set(key, name);
      }
    }
    // The document is trusted input; checking it against the meta-schema costs more than all validation.
    ajv.addSchema({ $id: K8S_SCHEMA_ID, definitions }, undefined, undefined, false);
  }

  /** Opens a document at `file` with a fresh ajv instance. */
  public static load(file: string): KubernetesSchemas {
    return new KubernetesSchemas(kubeAjv(), file);
  }

  /** The validator for `apiVersion/kind`, or undefined when the document does not define it. */
  public validator(apiVersion: string, kind: string): ValidateFunction | undefined {
    const key = `${apiVersion}/${kind}`;
    const name = this.kinds.get(key);
    if (name === undefined) return undefined;
    let v = this.compiled.get(key);
    if (!v) {
      v = this.ajv.compile({ $ref: `${K8S_SCHEMA_ID}#/definitions/${name}` });
      this.compiled.set(key, v);
    }
    return v;
  }
}
