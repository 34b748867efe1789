import { z } from 'zod';
import { certManagerSchema } from './cert-manager';
import { dnsLabel, image, labelMap, urlPath } from './common';
import { cidr, externalExposureSchema, hostName } from './transport';

/** Where a device set's power figures come from (README "Device energy"). */
export const devicePowerSchema = z
  .strictObject({
    source: z
      .enum(['measured', 'estimated', 'profile'])
      .describe(
        'measured: Kepler (current generation) as a host service reading RAPL (x86); estimated: Kepler classic with its power model (weights from the hub model server or a pinned URL); profile: idle/max watts of the device model × CPU utilisation from the system metrics, computed at the hub.',
      ),
    profile: z
      .strictObject({
        model: z.string().min(1).max(63).optional().describe('Device model the watts are for (shown on dashboards). @default - the set name'),
        idleWatts: z.number().min(0).max(10000).describe('Power at 0 % CPU utilisation, in watts (from a wall meter or the vendor sheet).'),
        maxWatts: z.number().positive().max(10000).describe('Power at 100 % CPU utilisation, in watts.'),
      })
      .optional()
      .describe('Declared power of the device model; required with source profile, not read otherwise. @default - none'),
    hwmonZones: z
      .array(z.string().regex(/^[a-zA-Z0-9_]+$/, { message: 'must be a Kepler hwmon zone name such as vdd_in (the sensor label, cleaned)' }))
      .min(1)
      .optional()
      .describe(
        'measured, for devices with a board power sensor instead of RAPL (ARM boards such as Jetson): the hwmon zones whose sum is the device\'s power, e.g. the input rail. Kepler v0.11.4 then reads hwmon (--experimental.hwmon.enabled); zones are named by the sensor label or `<chip>_power<N>`. @default - RAPL package and dram',
      ),
    initialModelURL: z
      .string()
      .url()
      .regex(/^https:\/\//, { message: 'must be an https URL' })
      .optional()
      .describe(
        'estimated: URL of the node power model weights (JSON) the exporter loads when the model server cannot be reached (Kepler classic NODE_COMPONENTS_INIT_URL). @default - none (only the model server)',
      ),
    missingAfterMinutes: z
      .number()
      .int()
      .min(5)
      .max(1440)
      .default(15)
      .describe('DevicePowerMissing fires when a registered device of the set has sent no power series for this long. @default 15'),
  })
  .describe('Power source of the set\'s devices. @default - measured when the stack has energy, else no power');

const deviceSetSchema = z.strictObject({
  name: dnsLabel.describe('Device set name; devices join it with `set`.'),
  heartbeatSeconds: z.number().int().min(5).max(3600).default(60).describe('Heartbeat period. @default 60'),
  metrics: z
    .strictObject({
      intervalSeconds: z.number().int().min(5).max(3600).default(60).describe('@default 60'),
      allowList: z
        .array(z.string().regex(/^[a-zA-Z_:][a-zA-Z0-9_:]*$/, { message: 'must be a metric name such as node_cpu_seconds_total' }))
        .optional()
        .describe('System metrics sent; the rest are dropped on the device. @default - every metric node_exporter exposes'),
    })
    .default({ intervalSeconds: 60 })
    .describe('System metrics the device agent sends to the hub Prometheus.'),
  hardwareProfile: z
    .enum(['full', 'delta', 'none'])
    .default('delta')
    .describe('Hardware inventory in heartbeats: full each time, only changes, or none. @default delta'),
  power: devicePowerSchema.optional().describe('Power source of the set\'s devices (README "Device energy"). @default - fleet.defaultPower'),
});

const workloadSchema = z.strictObject({
  name: dnsLabel.describe('EdgeWorkload name.'),
  image: image.describe('Container image the device runs.'),
  devices: z.array(dnsLabel).min(1).optional().describe('Devices that run it, by name. @default - use selector'),
  selector: labelMap.optional().describe('Devices that run it, by labels. @default - use devices'),
  ports: z
    .array(
      z.strictObject({
        name: dnsLabel,
        port: z.number().int().min(1).max(65535).describe('Port the container listens on.'),
        hostPort: z.number().int().min(1).max(65535).optional().describe('Port published on the device. @default - the port'),
      }),
    )
    .default([])
    .describe('Ports the container serves, each published on the device (Flotta needs a hostPort for every port). @default []'),
  env: z.record(z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { message: 'must be an environment variable name' }), z.string()).default({}).describe('@default {}'),
  metrics: z
    .strictObject({
      port: z.number().int().min(1).max(65535),
      path: urlPath.default('/metrics').describe('@default /metrics'),
      intervalSeconds: z.number().int().min(5).max(3600).default(60).describe('@default 60'),
      allowList: z.array(z.string()).optional().describe('@default - every metric'),
    })
    .optional()
    .describe('Workload metrics the device agent scrapes and sends to the hub Prometheus. @default - none'),
  imagePullSecret: dnsLabel.optional().describe('Secret (created outside Git) with registry credentials. @default - none'),
  logCollection: z.string().optional().describe('Name of a log collection configured on the device set. @default - none'),
});

/** What a device's address must match (also lib/spec/quick-devices.ts). */
export const DEVICE_ADDRESS = /^(([0-9]{1,3}\.){3}[0-9]{1,3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)$/;

/** One fleet device (read quickly, with the same result, by lib/spec/quick-devices.ts). */
export const deviceSchema = z.strictObject({
  name: dnsLabel.describe(
    "The device's yggdrasil client id (the id its Flotta agent registers with, lower case): edgewatt commits a pre-approved EdgeDeviceSignedRequest of this name, and the operator creates the EdgeDevice of this name when the device registers.",
  ),
  set: dnsLabel
    .optional()
    .describe('Device set it joins at registration (the request\'s targetSet). @default - the generated set `edgewatt-default` with the stack defaults'),
  address: z
    .string()
    .regex(DEVICE_ADDRESS, {
      message: 'must be an IPv4 or IPv6 address such as 10.20.0.11',
    })
    .optional()
    .describe('Address cluster services use to reach services on the device. @default - not reachable'),
  labels: labelMap
    .default({})
    .describe('Device labels, read by edgewatt only (workload selectors and the selection policy are resolved to device names at synth time; Flotta has no place for them). @default {}'),
});

/** The fleet section: devices that run containers (podman) but are not cluster nodes. */
export const fleetSchema = z
  .strictObject({
    cluster: dnsLabel
      .optional()
      .describe('Cluster of the Flotta operator and device objects. @default - the monitoring cluster, or the only cluster'),
    namespace: dnsLabel.default('fleet').describe('@default fleet'),
    deviceSets: z.array(deviceSetSchema).default([]).describe('@default []'),
    devices: z.array(deviceSchema).default([]).describe('@default []'),
    workloads: z.array(workloadSchema).default([]).describe('Containers the devices run (EdgeWorkloads). @default []'),
    receiver: z
      .strictObject({
        exposure: externalExposureSchema.describe('ingress (TLS host) or loadBalancer (TLS host + source CIDRs).'),
        caSecret: dnsLabel
          .optional()
          .describe('Secret in the fleet namespace with key ca.crt: the CA devices trust for the receiver (receiverConfiguration.caSecretName). @default - the device\'s system CAs'),
        unauthenticatedIngress: z
          .boolean()
          .default(false)
          .describe(
            "Accept the ingress transport for the devices' metrics. Flotta's device agent sends remote write without credentials, so through an Ingress any client that reaches the ingress controller can write series into the hub: restrict the host at your ingress controller. Without it, use transport loadBalancer, whose sourceCIDRs the load balancer and the NetworkPolicy enforce. @default false",
          ),
      })
      .optional()
      .describe(
        "How devices reach the device metrics gateway, which forwards their series to the hub with `cluster` and `device` labels. Devices are not cluster nodes and cannot resolve cluster DNS. Required when devices are listed and monitoring is bundled. @default - none",
      ),
    edgeAPI: z
      .strictObject({
        host: hostName.describe('DNS name devices use for the Flotta edge API (yggdrasil, mTLS passed through to the operator).'),
        sourceCIDRs: z.array(cidr).min(1, { message: 'must list the device networks allowed to connect' }).describe('Device networks allowed to connect.'),
      })
      .optional()
      .describe('How devices reach the Flotta edge API to register and get their configuration: a LoadBalancer Service (TCP passthrough, the operator verifies device certificates). Required when devices are listed. @default - none'),
    powerExporter: z
      .boolean()
      .optional()
      .describe(
        'Deprecated: use fleet.deviceSets[].power and fleet.defaultPower. `false` gives devices of sets without `power` (and of the default set) no power source. @default - true when the stack has energy',
      ),
    defaultPower: devicePowerSchema
      .optional()
      .describe('Power source of the devices in no set (the generated set `edgewatt-default`) and of sets without `power`. @default - { source: measured } when the stack has energy, else no power'),
    certManager: certManagerSchema,
  })
  .describe('Edge devices managed with Flotta. @default - no fleet');
