// Generated from the stack contract (lib/spec) by lib/api/props-codegen.ts: do not edit by hand.
// Regenerate with `npm run synth` (or `node build/lib/api/props-codegen.js > lib/api/stack-props.ts`).
/** `gitops` in the stack, as you write it; fields with a default may be left out. */
export interface GitOpsProps {
  /**
   * The Git repository Argo CD reads the synthesized YAML from.
   */
  readonly repoURL: string;
  /**
   * Branch, tag or commit Argo CD follows.
   * @default HEAD
   */
  readonly targetRevision?: string;
  /**
   * Folder of the repository that holds the synthesized YAML.
   * @default dist
   */
  readonly path?: string;
  /**
   * One Application per folder with sync waves and a root app-of-apps per cluster, or one ApplicationSet with a git directory generator.
   * @default applications
   */
  readonly mode?: "applications" | "applicationset";
  /**
   * Namespace of Argo CD, where the Applications live.
   * @default argocd
   */
  readonly argocdNamespace?: string;
  /**
   * Write argocd/argocd-cm/application-health-check.yaml, the Application health check (a merge patch of argocd-cm, applied with kubectl patch; never an argocd-cm object) that makes sync waves wait for child Applications to be Healthy. Applications mode only.
   * @default true
   */
  readonly applicationHealthCheck?: boolean;
}

/** `helm` in the stack, as you write it; fields with a default may be left out. */
export interface HelmPackagingProps {
  /**
   * Chart version of every cluster chart. Raise it whenever the rendered content changes: `synth --format helm` (and `--check`) fails, naming the chart, when the content digest in Chart.yaml changed but the version did not.
   * @default - derived from the content: 0.0.0-sha-<first 12 hex digits of the content digest>
   */
  readonly version?: string;
  /**
   * appVersion of every cluster chart (free-form, shown by Helm and Argo CD).
   * @default - the chart version
   */
  readonly appVersion?: string;
}

/** `clusters[]` in the stack, as you write it; fields with a default may be left out. */
export interface ClusterProps {
  /**
   * Cluster name: the folder dist/<name>/ and the value of the `cluster` label.
   */
  readonly name: string;
  /**
   * API server URL as Argo CD knows the cluster.
   * @default https://kubernetes.default.svc
   */
  readonly server?: string;
  /**
   * Kubernetes distribution.
   * @default generic
   */
  readonly platform?: "k3s" | "kubeadm" | "openshift" | "generic";
  /**
   * Addresses of the cluster's API server endpoints, as pods reach them after the `kubernetes` Service's DNAT (`kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes`). Pods with an egress NetworkPolicy that call the API server (kube-eventer) may then reach only these.
   * @default - not known: those pods may reach any address on the API server's ports (443 and 6443; 6443 only on k3s, kubeadm and OpenShift)
   */
  readonly apiServerCIDRs?: ReadonlyArray<string>;
  /**
   * Addresses the cluster DNS answers on when pods do not reach it at its pods: with NodeLocal DNSCache (a host-network cache on every node), its link-local address (169.254.20.10/32) and the kube-dns Service's ClusterIP it also binds. Pods with an egress NetworkPolicy (kube-eventer) may then reach these on 53 too.
   * @default - none: only the DNS pods (kube-dns in kube-system; on OpenShift, openshift-dns)
   */
  readonly dnsCIDRs?: ReadonlyArray<string>;
}

/** `energy.kepler.redfish` in the stack, as you write it; fields with a default may be left out. */
export interface KeplerRedfishProps {
  /**
   * Name of a Secret, created outside Git, holding the BMC credentials.
   */
  readonly credentialsSecret: string;
  /**
   * Accept the BMCs' certificates unverified. Kepler v0.7.12 checks them against its image's system CAs only (no CA can be given), so BMCs with self-signed certificates report no platform power unless this is true.
   * @default false
   */
  readonly skipTLSVerify?: boolean;
}

/** `energy.kepler.tolerations[]` in the stack, as you write it; fields with a default may be left out. */
export interface TolerationProps {
  /**
   * @default - not set
   */
  readonly key?: string;
  /**
   * @default - not set
   */
  readonly operator?: "Exists" | "Equal";
  /**
   * @default - not set
   */
  readonly value?: string;
  /**
   * @default - not set
   */
  readonly effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
  /**
   * @default - not set
   */
  readonly tolerationSeconds?: number;
}

/** `energy.kepler.resources.requests` in the stack, as you write it; fields with a default may be left out. */
export interface ResourceAmountsProps {
  /**
   * @default - not set
   */
  readonly cpu?: string;
  /**
   * @default - not set
   */
  readonly memory?: string;
}

/** `energy.kepler.resources` in the stack, as you write it; fields with a default may be left out. */
export interface ResourcesProps {
  /**
   * @default - not set
   */
  readonly requests?: ResourceAmountsProps;
  /**
   * @default - not set
   */
  readonly limits?: ResourceAmountsProps;
}

/** `energy.kepler` in the stack, as you write it; fields with a default may be left out. */
export interface KeplerProps {
  /**
   * Clusters that run the exporter on every node.
   * @default - every cluster
   */
  readonly clusters?: ReadonlyArray<string>;
  /**
   * classic (eBPF, estimator and model server) or current (RAPL and /proc only).
   * @default current
   */
  readonly generation?: "classic" | "current";
  /**
   * Measure NVIDIA GPU power, through NVML (current generation only: the classic release-0.7.12 image has no NVIDIA support compiled in).
   * @default false
   */
  readonly gpu?: boolean;
  /**
   * Platform power from the BMC over Redfish (classic).
   * @default - off
   */
  readonly redfish?: KeplerRedfishProps;
  /**
   * Emit per-process power metrics.
   * @default false
   */
  readonly processMetrics?: boolean;
  /**
   * Run the exporter only on nodes with these labels.
   * @default - every node
   */
  readonly nodeSelector?: { readonly [key: string]: string };
  /**
   * Tolerations added to the default, which tolerates every taint.
   * @default - none added
   */
  readonly tolerations?: ReadonlyArray<TolerationProps>;
  /**
   * Exporter container resources, merged over the generation's.
   * @default - 100m CPU requested; memory 128Mi requested and 512Mi limit (current generation) or 400Mi and 800Mi (classic)
   */
  readonly resources?: ResourcesProps;
  /**
   * Namespace of the exporter, labelled Pod Security privileged; nothing else runs there.
   * @default kepler
   */
  readonly namespace?: string;
}

/** `energy.modelServer.exposure|0` in the stack, as you write it; fields with a default may be left out. */
export interface McsExposureProps {
  readonly transport: "mcs";
  /**
   * Pod CIDRs of the remote clusters that connect through the Multi-Cluster Services implementation.
   */
  readonly remotePodCIDRs: ReadonlyArray<string>;
}

/** `energy.modelServer.exposure|1` in the stack, as you write it; fields with a default may be left out. */
export interface IngressExposureProps {
  readonly transport: "ingress";
  /**
   * Host name the Ingress serves (TLS).
   */
  readonly host: string;
  /**
   * Secret of type kubernetes.io/tls with the certificate for host, in the destination namespace.
   */
  readonly tlsSecret: string;
  /**
   * IngressClass.
   * @default - the cluster default class
   */
  readonly ingressClassName?: string;
  /**
   * Namespace of the ingress controller's pods, admitted by the NetworkPolicy.
   * @default kube-system (k3s's Traefik)
   */
  readonly controllerNamespace?: string;
}

/** `energy.modelServer` in the stack, as you write it; fields with a default may be left out. */
export interface ModelServerProps {
  /**
   * Cluster that runs the model server.
   * @default - the monitoring cluster, or the only cluster
   */
  readonly cluster?: string;
  /**
   * Size of the volume for trained models.
   * @default 5Gi
   */
  readonly storage?: string;
  /**
   * Model pipeline archives the server loads at start.
   * @default - the model server's built-in defaults
   */
  readonly initialModelURLs?: ReadonlyArray<string>;
  /**
   * Run the online trainer, learning from the hub Prometheus (needs monitoring, and the model server on the monitoring cluster).
   * @default false
   */
  readonly onlineTrainer?: boolean;
  /**
   * How Kepler exporters on other clusters reach the model server: mcs, ingress or loadBalancer. Required when Kepler runs on a cluster other than the model server's.
   * @default - none
   */
  readonly exposure?: McsExposureProps | IngressExposureProps;
}

/** `energy` in the stack, as you write it; fields with a default may be left out. */
export interface EnergyProps {
  /**
   * The Kepler power exporter, a DaemonSet on every node.
   * @default {"generation":"current","gpu":false,"processMetrics":false,"namespace":"kepler"}
   */
  readonly kepler?: KeplerProps;
  /**
   *
   * @default - no model server
   */
  readonly modelServer?: ModelServerProps;
  /**
   * Namespace of the energy components that need no privileges (model server).
   * @default energy
   */
  readonly namespace?: string;
}

/** `monitoring.operator` in the stack, as you write it; fields with a default may be left out. */
export interface MonitoringOperatorProps {
  /**
   * How the install was made: the kube-prometheus-stack Helm chart (selects monitors and rules labelled release: <release>) or kube-prometheus jsonnet (selects everything, but its Prometheus has RBAC only in default, kube-system and its own namespace).
   * @default kube-prometheus-stack
   */
  readonly layout?: "kube-prometheus-stack" | "kube-prometheus";
  /**
   * Helm release name of kube-prometheus-stack: every PodMonitor and PrometheusRule carries the label release=<release>.
   * @default kube-prometheus-stack
   */
  readonly release?: string;
  /**
   * Namespace of the install's Prometheus; external: edgewatt neither creates, labels nor deletes it.
   * @default monitoring
   */
  readonly namespace?: string;
  /**
   * ServiceAccount of the install's Prometheus; it gets a Role to discover pods in every namespace edgewatt asks it to scrape.
   * @default - prometheus-k8s (kube-prometheus), <fullname>-prometheus (kube-prometheus-stack)
   */
  readonly serviceAccount?: string;
  /**
   * Service of the install's Prometheus (port 9090), queried by Grafana.
   * @default - prometheus-k8s (kube-prometheus), <fullname>-prometheus (kube-prometheus-stack)
   */
  readonly service?: string;
  /**
   * Remote-write receiver of the hub's Prometheus as devices (and, with install, edge clusters) reach it, e.g. https://prometheus.example.com/api/v1/write. Required when fleet devices send metrics.
   * @default - none
   */
  readonly receiverURL?: string;
  /**
   * Install kube-prometheus-stack (chart 88.5.3) with an Argo CD Application on every cluster, with this release name and namespace.
   * @default false (an install exists)
   */
  readonly install?: boolean;
}

/** `monitoring.selection` in the stack, as you write it; fields with a default may be left out. */
export interface MonitoringSelectionProps {
  /**
   * Fraction of nodes and devices monitored, stable per target (hashmod).
   */
  readonly sample: number;
  /**
   * Targets with all these labels are always monitored.
   * @default - none
   */
  readonly always?: { readonly [key: string]: string };
}

/** `monitoring.alerts` in the stack, as you write it; fields with a default may be left out. */
export interface AlertThresholdsProps {
  /**
   *
   * @default 200
   */
  readonly nodePowerWatts?: number;
  /**
   *
   * @default 5
   */
  readonly deviceHeartbeatMinutes?: number;
}

/** `monitoring.alertmanager.receivers[].webhook.tokenSecret` in the stack, as you write it; fields with a default may be left out. */
export interface SecretKeyRefProps {
  /**
   * Secret created outside Git, in the monitoring namespace.
   */
  readonly name: string;
  readonly key: string;
}

/** `monitoring.alertmanager.receivers[].webhook` in the stack, as you write it; fields with a default may be left out. */
export interface WebhookReceiverProps {
  /**
   * Webhook endpoint (not a secret).
   */
  readonly url: string;
  /**
   * Secret key holding a bearer token.
   * @default - no token
   */
  readonly tokenSecret?: SecretKeyRefProps;
}

/** `monitoring.alertmanager.receivers[].slack` in the stack, as you write it; fields with a default may be left out. */
export interface SlackReceiverProps {
  /**
   * Secret key holding the Slack webhook URL.
   */
  readonly apiURLSecret: SecretKeyRefProps;
  readonly channel: string;
}

/** `monitoring.alertmanager.receivers[]` in the stack, as you write it; fields with a default may be left out. */
export interface AlertReceiverProps {
  readonly name: string;
  /**
   * @default - not set
   */
  readonly webhook?: WebhookReceiverProps;
  /**
   * @default - not set
   */
  readonly slack?: SlackReceiverProps;
}

/** `monitoring.alertmanager.routes[]` in the stack, as you write it; fields with a default may be left out. */
export interface AlertRouteProps {
  /**
   * A receiver name, or "null".
   */
  readonly receiver: string;
  readonly matchers: ReadonlyArray<string>;
  /**
   *
   * @default false
   */
  readonly continue?: boolean;
}

/** `monitoring.alertmanager` in the stack, as you write it; fields with a default may be left out. */
export interface AlertmanagerProps {
  /**
   * Receivers; credentials only as Secret references.
   * @default [] (alerts go to the null receiver)
   */
  readonly receivers?: ReadonlyArray<AlertReceiverProps>;
  /**
   * Routes under the root, first match wins.
   * @default []
   */
  readonly routes?: ReadonlyArray<AlertRouteProps>;
}

/** `monitoring.receiver.exposure|2` in the stack, as you write it; fields with a default may be left out. */
export interface LoadBalancerExposureProps {
  readonly transport: "loadBalancer";
  /**
   * DNS name that resolves to the load balancer.
   */
  readonly host: string;
  /**
   * Secret of type kubernetes.io/tls with the certificate for host; the destination serves TLS itself.
   */
  readonly tlsSecret: string;
  /**
   * Addresses allowed to connect.
   */
  readonly sourceCIDRs: ReadonlyArray<string>;
}

/** `monitoring.receiver.auth.passwordSecret` in the stack, as you write it; fields with a default may be left out. */
export interface PasswordSecretRefProps {
  /**
   * A Secret created outside Git (never its values).
   */
  readonly name: string;
  /**
   * @default "password"
   */
  readonly key?: string;
}

/** `monitoring.receiver.auth` in the stack, as you write it; fields with a default may be left out. */
export interface ReceiverAuthProps {
  /**
   * Secret in the monitoring namespace of the hub with key web.yml: a Prometheus web configuration whose basic_auth_users holds the bcrypt hash of the writers' password (and, for loadBalancer, tls_server_config with cert_file /etc/prometheus/tls/tls.crt and key_file /etc/prometheus/tls/tls.key).
   */
  readonly webConfigSecret: string;
  /**
   * User name the edge agents send.
   * @default edge
   */
  readonly username?: string;
  /**
   * Secret in each edge cluster's monitoring namespace holding the password (key default: password).
   */
  readonly passwordSecret: PasswordSecretRefProps;
}

/** `monitoring.receiver` in the stack, as you write it; fields with a default may be left out. */
export interface MonitoringReceiverProps {
  /**
   * mcs (ServiceExport + remote pod CIDRs), ingress (TLS host) or loadBalancer (TLS host + source CIDRs).
   */
  readonly exposure: McsExposureProps | IngressExposureProps | LoadBalancerExposureProps;
  /**
   * Basic authentication the receiver requires (Prometheus web config from a Secret).
   */
  readonly auth: ReceiverAuthProps;
}

/** `monitoring.events.resources.requests` in the stack, as you write it; fields with a default may be left out. */
export interface ResourcesRequestsProps {
  /**
   * @default - not set
   */
  readonly cpu?: string;
  /**
   * @default - not set
   */
  readonly memory?: string;
}

/** `monitoring.events.resources.limits` in the stack, as you write it; fields with a default may be left out. */
export interface ResourcesLimitsProps {
  /**
   * @default - not set
   */
  readonly cpu?: string;
  /**
   * @default - not set
   */
  readonly memory?: string;
}

/** `monitoring.events.resources` in the stack, as you write it; fields with a default may be left out. */
export interface EventsResourcesProps {
  /**
   * @default - not set
   */
  readonly requests?: ResourcesRequestsProps;
  /**
   * @default - not set
   */
  readonly limits?: ResourcesLimitsProps;
}

/** `monitoring.events` in the stack, as you write it; fields with a default may be left out. */
export interface MonitoringEventsProps {
  /**
   * Watch Kubernetes Events on every monitored cluster.
   * @default true
   */
  readonly enabled?: boolean;
  /**
   * Clusters that run the event exporter.
   * @default - every cluster that runs monitoring
   */
  readonly clusters?: ReadonlyArray<string>;
  /**
   * The kube-eventer image, for users who mirror it.
   * @default registry.aliyuncs.com/acs/kube-eventer:v1.2.7-ca03be0-aliyun
   */
  readonly image?: string;
  /**
   * Exporter container resources.
   * @default - 50m CPU and 64Mi requested, 256Mi memory limit
   */
  readonly resources?: EventsResourcesProps;
  /**
   * Expected Warning events per minute per cluster, for the cardinality estimate of `edgewatt plan`.
   * @default 5
   */
  readonly eventsPerMinute?: number;
  /**
   * Warning events in one namespace within 10 minutes that make a storm (KubeEventWarningStorm; events kube-eventer counts as errors count too, whatever their type).
   * @default 100
   */
  readonly stormThreshold?: number;
  /**
   * Registries pods may pull from; with it, containers of every namespace are checked (KubePodImageFromUndeclaredRegistry).
   * @default - only the stack's own namespaces are checked, against the registries of the images the stack deploys
   */
  readonly allowedRegistries?: ReadonlyArray<string>;
}

/** `monitoring` in the stack, as you write it; fields with a default may be left out. */
export interface MonitoringProps {
  /**
   * Cluster of the hub Prometheus.
   * @default - the only cluster
   */
  readonly cluster?: string;
  /**
   *
   * @default monitoring
   */
  readonly namespace?: string;
  /**
   * bundled Prometheus, or objects for an existing Prometheus Operator.
   * @default bundled
   */
  readonly mode?: "bundled" | "prometheus-operator";
  /**
   * The existing Prometheus Operator install, in prometheus-operator mode.
   * @default - the defaults of each field
   */
  readonly operator?: MonitoringOperatorProps;
  /**
   * How long Prometheus keeps samples.
   * @default 15d
   */
  readonly retention?: string;
  /**
   * Size of the Prometheus volume.
   * @default 50Gi
   */
  readonly storage?: string;
  /**
   *
   * @default 30s
   */
  readonly scrapeInterval?: string;
  /**
   * Monitor only part of a large fleet.
   * @default - monitor everything
   */
  readonly selection?: MonitoringSelectionProps;
  /**
   * Grid carbon intensity in gCO2e per kWh, for CO2 rules and panels.
   * @default 475 (world average)
   */
  readonly carbonIntensity?: number;
  /**
   * Alert thresholds.
   * @default {"nodePowerWatts":200,"deviceHeartbeatMinutes":5}
   */
  readonly alerts?: AlertThresholdsProps;
  /**
   * Alertmanager routing (bundled mode).
   * @default {"receivers":[],"routes":[]}
   */
  readonly alertmanager?: AlertmanagerProps;
  /**
   * How the Prometheus agents of the other clusters reach the hub's remote-write receiver (an authenticating receiver in front of the hub Prometheus). Required in bundled mode when other clusters run anything.
   * @default - none: no cluster writes to the hub
   */
  readonly receiver?: MonitoringReceiverProps;
  /**
   * Kubernetes event monitoring with kube-eventer.
   * @default - on, on every monitored cluster
   */
  readonly events?: MonitoringEventsProps;
  /**
   * Where the runbooks of edgewatt alerts live.
   * @default - RUNBOOKS.md beside the synthesized YAML in the GitOps repository
   */
  readonly runbookBaseURL?: string;
}

/** `dashboards` in the stack, as you write it; fields with a default may be left out. */
export interface DashboardsProps {
  /**
   * Cluster of Grafana: the monitoring cluster, whose Prometheus and Alertmanager it reads (they are not exposed to other clusters).
   * @default - the monitoring cluster, or the only cluster
   */
  readonly cluster?: string;
  /**
   * Namespace of the bundled Grafana, or (sidecar mode) of the dashboard ConfigMaps, which the existing Grafana's sidecar must watch (kube-prometheus-stack's watches every namespace; the grafana chart's default only Grafana's own).
   * @default dashboards
   */
  readonly namespace?: string;
  /**
   * bundled Grafana, or dashboard ConfigMaps for an existing Grafana sidecar.
   * @default bundled
   */
  readonly mode?: "bundled" | "sidecar";
  /**
   * Secret (created outside Git) with keys admin-user and admin-password.
   * @default grafana-admin
   */
  readonly adminSecret?: string;
  /**
   * Let people see dashboards without logging in, as Viewer only.
   * @default false
   */
  readonly anonymousViewer?: boolean;
  /**
   * Namespace of the ingress controller through which people reach the bundled Grafana (an Ingress of your own; mode bundled only): Grafana's NetworkPolicy admits that namespace's pods on its port.
   * @default - none: Grafana admits only the Prometheus that scrapes it; reach it with kubectl port-forward, which no NetworkPolicy filters
   */
  readonly ingressControllerNamespace?: string;
}

/** `fleet.deviceSets[].metrics` in the stack, as you write it; fields with a default may be left out. */
export interface DeviceSetMetricsProps {
  /**
   *
   * @default 60
   */
  readonly intervalSeconds?: number;
  /**
   * System metrics sent; the rest are dropped on the device.
   * @default - every metric node_exporter exposes
   */
  readonly allowList?: ReadonlyArray<string>;
}

/** `fleet.deviceSets[].power.profile` in the stack, as you write it; fields with a default may be left out. */
export interface DevicePowerProfileProps {
  /**
   * Device model the watts are for (shown on dashboards).
   * @default - the set name
   */
  readonly model?: string;
  /**
   * Power at 0 % CPU utilisation, in watts (from a wall meter or the vendor sheet).
   */
  readonly idleWatts: number;
  /**
   * Power at 100 % CPU utilisation, in watts.
   */
  readonly maxWatts: number;
}

/** `fleet.deviceSets[].power` in the stack, as you write it; fields with a default may be left out. */
export interface DevicePowerProps {
  /**
   * measured: Kepler (current generation) as a host service reading RAPL (x86); estimated: Kepler classic with its power model (weights from the hub model server or a pinned URL); profile: idle/max watts of the device model × CPU utilisation from the system metrics, computed at the hub.
   */
  readonly source: "measured" | "estimated" | "profile";
  /**
   * Declared power of the device model; required with source profile, not read otherwise.
   * @default - none
   */
  readonly profile?: DevicePowerProfileProps;
  /**
   * measured, for devices with a board power sensor instead of RAPL (ARM boards such as Jetson): the hwmon zones whose sum is the device's power, e.g. the input rail. Kepler v0.11.4 then reads hwmon (--experimental.hwmon.enabled); zones are named by the sensor label or `<chip>_power<N>`.
   * @default - RAPL package and dram
   */
  readonly hwmonZones?: ReadonlyArray<string>;
  /**
   * estimated: URL of the node power model weights (JSON) the exporter loads when the model server cannot be reached (Kepler classic NODE_COMPONENTS_INIT_URL).
   * @default - none (only the model server)
   */
  readonly initialModelURL?: string;
  /**
   * DevicePowerMissing fires when a registered device of the set has sent no power series for this long.
   * @default 15
   */
  readonly missingAfterMinutes?: number;
}

/** `fleet.deviceSets[]` in the stack, as you write it; fields with a default may be left out. */
export interface DeviceSetProps {
  /**
   * Device set name; devices join it with `set`.
   */
  readonly name: string;
  /**
   * Heartbeat period.
   * @default 60
   */
  readonly heartbeatSeconds?: number;
  /**
   * System metrics the device agent sends to the hub Prometheus.
   * @default {"intervalSeconds":60}
   */
  readonly metrics?: DeviceSetMetricsProps;
  /**
   * Hardware inventory in heartbeats: full each time, only changes, or none.
   * @default delta
   */
  readonly hardwareProfile?: "full" | "delta" | "none";
  /**
   * Power source of the set's devices (README "Device energy").
   * @default - fleet.defaultPower
   */
  readonly power?: DevicePowerProps;
}

/** `fleet.devices[]` in the stack, as you write it; fields with a default may be left out. */
export interface DeviceProps {
  /**
   * The device's yggdrasil client id (the id its Flotta agent registers with, lower case): edgewatt commits a pre-approved EdgeDeviceSignedRequest of this name, and the operator creates the EdgeDevice of this name when the device registers.
   */
  readonly name: string;
  /**
   * Device set it joins at registration (the request's targetSet).
   * @default - the generated set `edgewatt-default` with the stack defaults
   */
  readonly set?: string;
  /**
   * Address cluster services use to reach services on the device.
   * @default - not reachable
   */
  readonly address?: string;
  /**
   * Device labels, read by edgewatt only (workload selectors and the selection policy are resolved to device names at synth time; Flotta has no place for them).
   * @default {}
   */
  readonly labels?: { readonly [key: string]: string };
}

/** `fleet.workloads[].ports[]` in the stack, as you write it; fields with a default may be left out. */
export interface WorkloadPortProps {
  readonly name: string;
  /**
   * Port the container listens on.
   */
  readonly port: number;
  /**
   * Port published on the device.
   * @default - the port
   */
  readonly hostPort?: number;
}

/** `fleet.workloads[].metrics` in the stack, as you write it; fields with a default may be left out. */
export interface WorkloadMetricsProps {
  readonly port: number;
  /**
   *
   * @default /metrics
   */
  readonly path?: string;
  /**
   *
   * @default 60
   */
  readonly intervalSeconds?: number;
  /**
   *
   * @default - every metric
   */
  readonly allowList?: ReadonlyArray<string>;
}

/** `fleet.workloads[]` in the stack, as you write it; fields with a default may be left out. */
export interface WorkloadProps {
  /**
   * EdgeWorkload name.
   */
  readonly name: string;
  /**
   * Container image the device runs.
   */
  readonly image: string;
  /**
   * Devices that run it, by name.
   * @default - use selector
   */
  readonly devices?: ReadonlyArray<string>;
  /**
   * Devices that run it, by labels.
   * @default - use devices
   */
  readonly selector?: { readonly [key: string]: string };
  /**
   * Ports the container serves, each published on the device (Flotta needs a hostPort for every port).
   * @default []
   */
  readonly ports?: ReadonlyArray<WorkloadPortProps>;
  /**
   *
   * @default {}
   */
  readonly env?: { readonly [key: string]: string };
  /**
   * Workload metrics the device agent scrapes and sends to the hub Prometheus.
   * @default - none
   */
  readonly metrics?: WorkloadMetricsProps;
  /**
   * Secret (created outside Git) with registry credentials.
   * @default - none
   */
  readonly imagePullSecret?: string;
  /**
   * Name of a log collection configured on the device set.
   * @default - none
   */
  readonly logCollection?: string;
}

/** `fleet.receiver` in the stack, as you write it; fields with a default may be left out. */
export interface FleetReceiverProps {
  /**
   * ingress (TLS host) or loadBalancer (TLS host + source CIDRs).
   */
  readonly exposure: IngressExposureProps | LoadBalancerExposureProps;
  /**
   * Secret in the fleet namespace with key ca.crt: the CA devices trust for the receiver (receiverConfiguration.caSecretName).
   * @default - the device's system CAs
   */
  readonly caSecret?: string;
  /**
   * Accept the ingress transport for the devices' metrics. Flotta's device agent sends remote write without credentials, so through an Ingress any client that reaches the ingress controller can write series into the hub: restrict the host at your ingress controller. Without it, use transport loadBalancer, whose sourceCIDRs the load balancer and the NetworkPolicy enforce.
   * @default false
   */
  readonly unauthenticatedIngress?: boolean;
}

/** `fleet.edgeAPI` in the stack, as you write it; fields with a default may be left out. */
export interface EdgeApiProps {
  /**
   * DNS name devices use for the Flotta edge API (yggdrasil, mTLS passed through to the operator).
   */
  readonly host: string;
  /**
   * Device networks allowed to connect.
   */
  readonly sourceCIDRs: ReadonlyArray<string>;
}

/** `fleet.certManager` in the stack, as you write it; fields with a default may be left out. */
export interface FleetCertManagerProps {
  /**
   * Install cert-manager. Set false when the cluster already runs cert-manager (cert-manager.io/v1 API); nothing else changes.
   * @default true
   */
  readonly install?: boolean;
  /**
   * Chart repository, or a mirror for air-gapped sites (an HTTP(S) Helm repository, or an OCI registry path without oci://).
   * @default https://charts.jetstack.io
   */
  readonly repoURL?: string;
  /**
   * Exact cert-manager chart version (the chart's versions carry a leading v).
   * @default v1.21.1
   */
  readonly version?: string;
  /**
   * Namespace cert-manager runs in (created by Argo CD, Pod Security restricted).
   * @default cert-manager
   */
  readonly namespace?: string;
}

/** `fleet` in the stack, as you write it; fields with a default may be left out. */
export interface FleetProps {
  /**
   * Cluster of the Flotta operator and device objects.
   * @default - the monitoring cluster, or the only cluster
   */
  readonly cluster?: string;
  /**
   *
   * @default fleet
   */
  readonly namespace?: string;
  /**
   *
   * @default []
   */
  readonly deviceSets?: ReadonlyArray<DeviceSetProps>;
  /**
   *
   * @default []
   */
  readonly devices?: ReadonlyArray<DeviceProps>;
  /**
   * Containers the devices run (EdgeWorkloads).
   * @default []
   */
  readonly workloads?: ReadonlyArray<WorkloadProps>;
  /**
   * How devices reach the device metrics gateway, which forwards their series to the hub with `cluster` and `device` labels. Devices are not cluster nodes and cannot resolve cluster DNS. Required when devices are listed and monitoring is bundled.
   * @default - none
   */
  readonly receiver?: FleetReceiverProps;
  /**
   * How devices reach the Flotta edge API to register and get their configuration: a LoadBalancer Service (TCP passthrough, the operator verifies device certificates). Required when devices are listed.
   * @default - none
   */
  readonly edgeAPI?: EdgeApiProps;
  /**
   * Deprecated: use fleet.deviceSets[].power and fleet.defaultPower. `false` gives devices of sets without `power` (and of the default set) no power source.
   * @default - true when the stack has energy
   */
  readonly powerExporter?: boolean;
  /**
   * Power source of the devices in no set (the generated set `edgewatt-default`) and of sets without `power`.
   * @default - { source: measured } when the stack has energy, else no power
   */
  readonly defaultPower?: DevicePowerProps;
  /**
   * cert-manager, which the Flotta operator needs.
   * @default - installed from https://charts.jetstack.io, chart cert-manager v1.21.1
   */
  readonly certManager?: FleetCertManagerProps;
}

/** `iomt.pipelines[].things[].gpu|1` in the stack, as you write it; fields with a default may be left out. */
export interface ThingGpuProps {
  /**
   *
   * @default 1
   */
  readonly count?: number;
  /**
   * Value of the nvidia.com/gpu.product node label.
   * @default - any
   */
  readonly product?: string;
  /**
   * Extended resource name.
   * @default nvidia.com/gpu
   */
  readonly resource?: string;
}

/** `iomt.pipelines[].things[]` in the stack, as you write it; fields with a default may be left out. */
export interface ThingProps {
  /**
   * Thing name: its Service name and DNS name <name>.<namespace>.svc.cluster.local.
   */
  readonly name: string;
  readonly kind: "MSensor" | "MAnalyzer" | "MAnalyser" | "MActuator" | "MStorage";
  readonly image: string;
  /**
   * Port the thing serves on.
   */
  readonly port: number;
  /**
   * Fleet device that runs the thing instead of the cluster.
   * @default - in the cluster
   */
  readonly device?: string;
  /**
   * GPUs: a count, or {count, product, resource}.
   * @default - none
   */
  readonly gpu?: number | ThingGpuProps;
  /**
   * Volume size (MStorage).
   * @default - 10Gi for MStorage
   */
  readonly storage?: string;
  /**
   * Scheme of the URL consumers receive (IOMT_<THING>_URL).
   * @default http
   */
  readonly protocol?: "http" | "https" | "rtsp" | "grpc" | "mqtt" | "tcp";
  /**
   * HTTP path for probes.
   * @default - a TCP check of the port
   */
  readonly healthPath?: string;
  /**
   * Port serving Prometheus metrics at /metrics.
   * @default - not scraped
   */
  readonly metricsPort?: number;
  /**
   * deferrable things get a lower PriorityClass, so they are evicted first when a node runs short.
   * @default - the cluster default priority
   */
  readonly energyClass?: "critical" | "deferrable";
  /**
   *
   * @default - 100m CPU and 128Mi requested, 512Mi limit
   */
  readonly resources?: ResourcesProps;
}

/** `iomt.pipelines[].links[]` in the stack, as you write it; fields with a default may be left out. */
export interface LinkProps {
  /**
   * The upstream thing (producer).
   */
  readonly from: string;
  /**
   * The downstream thing (consumer).
   */
  readonly to: string;
}

/** `iomt.pipelines[]` in the stack, as you write it; fields with a default may be left out. */
export interface PipelineProps {
  readonly name: string;
  /**
   *
   * @default - the only cluster
   */
  readonly cluster?: string;
  /**
   *
   * @default - iomt-<pipeline name>
   */
  readonly namespace?: string;
  readonly things: ReadonlyArray<ThingProps>;
  /**
   *
   * @default []
   */
  readonly links?: ReadonlyArray<LinkProps>;
}

/** `iomt` in the stack, as you write it; fields with a default may be left out. */
export interface IomtProps {
  /**
   *
   * @default []
   */
  readonly pipelines?: ReadonlyArray<PipelineProps>;
}

/** The whole stack (the shape of stack.yaml), as you write it; fields with a default may be left out. */
export interface StackProps {
  /**
   * JSON Schema location, for editors. Ignored.
   * @default - not set
   */
  readonly $schema?: string;
  /**
   * Stack name: used in labels, the Argo CD project and object names.
   */
  readonly name: string;
  /**
   * GitOps settings.
   * @default - no Argo CD objects are generated
   */
  readonly gitops?: GitOpsProps;
  /**
   * The stack packaged as one Helm chart per cluster (`edgewatt synth --format helm`).
   * @default - versions derived from the content
   */
  readonly helm?: HelmPackagingProps;
  readonly clusters: ReadonlyArray<ClusterProps>;
  /**
   * Energy monitoring with Kepler.
   * @default - no energy components
   */
  readonly energy?: EnergyProps;
  /**
   * Metrics and alerts.
   * @default - no monitoring components
   */
  readonly monitoring?: MonitoringProps;
  /**
   * Grafana dashboards.
   * @default - no dashboards
   */
  readonly dashboards?: DashboardsProps;
  /**
   * Edge devices managed with Flotta.
   * @default - no fleet
   */
  readonly fleet?: FleetProps;
  /**
   * IoMT (ISO/IEC 23093) pipelines.
   * @default - none
   */
  readonly iomt?: IomtProps;
}

/** `gitops` in the stack, after parsing, with every default applied. */
export interface GitOpsSpec {
  /**
   * The Git repository Argo CD reads the synthesized YAML from.
   */
  readonly repoURL: string;
  /**
   * Branch, tag or commit Argo CD follows.
   * @default HEAD
   */
  readonly targetRevision: string;
  /**
   * Folder of the repository that holds the synthesized YAML.
   * @default dist
   */
  readonly path: string;
  /**
   * One Application per folder with sync waves and a root app-of-apps per cluster, or one ApplicationSet with a git directory generator.
   * @default applications
   */
  readonly mode: "applications" | "applicationset";
  /**
   * Namespace of Argo CD, where the Applications live.
   * @default argocd
   */
  readonly argocdNamespace: string;
  /**
   * Write argocd/argocd-cm/application-health-check.yaml, the Application health check (a merge patch of argocd-cm, applied with kubectl patch; never an argocd-cm object) that makes sync waves wait for child Applications to be Healthy. Applications mode only.
   * @default true
   */
  readonly applicationHealthCheck: boolean;
}

/** `helm` in the stack, after parsing, with every default applied. */
export interface HelmPackagingSpec {
  /**
   * Chart version of every cluster chart. Raise it whenever the rendered content changes: `synth --format helm` (and `--check`) fails, naming the chart, when the content digest in Chart.yaml changed but the version did not.
   * @default - derived from the content: 0.0.0-sha-<first 12 hex digits of the content digest>
   */
  readonly version?: string;
  /**
   * appVersion of every cluster chart (free-form, shown by Helm and Argo CD).
   * @default - the chart version
   */
  readonly appVersion?: string;
}

/** `clusters[]` in the stack, after parsing, with every default applied. */
export interface ClusterSpec {
  /**
   * Cluster name: the folder dist/<name>/ and the value of the `cluster` label.
   */
  readonly name: string;
  /**
   * API server URL as Argo CD knows the cluster.
   * @default https://kubernetes.default.svc
   */
  readonly server: string;
  /**
   * Kubernetes distribution.
   * @default generic
   */
  readonly platform: "k3s" | "kubeadm" | "openshift" | "generic";
  /**
   * Addresses of the cluster's API server endpoints, as pods reach them after the `kubernetes` Service's DNAT (`kubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes`). Pods with an egress NetworkPolicy that call the API server (kube-eventer) may then reach only these.
   * @default - not known: those pods may reach any address on the API server's ports (443 and 6443; 6443 only on k3s, kubeadm and OpenShift)
   */
  readonly apiServerCIDRs?: ReadonlyArray<string>;
  /**
   * Addresses the cluster DNS answers on when pods do not reach it at its pods: with NodeLocal DNSCache (a host-network cache on every node), its link-local address (169.254.20.10/32) and the kube-dns Service's ClusterIP it also binds. Pods with an egress NetworkPolicy (kube-eventer) may then reach these on 53 too.
   * @default - none: only the DNS pods (kube-dns in kube-system; on OpenShift, openshift-dns)
   */
  readonly dnsCIDRs?: ReadonlyArray<string>;
}

/** `energy.kepler.redfish` in the stack, after parsing, with every default applied. */
export interface KeplerRedfishSpec {
  /**
   * Name of a Secret, created outside Git, holding the BMC credentials.
   */
  readonly credentialsSecret: string;
  /**
   * Accept the BMCs' certificates unverified. Kepler v0.7.12 checks them against its image's system CAs only (no CA can be given), so BMCs with self-signed certificates report no platform power unless this is true.
   * @default false
   */
  readonly skipTLSVerify: boolean;
}

/** `energy.kepler.tolerations[]` in the stack, after parsing, with every default applied. */
export interface TolerationSpec {
  /**
   * @default - not set
   */
  readonly key?: string;
  /**
   * @default - not set
   */
  readonly operator?: "Exists" | "Equal";
  /**
   * @default - not set
   */
  readonly value?: string;
  /**
   * @default - not set
   */
  readonly effect?: "NoSchedule" | "PreferNoSchedule" | "NoExecute";
  /**
   * @default - not set
   */
  readonly tolerationSeconds?: number;
}

/** `energy.kepler.resources.requests` in the stack, after parsing, with every default applied. */
export interface ResourceAmountsSpec {
  /**
   * @default - not set
   */
  readonly cpu?: string;
  /**
   * @default - not set
   */
  readonly memory?: string;
}

/** `energy.kepler.resources` in the stack, after parsing, with every default applied. */
export interface ResourcesSpec {
  /**
   * @default - not set
   */
  readonly requests?: ResourceAmountsSpec;
  /**
   * @default - not set
   */
  readonly limits?: ResourceAmountsSpec;
}

/** `energy.kepler` in the stack, after parsing, with every default applied. */
export interface KeplerSpec {
  /**
   * Clusters that run the exporter on every node.
   * @default - every cluster
   */
  readonly clusters?: ReadonlyArray<string>;
  /**
   * classic (eBPF, estimator and model server) or current (RAPL and /proc only).
   * @default current
   */
  readonly generation: "classic" | "current";
  /**
   * Measure NVIDIA GPU power, through NVML (current generation only: the classic release-0.7.12 image has no NVIDIA support compiled in).
   * @default false
   */
  readonly gpu: boolean;
  /**
   * Platform power from the BMC over Redfish (classic).
   * @default - off
   */
  readonly redfish?: KeplerRedfishSpec;
  /**
   * Emit per-process power metrics.
   * @default false
   */
  readonly processMetrics: boolean;
  /**
   * Run the exporter only on nodes with these labels.
   * @default - every node
   */
  readonly nodeSelector?: { readonly [key: string]: string };
  /**
   * Tolerations added to the default, which tolerates every taint.
   * @default - none added
   */
  readonly tolerations?: ReadonlyArray<TolerationSpec>;
  /**
   * Exporter container resources, merged over the generation's.
   * @default - 100m CPU requested; memory 128Mi requested and 512Mi limit (current generation) or 400Mi and 800Mi (classic)
   */
  readonly resources?: ResourcesSpec;
  /**
   * Namespace of the exporter, labelled Pod Security privileged; nothing else runs there.
   * @default kepler
   */
  readonly namespace: string;
}

/** `energy.modelServer.exposure|0` in the stack, after parsing, with every default applied. */
export interface McsExposureSpec {
  readonly transport: "mcs";
  /**
   * Pod CIDRs of the remote clusters that connect through the Multi-Cluster Services implementation.
   */
  readonly remotePodCIDRs: ReadonlyArray<string>;
}

/** `energy.modelServer.exposure|1` in the stack, after parsing, with every default applied. */
export interface IngressExposureSpec {
  readonly transport: "ingress";
  /**
   * Host name the Ingress serves (TLS).
   */
  readonly host: string;
  /**
   * Secret of type kubernetes.io/tls with the certificate for host, in the destination namespace.
   */
  readonly tlsSecret: string;
  /**
   * IngressClass.
   * @default - the cluster default class
   */
  readonly ingressClassName?: string;
  /**
   * Namespace of the ingress controller's pods, admitted by the NetworkPolicy.
   * @default kube-system (k3s's Traefik)
   */
  readonly controllerNamespace: string;
}

/** `energy.modelServer` in the stack, after parsing, with every default applied. */
export interface ModelServerSpec {
  /**
   * Cluster that runs the model server.
   * @default - the monitoring cluster, or the only cluster
   */
  readonly cluster?: string;
  /**
   * Size of the volume for trained models.
   * @default 5Gi
   */
  readonly storage: string;
  /**
   * Model pipeline archives the server loads at start.
   * @default - the model server's built-in defaults
   */
  readonly initialModelURLs?: ReadonlyArray<string>;
  /**
   * Run the online trainer, learning from the hub Prometheus (needs monitoring, and the model server on the monitoring cluster).
   * @default false
   */
  readonly onlineTrainer: boolean;
  /**
   * How Kepler exporters on other clusters reach the model server: mcs, ingress or loadBalancer. Required when Kepler runs on a cluster other than the model server's.
   * @default - none
   */
  readonly exposure?: McsExposureSpec | IngressExposureSpec;
}

/** `energy` in the stack, after parsing, with every default applied. */
export interface EnergySpec {
  /**
   * The Kepler power exporter, a DaemonSet on every node.
   * @default {"generation":"current","gpu":false,"processMetrics":false,"namespace":"kepler"}
   */
  readonly kepler: KeplerSpec;
  /**
   *
   * @default - no model server
   */
  readonly modelServer?: ModelServerSpec;
  /**
   * Namespace of the energy components that need no privileges (model server).
   * @default energy
   */
  readonly namespace: string;
}

/** `monitoring.operator` in the stack, after parsing, with every default applied. */
export interface MonitoringOperatorSpec {
  /**
   * How the install was made: the kube-prometheus-stack Helm chart (selects monitors and rules labelled release: <release>) or kube-prometheus jsonnet (selects everything, but its Prometheus has RBAC only in default, kube-system and its own namespace).
   * @default kube-prometheus-stack
   */
  readonly layout: "kube-prometheus-stack" | "kube-prometheus";
  /**
   * Helm release name of kube-prometheus-stack: every PodMonitor and PrometheusRule carries the label release=<release>.
   * @default kube-prometheus-stack
   */
  readonly release: string;
  /**
   * Namespace of the install's Prometheus; external: edgewatt neither creates, labels nor deletes it.
   * @default monitoring
   */
  readonly namespace: string;
  /**
   * ServiceAccount of the install's Prometheus; it gets a Role to discover pods in every namespace edgewatt asks it to scrape.
   * @default - prometheus-k8s (kube-prometheus), <fullname>-prometheus (kube-prometheus-stack)
   */
  readonly serviceAccount?: string;
  /**
   * Service of the install's Prometheus (port 9090), queried by Grafana.
   * @default - prometheus-k8s (kube-prometheus), <fullname>-prometheus (kube-prometheus-stack)
   */
  readonly service?: string;
  /**
   * Remote-write receiver of the hub's Prometheus as devices (and, with install, edge clusters) reach it, e.g. https://prometheus.example.com/api/v1/write. Required when fleet devices send metrics.
   * @default - none
   */
  readonly receiverURL?: string;
  /**
   * Install kube-prometheus-stack (chart 88.5.3) with an Argo CD Application on every cluster, with this release name and namespace.
   * @default false (an install exists)
   */
  readonly install: boolean;
}

/** `monitoring.selection` in the stack, after parsing, with every default applied. */
export interface MonitoringSelectionSpec {
  /**
   * Fraction of nodes and devices monitored, stable per target (hashmod).
   */
  readonly sample: number;
  /**
   * Targets with all these labels are always monitored.
   * @default - none
   */
  readonly always?: { readonly [key: string]: string };
}

/** `monitoring.alerts` in the stack, after parsing, with every default applied. */
export interface AlertThresholdsSpec {
  /**
   *
   * @default 200
   */
  readonly nodePowerWatts: number;
  /**
   *
   * @default 5
   */
  readonly deviceHeartbeatMinutes: number;
}

/** `monitoring.alertmanager.receivers[].webhook.tokenSecret` in the stack, after parsing, with every default applied. */
export interface SecretKeyRefSpec {
  /**
   * Secret created outside Git, in the monitoring namespace.
   */
  readonly name: string;
  readonly key: string;
}

/** `monitoring.alertmanager.receivers[].webhook` in the stack, after parsing, with every default applied. */
export interface WebhookReceiverSpec {
  /**
   * Webhook endpoint (not a secret).
   */
  readonly url: string;
  /**
   * Secret key holding a bearer token.
   * @default - no token
   */
  readonly tokenSecret?: SecretKeyRefSpec;
}

/** `monitoring.alertmanager.receivers[].slack` in the stack, after parsing, with every default applied. */
export interface SlackReceiverSpec {
  /**
   * Secret key holding the Slack webhook URL.
   */
  readonly apiURLSecret: SecretKeyRefSpec;
  readonly channel: string;
}

/** `monitoring.alertmanager.receivers[]` in the stack, after parsing, with every default applied. */
export interface AlertReceiverSpec {
  readonly name: string;
  /**
   * @default - not set
   */
  readonly webhook?: WebhookReceiverSpec;
  /**
   * @default - not set
   */
  readonly slack?: SlackReceiverSpec;
}

/** `monitoring.alertmanager.routes[]` in the stack, after parsing, with every default applied. */
export interface AlertRouteSpec {
  /**
   * A receiver name, or "null".
   */
  readonly receiver: string;
  readonly matchers: ReadonlyArray<string>;
  /**
   *
   * @default false
   */
  readonly continue: boolean;
}

/** `monitoring.alertmanager` in the stack, after parsing, with every default applied. */
export interface AlertmanagerSpec {
  /**
   * Receivers; credentials only as Secret references.
   * @default [] (alerts go to the null receiver)
   */
  readonly receivers: ReadonlyArray<AlertReceiverSpec>;
  /**
   * Routes under the root, first match wins.
   * @default []
   */
  readonly routes: ReadonlyArray<AlertRouteSpec>;
}

/** `monitoring.receiver.exposure|2` in the stack, after parsing, with every default applied. */
export interface LoadBalancerExposureSpec {
  readonly transport: "loadBalancer";
  /**
   * DNS name that resolves to the load balancer.
   */
  readonly host: string;
  /**
   * Secret of type kubernetes.io/tls with the certificate for host; the destination serves TLS itself.
   */
  readonly tlsSecret: string;
  /**
   * Addresses allowed to connect.
   */
  readonly sourceCIDRs: ReadonlyArray<string>;
}

/** `monitoring.receiver.auth.passwordSecret` in the stack, after parsing, with every default applied. */
export interface PasswordSecretRefSpec {
  /**
   * A Secret created outside Git (never its values).
   */
  readonly name: string;
  /**
   * @default "password"
   */
  readonly key: string;
}

/** `monitoring.receiver.auth` in the stack, after parsing, with every default applied. */
export interface ReceiverAuthSpec {
  /**
   * Secret in the monitoring namespace of the hub with key web.yml: a Prometheus web configuration whose basic_auth_users holds the bcrypt hash of the writers' password (and, for loadBalancer, tls_server_config with cert_file /etc/prometheus/tls/tls.crt and key_file /etc/prometheus/tls/tls.key).
   */
  readonly webConfigSecret: string;
  /**
   * User name the edge agents send.
   * @default edge
   */
  readonly username: string;
  /**
   * Secret in each edge cluster's monitoring namespace holding the password (key default: password).
   */
  readonly passwordSecret: PasswordSecretRefSpec;
}

/** `monitoring.receiver` in the stack, after parsing, with every default applied. */
export interface MonitoringReceiverSpec {
  /**
   * mcs (ServiceExport + remote pod CIDRs), ingress (TLS host) or loadBalancer (TLS host + source CIDRs).
   */
  readonly exposure: McsExposureSpec | IngressExposureSpec | LoadBalancerExposureSpec;
  /**
   * Basic authentication the receiver requires (Prometheus web config from a Secret).
   */
  readonly auth: ReceiverAuthSpec;
}

/** `monitoring.events.resources.requests` in the stack, after parsing, with every default applied. */
export interface ResourcesRequestsSpec {
  /**
   * @default - not set
   */
  readonly cpu?: string;
  /**
   * @default - not set
   */
  readonly memory?: string;
}

/** `monitoring.events.resources.limits` in the stack, after parsing, with every default applied. */
export interface ResourcesLimitsSpec {
  /**
   * @default - not set
   */
  readonly cpu?: string;
  /**
   * @default - not set
   */
  readonly memory?: string;
}

/** `monitoring.events.resources` in the stack, after parsing, with every default applied. */
export interface EventsResourcesSpec {
  /**
   * @default - not set
   */
  readonly requests?: ResourcesRequestsSpec;
  /**
   * @default - not set
   */
  readonly limits?: ResourcesLimitsSpec;
}

/** `monitoring.events` in the stack, after parsing, with every default applied. */
export interface MonitoringEventsSpec {
  /**
   * Watch Kubernetes Events on every monitored cluster.
   * @default true
   */
  readonly enabled: boolean;
  /**
   * Clusters that run the event exporter.
   * @default - every cluster that runs monitoring
   */
  readonly clusters?: ReadonlyArray<string>;
  /**
   * The kube-eventer image, for users who mirror it.
   * @default registry.aliyuncs.com/acs/kube-eventer:v1.2.7-ca03be0-aliyun
   */
  readonly image?: string;
  /**
   * Exporter container resources.
   * @default - 50m CPU and 64Mi requested, 256Mi memory limit
   */
  readonly resources?: EventsResourcesSpec;
  /**
   * Expected Warning events per minute per cluster, for the cardinality estimate of `edgewatt plan`.
   * @default 5
   */
  readonly eventsPerMinute: number;
  /**
   * Warning events in one namespace within 10 minutes that make a storm (KubeEventWarningStorm; events kube-eventer counts as errors count too, whatever their type).
   * @default 100
   */
  readonly stormThreshold: number;
  /**
   * Registries pods may pull from; with it, containers of every namespace are checked (KubePodImageFromUndeclaredRegistry).
   * @default - only the stack's own namespaces are checked, against the registries of the images the stack deploys
   */
  readonly allowedRegistries?: ReadonlyArray<string>;
}

/** `monitoring` in the stack, after parsing, with every default applied. */
export interface MonitoringSpec {
  /**
   * Cluster of the hub Prometheus.
   * @default - the only cluster
   */
  readonly cluster?: string;
  /**
   *
   * @default monitoring
   */
  readonly namespace: string;
  /**
   * bundled Prometheus, or objects for an existing Prometheus Operator.
   * @default bundled
   */
  readonly mode: "bundled" | "prometheus-operator";
  /**
   * The existing Prometheus Operator install, in prometheus-operator mode.
   * @default - the defaults of each field
   */
  readonly operator?: MonitoringOperatorSpec;
  /**
   * How long Prometheus keeps samples.
   * @default 15d
   */
  readonly retention: string;
  /**
   * Size of the Prometheus volume.
   * @default 50Gi
   */
  readonly storage: string;
  /**
   *
   * @default 30s
   */
  readonly scrapeInterval: string;
  /**
   * Monitor only part of a large fleet.
   * @default - monitor everything
   */
  readonly selection?: MonitoringSelectionSpec;
  /**
   * Grid carbon intensity in gCO2e per kWh, for CO2 rules and panels.
   * @default 475 (world average)
   */
  readonly carbonIntensity: number;
  /**
   * Alert thresholds.
   * @default {"nodePowerWatts":200,"deviceHeartbeatMinutes":5}
   */
  readonly alerts: AlertThresholdsSpec;
  /**
   * Alertmanager routing (bundled mode).
   * @default {"receivers":[],"routes":[]}
   */
  readonly alertmanager: AlertmanagerSpec;
  /**
   * How the Prometheus agents of the other clusters reach the hub's remote-write receiver (an authenticating receiver in front of the hub Prometheus). Required in bundled mode when other clusters run anything.
   * @default - none: no cluster writes to the hub
   */
  readonly receiver?: MonitoringReceiverSpec;
  /**
   * Kubernetes event monitoring with kube-eventer.
   * @default - on, on every monitored cluster
   */
  readonly events: MonitoringEventsSpec;
  /**
   * Where the runbooks of edgewatt alerts live.
   * @default - RUNBOOKS.md beside the synthesized YAML in the GitOps repository
   */
  readonly runbookBaseURL?: string;
}

/** `dashboards` in the stack, after parsing, with every default applied. */
export interface DashboardsSpec {
  /**
   * Cluster of Grafana: the monitoring cluster, whose Prometheus and Alertmanager it reads (they are not exposed to other clusters).
   * @default - the monitoring cluster, or the only cluster
   */
  readonly cluster?: string;
  /**
   * Namespace of the bundled Grafana, or (sidecar mode) of the dashboard ConfigMaps, which the existing Grafana's sidecar must watch (kube-prometheus-stack's watches every namespace; the grafana chart's default only Grafana's own).
   * @default dashboards
   */
  readonly namespace: string;
  /**
   * bundled Grafana, or dashboard ConfigMaps for an existing Grafana sidecar.
   * @default bundled
   */
  readonly mode: "bundled" | "sidecar";
  /**
   * Secret (created outside Git) with keys admin-user and admin-password.
   * @default grafana-admin
   */
  readonly adminSecret: string;
  /**
   * Let people see dashboards without logging in, as Viewer only.
   * @default false
   */
  readonly anonymousViewer: boolean;
  /**
   * Namespace of the ingress controller through which people reach the bundled Grafana (an Ingress of your own; mode bundled only): Grafana's NetworkPolicy admits that namespace's pods on its port.
   * @default - none: Grafana admits only the Prometheus that scrapes it; reach it with kubectl port-forward, which no NetworkPolicy filters
   */
  readonly ingressControllerNamespace?: string;
}

/** `fleet.deviceSets[].metrics` in the stack, after parsing, with every default applied. */
export interface DeviceSetMetricsSpec {
  /**
   *
   * @default 60
   */
  readonly intervalSeconds: number;
  /**
   * System metrics sent; the rest are dropped on the device.
   * @default - every metric node_exporter exposes
   */
  readonly allowList?: ReadonlyArray<string>;
}

/** `fleet.deviceSets[].power.profile` in the stack, after parsing, with every default applied. */
export interface DevicePowerProfileSpec {
  /**
   * Device model the watts are for (shown on dashboards).
   * @default - the set name
   */
  readonly model?: string;
  /**
   * Power at 0 % CPU utilisation, in watts (from a wall meter or the vendor sheet).
   */
  readonly idleWatts: number;
  /**
   * Power at 100 % CPU utilisation, in watts.
   */
  readonly maxWatts: number;
}

/** `fleet.deviceSets[].power` in the stack, after parsing, with every default applied. */
export interface DevicePowerSpec {
  /**
   * measured: Kepler (current generation) as a host service reading RAPL (x86); estimated: Kepler classic with its power model (weights from the hub model server or a pinned URL); profile: idle/max watts of the device model × CPU utilisation from the system metrics, computed at the hub.
   */
  readonly source: "measured" | "estimated" | "profile";
  /**
   * Declared power of the device model; required with source profile, not read otherwise.
   * @default - none
   */
  readonly profile?: DevicePowerProfileSpec;
  /**
   * measured, for devices with a board power sensor instead of RAPL (ARM boards such as Jetson): the hwmon zones whose sum is the device's power, e.g. the input rail. Kepler v0.11.4 then reads hwmon (--experimental.hwmon.enabled); zones are named by the sensor label or `<chip>_power<N>`.
   * @default - RAPL package and dram
   */
  readonly hwmonZones?: ReadonlyArray<string>;
  /**
   * estimated: URL of the node power model weights (JSON) the exporter loads when the model server cannot be reached (Kepler classic NODE_COMPONENTS_INIT_URL).
   * @default - none (only the model server)
   */
  readonly initialModelURL?: string;
  /**
   * DevicePowerMissing fires when a registered device of the set has sent no power series for this long.
   * @default 15
   */
  readonly missingAfterMinutes: number;
}

/** `fleet.deviceSets[]` in the stack, after parsing, with every default applied. */
export interface DeviceSetSpec {
  /**
   * Device set name; devices join it with `set`.
   */
  readonly name: string;
  /**
   * Heartbeat period.
   * @default 60
   */
  readonly heartbeatSeconds: number;
  /**
   * System metrics the device agent sends to the hub Prometheus.
   * @default {"intervalSeconds":60}
   */
  readonly metrics: DeviceSetMetricsSpec;
  /**
   * Hardware inventory in heartbeats: full each time, only changes, or none.
   * @default delta
   */
  readonly hardwareProfile: "full" | "delta" | "none";
  /**
   * Power source of the set's devices (README "Device energy").
   * @default - fleet.defaultPower
   */
  readonly power?: DevicePowerSpec;
}

/** `fleet.devices[]` in the stack, after parsing, with every default applied. */
export interface DeviceSpec {
  /**
   * The device's yggdrasil client id (the id its Flotta agent registers with, lower case): edgewatt commits a pre-approved EdgeDeviceSignedRequest of this name, and the operator creates the EdgeDevice of this name when the device registers.
   */
  readonly name: string;
  /**
   * Device set it joins at registration (the request's targetSet).
   * @default - the generated set `edgewatt-default` with the stack defaults
   */
  readonly set?: string;
  /**
   * Address cluster services use to reach services on the device.
   * @default - not reachable
   */
  readonly address?: string;
  /**
   * Device labels, read by edgewatt only (workload selectors and the selection policy are resolved to device names at synth time; Flotta has no place for them).
   * @default {}
   */
  readonly labels: { readonly [key: string]: string };
}

/** `fleet.workloads[].ports[]` in the stack, after parsing, with every default applied. */
export interface WorkloadPortSpec {
  readonly name: string;
  /**
   * Port the container listens on.
   */
  readonly port: number;
  /**
   * Port published on the device.
   * @default - the port
   */
  readonly hostPort?: number;
}

/** `fleet.workloads[].metrics` in the stack, after parsing, with every default applied. */
export interface WorkloadMetricsSpec {
  readonly port: number;
  /**
   *
   * @default /metrics
   */
  readonly path: string;
  /**
   *
   * @default 60
   */
  readonly intervalSeconds: number;
  /**
   *
   * @default - every metric
   */
  readonly allowList?: ReadonlyArray<string>;
}

/** `fleet.workloads[]` in the stack, after parsing, with every default applied. */
export interface WorkloadSpec {
  /**
   * EdgeWorkload name.
   */
  readonly name: string;
  /**
   * Container image the device runs.
   */
  readonly image: string;
  /**
   * Devices that run it, by name.
   * @default - use selector
   */
  readonly devices?: ReadonlyArray<string>;
  /**
   * Devices that run it, by labels.
   * @default - use devices
   */
  readonly selector?: { readonly [key: string]: string };
  /**
   * Ports the container serves, each published on the device (Flotta needs a hostPort for every port).
   * @default []
   */
  readonly ports: ReadonlyArray<WorkloadPortSpec>;
  /**
   *
   * @default {}
   */
  readonly env: { readonly [key: string]: string };
  /**
   * Workload metrics the device agent scrapes and sends to the hub Prometheus.
   * @default - none
   */
  readonly metrics?: WorkloadMetricsSpec;
  /**
   * Secret (created outside Git) with registry credentials.
   * @default - none
   */
  readonly imagePullSecret?: string;
  /**
   * Name of a log collection configured on the device set.
   * @default - none
   */
  readonly logCollection?: string;
}

/** `fleet.receiver` in the stack, after parsing, with every default applied. */
export interface FleetReceiverSpec {
  /**
   * ingress (TLS host) or loadBalancer (TLS host + source CIDRs).
   */
  readonly exposure: IngressExposureSpec | LoadBalancerExposureSpec;
  /**
   * Secret in the fleet namespace with key ca.crt: the CA devices trust for the receiver (receiverConfiguration.caSecretName).
   * @default - the device's system CAs
   */
  readonly caSecret?: string;
  /**
   * Accept the ingress transport for the devices' metrics. Flotta's device agent sends remote write without credentials, so through an Ingress any client that reaches the ingress controller can write series into the hub: restrict the host at your ingress controller. Without it, use transport loadBalancer, whose sourceCIDRs the load balancer and the NetworkPolicy enforce.
   * @default false
   */
  readonly unauthenticatedIngress: boolean;
}

/** `fleet.edgeAPI` in the stack, after parsing, with every default applied. */
export interface EdgeApiSpec {
  /**
   * DNS name devices use for the Flotta edge API (yggdrasil, mTLS passed through to the operator).
   */
  readonly host: string;
  /**
   * Device networks allowed to connect.
   */
  readonly sourceCIDRs: ReadonlyArray<string>;
}

/** `fleet.certManager` in the stack, after parsing, with every default applied. */
export interface FleetCertManagerSpec {
  /**
   * Install cert-manager. Set false when the cluster already runs cert-manager (cert-manager.io/v1 API); nothing else changes.
   * @default true
   */
  readonly install: boolean;
  /**
   * Chart repository, or a mirror for air-gapped sites (an HTTP(S) Helm repository, or an OCI registry path without oci://).
   * @default https://charts.jetstack.io
   */
  readonly repoURL: string;
  /**
   * Exact cert-manager chart version (the chart's versions carry a leading v).
   * @default v1.21.1
   */
  readonly version: string;
  /**
   * Namespace cert-manager runs in (created by Argo CD, Pod Security restricted).
   * @default cert-manager
   */
  readonly namespace: string;
}

/** `fleet` in the stack, after parsing, with every default applied. */
export interface FleetSpec {
  /**
   * Cluster of the Flotta operator and device objects.
   * @default - the monitoring cluster, or the only cluster
   */
  readonly cluster?: string;
  /**
   *
   * @default fleet
   */
  readonly namespace: string;
  /**
   *
   * @default []
   */
  readonly deviceSets: ReadonlyArray<DeviceSetSpec>;
  /**
   *
   * @default []
   */
  readonly devices: ReadonlyArray<DeviceSpec>;
  /**
   * Containers the devices run (EdgeWorkloads).
   * @default []
   */
  readonly workloads: ReadonlyArray<WorkloadSpec>;
  /**
   * How devices reach the device metrics gateway, which forwards their series to the hub with `cluster` and `device` labels. Devices are not cluster nodes and cannot resolve cluster DNS. Required when devices are listed and monitoring is bundled.
   * @default - none
   */
  readonly receiver?: FleetReceiverSpec;
  /**
   * How devices reach the Flotta edge API to register and get their configuration: a LoadBalancer Service (TCP passthrough, the operator verifies device certificates). Required when devices are listed.
   * @default - none
   */
  readonly edgeAPI?: EdgeApiSpec;
  /**
   * Deprecated: use fleet.deviceSets[].power and fleet.defaultPower. `false` gives devices of sets without `power` (and of the default set) no power source.
   * @default - true when the stack has energy
   */
  readonly powerExporter?: boolean;
  /**
   * Power source of the devices in no set (the generated set `edgewatt-default`) and of sets without `power`.
   * @default - { source: measured } when the stack has energy, else no power
   */
  readonly defaultPower?: DevicePowerSpec;
  /**
   * cert-manager, which the Flotta operator needs.
   * @default - installed from https://charts.jetstack.io, chart cert-manager v1.21.1
   */
  readonly certManager: FleetCertManagerSpec;
}

/** `iomt.pipelines[].things[].gpu|1` in the stack, after parsing, with every default applied. */
export interface ThingGpuSpec {
  /**
   *
   * @default 1
   */
  readonly count: number;
  /**
   * Value of the nvidia.com/gpu.product node label.
   * @default - any
   */
  readonly product?: string;
  /**
   * Extended resource name.
   * @default nvidia.com/gpu
   */
  readonly resource: string;
}

/** `iomt.pipelines[].things[]` in the stack, after parsing, with every default applied. */
export interface ThingSpec {
  /**
   * Thing name: its Service name and DNS name <name>.<namespace>.svc.cluster.local.
   */
  readonly name: string;
  readonly kind: "MSensor" | "MAnalyzer" | "MAnalyser" | "MActuator" | "MStorage";
  readonly image: string;
  /**
   * Port the thing serves on.
   */
  readonly port: number;
  /**
   * Fleet device that runs the thing instead of the cluster.
   * @default - in the cluster
   */
  readonly device?: string;
  /**
   * GPUs: a count, or {count, product, resource}.
   * @default - none
   */
  readonly gpu?: number | ThingGpuSpec;
  /**
   * Volume size (MStorage).
   * @default - 10Gi for MStorage
   */
  readonly storage?: string;
  /**
   * Scheme of the URL consumers receive (IOMT_<THING>_URL).
   * @default http
   */
  readonly protocol: "http" | "https" | "rtsp" | "grpc" | "mqtt" | "tcp";
  /**
   * HTTP path for probes.
   * @default - a TCP check of the port
   */
  readonly healthPath?: string;
  /**
   * Port serving Prometheus metrics at /metrics.
   * @default - not scraped
   */
  readonly metricsPort?: number;
  /**
   * deferrable things get a lower PriorityClass, so they are evicted first when a node runs short.
   * @default - the cluster default priority
   */
  readonly energyClass?: "critical" | "deferrable";
  /**
   *
   * @default - 100m CPU and 128Mi requested, 512Mi limit
   */
  readonly resources?: ResourcesSpec;
}

/** `iomt.pipelines[].links[]` in the stack, after parsing, with every default applied. */
export interface LinkSpec {
  /**
   * The upstream thing (producer).
   */
  readonly from: string;
  /**
   * The downstream thing (consumer).
   */
  readonly to: string;
}

/** `iomt.pipelines[]` in the stack, after parsing, with every default applied. */
export interface PipelineSpec {
  readonly name: string;
  /**
   *
   * @default - the only cluster
   */
  readonly cluster?: string;
  /**
   *
   * @default - iomt-<pipeline name>
   */
  readonly namespace?: string;
  readonly things: ReadonlyArray<ThingSpec>;
  /**
   *
   * @default []
   */
  readonly links: ReadonlyArray<LinkSpec>;
}

/** `iomt` in the stack, after parsing, with every default applied. */
export interface IomtSpec {
  /**
   *
   * @default []
   */
  readonly pipelines: ReadonlyArray<PipelineSpec>;
}

/** The whole stack (the shape of stack.yaml), after parsing, with every default applied. */
export interface StackSpec {
  /**
   * JSON Schema location, for editors. Ignored.
   * @default - not set
   */
  readonly $schema?: string;
  /**
   * Stack name: used in labels, the Argo CD project and object names.
   */
  readonly name: string;
  /**
   * GitOps settings.
   * @default - no Argo CD objects are generated
   */
  readonly gitops?: GitOpsSpec;
  /**
   * The stack packaged as one Helm chart per cluster (`edgewatt synth --format helm`).
   * @default - versions derived from the content
   */
  readonly helm?: HelmPackagingSpec;
  readonly clusters: ReadonlyArray<ClusterSpec>;
  /**
   * Energy monitoring with Kepler.
   * @default - no energy components
   */
  readonly energy?: EnergySpec;
  /**
   * Metrics and alerts.
   * @default - no monitoring components
   */
  readonly monitoring?: MonitoringSpec;
  /**
   * Grafana dashboards.
   * @default - no dashboards
   */
  readonly dashboards?: DashboardsSpec;
  /**
   * Edge devices managed with Flotta.
   * @default - no fleet
   */
  readonly fleet?: FleetSpec;
  /**
   * IoMT (ISO/IEC 23093) pipelines.
   * @default - none
   */
  readonly iomt?: IomtSpec;
}
