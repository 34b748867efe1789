import { ApiObject, ApiObjectMetadata } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';

/**
 * Typed constructs for the Flotta objects edgewatt writes (management.project-flotta.io/v1alpha1), with
 * the fields of the upstream CRDs edgewatt uses; every emitted object is validated against those CRDs.
 *
 * Kept in Git: EdgeDeviceSet, EdgeDevice (labels, set membership, per-device overrides), EdgeWorkload, and
 * EdgeDeviceSignedRequest (a pre-approved registration: the GitOps way to admit a known device). The
 * operator writes the status of all of them, and creates EdgeDevices for devices that register unlisted.
 */
export const FLOTTA_API_VERSION = 'management.project-flotta.io/v1alpha1';

/** The label Flotta uses for device set membership. */
export const FLOTTA_SET_LABEL = 'flotta/member-of';

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

/** Spec of EdgeDeviceSet and EdgeDevice (the fields edgewatt writes). */
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
  readonly targetNamespace: string;
  readonly targetSet?: string;
  readonly approved: boolean;
}

abstract class FlottaObject<S> extends ApiObject {
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

/** A device; its set membership is the `flotta/member-of` label. */
export class EdgeDevice extends FlottaObject<EdgeDeviceSpec> {
  constructor(scope: Construct, id: string, props: { metadata: ApiObjectMetadata; spec: EdgeDeviceSpec }) {
    super(scope, id, 'EdgeDevice', props.metadata, props.spec, (s) => s);
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
