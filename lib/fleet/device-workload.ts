import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';

/**
 * A workload some component wants fleet devices to run; the fleet component turns each into an
 * EdgeWorkload. This is how the energy component's device exporter and IoMT things placed on devices run.
 */
export interface DeviceWorkload {
  /** EdgeWorkload name (unique in the fleet). */
  readonly name: string;
  /** Device names it runs on (at least one). */
  readonly devices: ReadonlyArray<string>;
  readonly podSpec: k8s.PodSpec;
  /** Metrics the device agent scrapes from it. @default - none */
  readonly metrics?: { readonly port: number; readonly path: string; readonly intervalSeconds: number; readonly allowList?: ReadonlyArray<string> };
  /** Secret with registry credentials. @default - none */
  readonly imagePullSecret?: string;
  /** Log collection configured on the device set. @default - none */
  readonly logCollection?: string;
  /** Field path of what asked for it, for messages. */
  readonly path: string;
}
