import { StackSpec } from '../spec/stack';

/** Deployable components, in the order Argo CD syncs them (their sync waves follow this order). */
export const COMPONENTS = ['platform', 'energy', 'monitoring', 'events', 'fleet', 'iomt', 'dashboards'] as const;

/** A deployable component: one folder dist/<cluster>/<component>/. */
export type ComponentName = (typeof COMPONENTS)[number];

/** Pod Security Standards levels. */
export type { PodSecurityLevel } from '../core/policy';
import type { PodSecurityLevel } from '../core/policy';

/** A namespace the stack uses on one cluster. */
export interface NamespaceModel {
  readonly name: string;
  /** The component that owns it. */
  readonly component: ComponentName;
  /** The Pod Security level enforced on it. */
  readonly podSecurity: PodSecurityLevel;
  /** Why the namespace needs a level below `restricted`, shown in the policy report. */
  readonly exceptionReason?: string;
  /**
   * Created and managed outside the stack (the existing Prometheus Operator install's namespace): edgewatt
   * places objects in it but never emits, labels or deletes it. `podSecurity` is then not enforced by edgewatt.
   * @default false
   */
  readonly external?: boolean;
  /**
   * The namespace holds nothing of the stack: it exists on this cluster so that Multi-Cluster Services import these
   * Services (`<namespace>/<service>` of another cluster) here (NamespacePlan.importFor). @default none
   */
  readonly imports?: ReadonlyArray<string>;
}

/** One cluster, with what runs on it. */
export interface ClusterModel {
  readonly name: string;
  readonly server: string;
  readonly platform: StackSpec['clusters'][number]['platform'];
  /** The API server's addresses (clusters[].apiServerCIDRs). @default - not known */
  readonly apiServerCIDRs?: ReadonlyArray<string>;
  /** Addresses the cluster DNS answers on besides its pods (clusters[].dnsCIDRs). @default - none */
  readonly dnsCIDRs?: ReadonlyArray<string>;
  /** Namespaces used on this cluster, sorted by name. */
  readonly namespaces: ReadonlyArray<NamespaceModel>;
  /** Field path of the cluster in the stack. */
  readonly path: string;
}

type Spec<K extends keyof StackSpec> = NonNullable<StackSpec[K]>;
type EnergySpec = Spec<'energy'>;

/** Energy placement: which clusters run the exporter, where the model server runs. */
export interface EnergyModel {
  readonly kepler: EnergySpec['kepler'] & { readonly clusters: ReadonlyArray<string> };
  readonly modelServer?: NonNullable<EnergySpec['modelServer']> & { readonly cluster: string };
  readonly namespace: string;
}

type OperatorSpec = NonNullable<Spec<'monitoring'>['operator']>;
/** The existing Prometheus Operator install, defaults resolved (ServiceAccount and Service from the layout). */
export type OperatorModel = Required<Omit<OperatorSpec, 'receiverURL'>> & Pick<OperatorSpec, 'receiverURL'>;

/** The monitoring hub; `operator` is set exactly in prometheus-operator mode. */
export type MonitoringModel = Omit<Spec<'monitoring'>, 'operator'> & { readonly cluster: string; readonly operator?: OperatorModel };

/** Grafana placement. */
export type DashboardsModel = Spec<'dashboards'> & { readonly cluster: string };

type FleetSpec = Spec<'fleet'>;
/** A power source as declared (lib/spec/fleet.ts devicePowerSchema). */
export type DevicePowerDeclaration = NonNullable<FleetSpec['defaultPower']>;
/** A device set's resolved power source, with the field path it was declared at. */
export type DevicePowerModel = DevicePowerDeclaration & { readonly path: string };
/** A device set, with its field path; `power` resolved (the set's own, else the fleet default, else none). */
export type DeviceSetModel = Omit<FleetSpec['deviceSets'][number], 'power'> & { readonly path: string; readonly power?: DevicePowerModel };
/** A device, with its field path. */
export type DeviceModel = FleetSpec['devices'][number] & { readonly path: string };

/** A workload with the devices it runs on (sorted), and its field path. */
export type WorkloadModel = FleetSpec['workloads'][number] & { readonly path: string; readonly targets: ReadonlyArray<string> };

/** The fleet: device sets, devices and workloads sorted by name. */
export interface FleetModel {
  readonly cluster: string;
  readonly namespace: string;
  readonly deviceSets: ReadonlyArray<DeviceSetModel>;
  readonly devices: ReadonlyArray<DeviceModel>;
  readonly workloads: ReadonlyArray<WorkloadModel>;
  /**
   * Whether some listed device has a power source (its set's, or the default set's): then the stack records device
   * power (lib/model/device-power.ts hasPoweredDevice). False for a fleet that declares power but lists no device yet.
   */
  readonly recordsPower: boolean;
  /** Power of the devices in no set (the generated set `edgewatt-default`). @default - none */
  readonly defaultPower?: DevicePowerModel;
  /** How devices reach the device metrics gateway. @default - none (no devices, or no bundled monitoring) */
  readonly receiver?: FleetSpec['receiver'];
  /** How devices reach the Flotta edge API. @default - none (no devices) */
  readonly edgeAPI?: FleetSpec['edgeAPI'];
}

type PipelineSpec = Spec<'iomt'>['pipelines'][number];
/** The canonical thing kinds (MAnalyser is read as MAnalyzer). */
export type ThingKind = 'MSensor' | 'MAnalyzer' | 'MActuator' | 'MStorage';
/** A thing of a pipeline, kind normalized, with its field path. */
export type ThingModel = Omit<PipelineSpec['things'][number], 'kind'> & { readonly kind: ThingKind; readonly path: string };
/** A link of a pipeline, with its field path. */
export type LinkModel = PipelineSpec['links'][number] & { readonly path: string };

/** A pipeline placed on a cluster and namespace; things and links sorted. */
export interface PipelineModel {
  readonly name: string;
  readonly cluster: string;
  readonly namespace: string;
  readonly things: ReadonlyArray<ThingModel>;
  readonly links: ReadonlyArray<LinkModel>;
  readonly path: string;
}

/** The resolved stack: defaults applied, placements decided, references checked. Lists sorted by name. */
export interface StackModel {
  readonly name: string;
  readonly gitops?: Spec<'gitops'>;
  readonly clusters: ReadonlyArray<ClusterModel>;
  readonly energy?: EnergyModel;
  readonly monitoring?: MonitoringModel;
  readonly dashboards?: DashboardsModel;
  readonly fleet?: FleetModel;
  readonly iomt?: {
    readonly pipelines: ReadonlyArray<PipelineModel>;
    /**
     * The registries of the things' images (lib/core/versions.ts registryOf), sorted: derived here, once, so that
     * what reads them (the image-registry alert of every cluster's monitoring) does not read every thing's image, and
     * is reused after a change to an image from the same registry (lib/synth/read-record.ts).
     */
    readonly registries: ReadonlyArray<string>;
  };
  /** The parsed spec the model was resolved from. */
  readonly spec: StackSpec;
}
