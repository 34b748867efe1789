/** A Kubernetes object as JSON, the way the API server sends it: no typed conversion, nothing dropped. */
export interface LiveObject {
  apiVersion?: string;
  kind?: string;
  metadata?: {
    name?: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
    managedFields?: Array<{ manager?: string; operation?: string; subresource?: string; time?: string }>;
    [key: string]: unknown;
  };
  [key: string]: unknown;
}

/** Which object: enough to find it on the API server. */
export interface ObjectRef {
  readonly apiVersion: string;
  readonly kind: string;
  readonly name: string;
  /** Absent for cluster-scoped kinds. */
  readonly namespace?: string;
}

/** Options of a server-side apply. */
export interface ApplyOptions {
  /** Send `dryRun=All`: the server validates and admits but persists nothing. */
  readonly dryRun: boolean;
  /** The field manager the apply is made as. */
  readonly fieldManager: string;
  /** Take over fields other managers own instead of failing with a conflict. */
  readonly force: boolean;
}

/**
 * What the live commands need from a cluster. The CLI connects one through @kubernetes/client-node
 * (lib/live/kube.ts); tests may pass their own.
 */
export interface LiveClient {
  /** Where requests go, for messages: the context name and the server URL. */
  readonly describe: string;
  /** Every object of a kind, following `continue` tokens; a namespace limits the list to it. */
  list(apiVersion: string, kind: string, opts?: { namespace?: string; labelSelector?: string }): Promise<LiveObject[]>;
  /** One object, or undefined when the server answers 404. */
  read(ref: ObjectRef): Promise<LiveObject | undefined>;
  /** Server-side apply of `object` exactly as given; answers the object the server would store. */
  apply(object: LiveObject, opts: ApplyOptions): Promise<LiveObject>;
}

/** A `Status` the API server answered instead of the object: what it rejected and why. */
export class ApiRejection extends Error {
  constructor(
    /** HTTP status code. */
    public readonly code: number,
    /** `Status.reason`, e.g. Invalid, NotFound, Forbidden, Conflict. */
    public readonly reason: string,
    message: string,
    /** `Status.details.causes`: which field and why. */
    public readonly causes: ReadonlyArray<{ field?: string; message?: string; reason?: string }>,
  ) {
    super(message);
  }
}

/** The server does not serve the object's API group, version or kind (its CRD is not installed). */
export class KindNotServed extends ApiRejection {
  constructor(message: string) {
    super(404, 'NotFound', message, []);
  }
}

/** The fields a rejection names, one per line: `<indent>field: message`. */
export function causeLines(causes: ApiRejection['causes'], indent: string): string {
  return causes.map((c) => `${indent}${c.field ?? '(object)'}: ${c.message ?? ''}\n`).join('');
}

/** The cluster could not be reached, or would not let edgewatt in; nothing was compared. */
export class ClusterUnavailable extends Error {}
