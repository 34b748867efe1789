import { z } from 'zod';
import { httpExposureSchema } from './transport';
import { dnsLabel, labelMap, resources, storageSize, toleration } from './common';

/** Kepler lines edgewatt can deploy: `classic` is the 0.7 line, `current` the 0.10+ rewrite. */
export const KEPLER_GENERATIONS = ['classic', 'current'] as const;

const keplerSchema = z
  .strictObject({
    clusters: z
      .array(dnsLabel)
      .min(1, { message: 'must name at least one cluster, or leave the key out for every cluster' })
      .optional()
      .describe('Clusters that run the exporter on every node. @default - every cluster'),
    generation: z
      .enum(KEPLER_GENERATIONS)
      .default('current')
      .describe('classic (eBPF, estimator and model server) or current (RAPL and /proc only). @default current'),
    gpu: z.boolean().default(false).describe('Measure NVIDIA GPU power, through NVML (current generation only: the classic release-0.7.12 image has no NVIDIA support compiled in). @default false'),
    redfish: z
      .strictObject({
        credentialsSecret: dnsLabel.describe('Name of a Secret, created outside Git, holding the BMC credentials.'),
        skipTLSVerify: z
          .boolean()
          .default(false)
          .describe("Accept the BMCs' certificates unverified. Kepler v0.7.12 checks them against its image's system CAs only (no CA can be given), so BMCs with self-signed certificates report no platform power unless this is true. @default false"),
      })
      .optional()
      .describe('Platform power from the BMC over Redfish (classic). @default - off'),
    processMetrics: z.boolean().default(false).describe('Emit per-process power metrics. @default false'),
    nodeSelector: labelMap.optional().describe('Run the exporter only on nodes with these labels. @default - every node'),
    tolerations: z
      .array(toleration)
      .optional()
      .describe('Tolerations added to the default, which tolerates every taint. @default - none added'),
    resources: resources.optional().describe('Exporter container resources, merged over the generation\'s. @default - 100m CPU requested; memory 128Mi requested and 512Mi limit (current generation) or 400Mi and 800Mi (classic)'),
    namespace: dnsLabel
      .default('kepler')
      .describe('Namespace of the exporter, labelled Pod Security privileged; nothing else runs there. @default kepler'),
  })
  .describe('The Kepler power exporter, a DaemonSet on every node.');

const modelServerSchema = z
  .strictObject({
    cluster: dnsLabel.optional().describe('Cluster that runs the model server. @default - the monitoring cluster, or the only cluster'),
    storage: storageSize.default('5Gi').describe('Size of the volume for trained models. @default 5Gi'),
    initialModelURLs: z
      .array(z.string().regex(/^https?:\/\/\S+$/, { message: 'must be an http(s) URL of a model pipeline archive' }))
      .optional()
      .describe('Model pipeline archives the server loads at start. @default - the model server\'s built-in defaults'),
    onlineTrainer: z
      .boolean()
      .default(false)
      .describe('Run the online trainer, learning from the hub Prometheus (needs monitoring, and the model server on the monitoring cluster). @default false'),
    exposure: httpExposureSchema
      .optional()
      .describe('How Kepler exporters on other clusters reach the model server: mcs, ingress or loadBalancer. Required when Kepler runs on a cluster other than the model server\'s. @default - none'),
  })
  .describe('The Kepler model server that estimates power where counters are missing (classic only).');

/** The energy section: power measurement. */
export const energySchema = z
  .strictObject({
    kepler: keplerSchema.default({ generation: 'current', gpu: false, processMetrics: false, namespace: 'kepler' }),
    modelServer: modelServerSchema.optional().describe('@default - no model server'),
    namespace: dnsLabel
      .default('energy')
      .describe('Namespace of the energy components that need no privileges (model server). @default energy'),
  })
  .describe('Energy monitoring with Kepler. @default - no energy components');
