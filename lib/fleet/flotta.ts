import { ApiObjectMetadata, Chart } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { FLOTTA_SET_LABEL } from '../core/fleet-sets';
import { addNew } from '../core/names';
import { PlainApiObject, plainObjectToJson, rendersPlain } from '../core/plain-api-object';
import { RenderRequest, requestRenderer } from './request-renderer';

/** The label Flotta uses for device set membership (lib/core/fleet-sets.ts). */
export { FLOTTA_SET_LABEL };

/**
 * Typed constructs for the Flotta objects edgewatt writes (management.project-flotta.io/v1alpha1), with
 * the fields of the upstream CRDs edgewatt uses; every emitted object is validated against those CRDs.
 *
 * Kept in Git: EdgeDeviceSet, EdgeWorkload, and EdgeDeviceSignedRequest (a pre-approved registration: the
 * GitOps way to admit a known device into its namespace and set). Never an EdgeDevice: the operator creates it
 * from the approved request, and one applied from Git blocks the device's registration (./registration.ts).
 */
export const FLOTTA_API_VERSION = 'management.project-flotta.io/v1alpha1';


/** Metrics settings of a device or device set. */
export interface FlottaMetrics {
  readonly system?: { readonly interval?: number; readonly disabled?: boolean; readonly allowList?: { readonly name: string } };
  readonly receiverConfiguration?: { readonly url: string; readonly requestNumSamples?: number; readonly timeoutSeconds?: number; readonly caSecretName?: string };
}

/** Heartbeat settings of a device or device set. */
export interface FlottaHeartbeat {
  readonly periodSeconds: number;
  readonly hardwareProfile?: { readonly include: boolean; readonly scope?: 'full' | 'delta' };
}

/** Spec of EdgeDeviceSet (the fields edgewatt writes). */
export interface EdgeDeviceSpec {
  readonly heartbeat?: FlottaHeartbeat;
  readonly metrics?: FlottaMetrics;
}

/** Spec of EdgeWorkload (the fields edgewatt writes). */
export interface EdgeWorkloadSpec {
  readonly type: 'pod';
  readonly device?: string;
  readonly deviceSelector?: { readonly matchLabels?: Record<string, string>; readonly matchExpressions?: Array<{ key: string; operator: 'In'; values: string[] }> };
  readonly pod: { readonly spec: k8s.PodSpec };
  readonly imageRegistries?: { readonly secretRef: { readonly name: string } };
  readonly logCollection?: string;
  readonly metrics?: { readonly port: number; readonly path: string; readonly interval: number; readonly allowList?: { readonly name: string } };
}

/** Spec of EdgeDeviceSignedRequest. */
export interface EdgeDeviceSignedRequestSpec {
  /** Namespace the operator creates the EdgeDevice in. */
  readonly targetNamespace: string;
  /** Set the EdgeDevice joins (its `flotta/member-of` label). @default - none */
  readonly targetSet?: string;
  readonly approved: boolean;
}

/** Rendered without cdk8s's per-value resolve walk when it would change nothing (../core/plain-api-object.ts). */
abstract class FlottaObject<S> extends PlainApiObject {
  protected constructor(scope: Construct, id: string, kind: string, metadata: ApiObjectMetadata, spec: S, toJson: (s: S) => unknown) {
    super(scope, id, { apiVersion: FLOTTA_API_VERSION, kind, metadata, spec: toJson(spec) as Record<string, unknown> });
  }
}

/** A set of devices sharing heartbeat and metrics settings. */
export class EdgeDeviceSet extends FlottaObject<EdgeDeviceSpec> {
  constructor(scope: Construct, id: string, props: { metadata: ApiObjectMetadata; spec: EdgeDeviceSpec }) {
    super(scope, id, 'EdgeDeviceSet', props.metadata, props.spec, (s) => s);
  }
}

/** Containers that devices run with podman. */
export class EdgeWorkload extends FlottaObject<EdgeWorkloadSpec> {
  constructor(scope: Construct, id: string, props: { metadata: ApiObjectMetadata; spec: EdgeWorkloadSpec }) {
    super(scope, id, 'EdgeWorkload', props.metadata, props.spec, (s) => ({ ...s, pod: { spec: k8s.toJson_PodSpec(s.pod.spec) } }));
  }
}

/** A registration request; pre-approved, it admits a known device into its namespace and set. */
export class EdgeDeviceSignedRequest extends FlottaObject<EdgeDeviceSignedRequestSpec> {
  constructor(scope: Construct, id: string, props: { metadata: ApiObjectMetadata; spec: EdgeDeviceSignedRequestSpec }) {
    super(scope, id, 'EdgeDeviceSignedRequest', props.metadata, props.spec, (s) => s);
  }
}

/**
 * Many pre-approved registration requests as one construct: each renders exactly as an EdgeDeviceSignedRequest
 * of the same props in the same chart (the chart's labels and namespace applied as cdk8s applies them; the same
 * JSON, key order included), without a construct per device. At 100,000 devices the constructs were most of the
 * fleet chart's 2 s and of its garbage. They are not ApiObjects, so the chart that holds them gives them as its
 * plain objects (ChartWithPlainObjects, charts/fleet.ts). In an app with a custom resolver, or with
 * CDK8S_DISABLE_SORT, each request is an EdgeDeviceSignedRequest construct under this one instead (cdk8s renders
 * those), and toJson gives none.
 */
export class EdgeDeviceSignedRequests extends Construct {
  /**
   * The requests in the order added: props (add), or the index of a device in `deviceNames` and `targetSets`
   * (addDevice; made into props only when rendered, and no object per device until then).
   */
  private readonly requests: Array<RequestProps | number> = [];
  /** The device names addDevice added, in the order added. */
  private readonly deviceNames: string[] = [];
  /** The set of each device in deviceNames. */
  private readonly targetSets: string[] = [];
  /**
   * Every name added, once they stopped coming in increasing order (see claim); until then the last one is enough to
   * tell a name new.
   */
  private readonly names = new Set<string>();
  private last: string | undefined;
  private increasing: boolean;
  private readonly plain: boolean;

  /** `devices`: what every request addDevice adds shares (see DeviceRequests). @default - none: only `add` */
  public constructor(
    scope: Construct,
    id: string,
    private readonly devices?: DeviceRequests,
  ) {
    super(scope, id);
    this.plain = rendersPlain(this);
    // A construct per request (not plain) is named by its id: the set of names is kept from the start.
    this.increasing = this.plain;
  }

  /** Adds one request (its metadata must name it; a name added twice throws, as a second construct id would). */
  public add(props: RequestProps): void {
    this.claim(props.metadata.name);
    if (this.plain) this.requests.push(props);
    else new EdgeDeviceSignedRequest(this, `registration-${props.metadata.name}`, props);
  }

  /**
   * Adds the pre-approved request of device `name` into `targetSet`: named after the device, in the shared namespace,
   * with the shared labels and `nameLabel: name`, for the shared targetNamespace (the constructor's `devices`). Its
   * object is the one the last toJson in this process gave for the same device and settings, when there is one
   * (frozen: see toJson).
   */
  public addDevice(name: string, targetSet: string): void {
    if (this.devices === undefined) throw new Error(`${this.node.path}: addDevice needs the constructor's devices settings`);
    this.claim(name);
    if (this.plain) {
      this.requests.push(this.deviceNames.length);
      this.deviceNames.push(name);
      this.targetSets.push(targetSet);
    } else new EdgeDeviceSignedRequest(this, `registration-${name}`, deviceProps(this.devices, name, targetSet));
  }

  /**
   * Throws when `name` was added before. Names added in increasing order (code-unit order, as the fleet chart adds
   * its devices, sorted by name) are new by that alone, so a 100,000-device fleet builds no set of names; from the
   * first name out of that order on, every name is kept in a set.
   */
  private claim(name: string): void {
    if (this.increasing) {
      if (this.last === undefined || name > this.last) {
        this.last = name;
        return;
      }
      this.increasing = false;
      for (const r of this.requests) this.names.add(typeof r === 'number' ? this.deviceNames[r] : r.metadata.name);
    }
    if (!addNew(this.names, name)) throw new Error(`There is already a registration request named "${name}" in ${this.node.path}`);
  }

  /** How many requests were added. */
  public get size(): number {
    // While the names come in increasing order every request is in `requests` (only then is the set of names not kept).
    return this.increasing ? this.requests.length : this.names.size;
  }

  /**
   * The requests as cdk8s renders an EdgeDeviceSignedRequest each, in the order added. Those of `add` are new objects
   * on every call. Those of addDevice are frozen, and kept for the next call in this process (only the last call's
   * are kept): a device whose request has the same name and set, under the same chart namespace and labels and
   * shared settings, gets the same object again, so the synth sizes, digests and copies it only once (a one-device
   * change to a 100,000-device fleet renders one request).
   */
  public toJson(): Array<Record<string, unknown>> {
    const chart = Chart.of(this);
    const render = ({ metadata, spec }: RequestProps) =>
      plainObjectToJson({
        apiVersion: FLOTTA_API_VERSION,
        kind: 'EdgeDeviceSignedRequest',
        metadata: { ...metadata, namespace: metadata.namespace ?? chart.namespace, labels: { ...chart.labels, ...metadata.labels } },
        spec,
      });
    const devices = this.devices;
    if (devices === undefined) return this.requests.map((r) => render(r as RequestProps));
    const shared = JSON.stringify([chart.namespace ?? null, chart.labels, devices]);
    const previous = keptRequests?.shared === shared ? keptRequests : undefined;
    const finder = previous ? keptFinder(previous) : undefined;
    const { deviceNames, targetSets } = this;
    const objects: Array<Readonly<Record<string, unknown>>> = [];
    let renderDevice: RenderRequest | undefined;
    // An unchanged device costs a lookup of its name among the last call's (by walking both lists when they are in
    // increasing order, as the fleet chart's are) and no allocation.
    const out = this.requests.map((r) => {
      if (typeof r !== 'number') return render(r);
      const name = deviceNames[r];
      const set = targetSets[r];
      const j = finder === undefined ? -1 : finder(name);
      let object = j >= 0 && previous!.targetSets[j] === set ? previous!.objects[j] : undefined;
      if (object === undefined) {
        renderDevice ??= requestRenderer((n, targetSet) => render(deviceProps(devices, n, targetSet)), devices.nameLabel);
        object = renderDevice(name, set);
      }
      objects.push(object);
      return object as Record<string, unknown>;
    });
    keptRequests = { shared, names: deviceNames.slice(), targetSets: targetSets.slice(), objects, increasing: this.plain && this.increasing };
    return out;
  }
}

/**
 * A lookup of device names in `kept` (the index of each, -1 when it is not there). While the names asked come in
 * increasing order and kept's are in increasing order too, both lists are walked together (two string comparisons a
 * name); from a name out of that order on, a map of kept's names is built and asked instead.
 */
function keptFinder(kept: KeptRequests): (name: string) => number {
  const names = kept.names;
  let walking = kept.increasing;
  let j = 0;
  let last: string | undefined;
  let index: Map<string, number> | undefined;
  return (name) => {
    if (walking) {
      if (last === undefined || name > last) {
        last = name;
        while (j < names.length && names[j] < name) j++;
        return j < names.length && names[j] === name ? j : -1;
      }
      walking = false;
    }
    if (index === undefined) {
      index = new Map();
      for (let i = names.length - 1; i >= 0; i--) index.set(names[i], i);
    }
    return index.get(name) ?? -1;
  };
}

/** The props of one registration request. */
type RequestProps = { readonly metadata: ApiObjectMetadata & { readonly name: string }; readonly spec: EdgeDeviceSignedRequestSpec };

/** The props of device `name`'s request into `targetSet` (EdgeDeviceSignedRequests.addDevice). */
function deviceProps(d: DeviceRequests, name: string, targetSet: string): RequestProps {
  const labels = { ...d.labels, [d.nameLabel]: name };
  const metadata = d.annotations ? { name, namespace: d.namespace, labels, annotations: { ...d.annotations } } : { name, namespace: d.namespace, labels };
  return { metadata, spec: { targetNamespace: d.targetNamespace, targetSet, approved: true } };
}

/** What every request EdgeDeviceSignedRequests.addDevice adds shares. */
export interface DeviceRequests {
  /** Namespace of the requests (where the edge API reads them). */
  readonly namespace: string;
  /** Labels of every request. */
  readonly labels: Readonly<Record<string, string>>;
  /** Label naming each request's device (its value is the device name). */
  readonly nameLabel: string;
  /** Namespace the operator creates each EdgeDevice in. */
  readonly targetNamespace: string;
  /**
   * Annotations of every request (the fleet chart gives Argo CD's sync options here, so the synth does not copy
   * 100,000 frozen requests to add them: lib/gitops/sync.ts skipDryRunForExternalCrds). @default - none
   */
  readonly annotations?: Readonly<Record<string, string>>;
}

/**
 * The device requests the last EdgeDeviceSignedRequests.toJson gave, under its shared settings: each device's name,
 * set and object, in the order added, and whether the names were added in increasing order.
 */
interface KeptRequests {
  readonly shared: string;
  readonly names: ReadonlyArray<string>;
  readonly targetSets: ReadonlyArray<string>;
  readonly objects: ReadonlyArray<Readonly<Record<string, unknown>>>;
  readonly increasing: boolean;
}

let keptRequests: KeptRequests | undefined;

/** Forgets the device requests the last toJson kept (the next toJson renders every request). */
export function forgetDeviceRequests(): void {
  keptRequests = undefined;
}
