import { z } from 'zod';
import { dnsLabel, image, labelValue, qualifiedName, resources, storageSize, urlPath } from './common';

/** ISO/IEC 23093 thing kinds. `MAnalyser` is accepted as the British spelling of `MAnalyzer`. */
export const THING_KINDS = ['MSensor', 'MAnalyzer', 'MAnalyser', 'MActuator', 'MStorage'] as const;

const gpuSchema = z.union(
  [
  z.number().int().positive(),
  z.strictObject({
    count: z.number().int().positive().default(1).describe('@default 1'),
    product: labelValue.optional().describe('Value of the nvidia.com/gpu.product node label. @default - any'),
    resource: qualifiedName.default('nvidia.com/gpu').describe('Extended resource name. @default nvidia.com/gpu'),
  }),
  ],
  { error: 'must be a number of GPUs, or an object {count, product, resource}' },
);

const thingSchema = z.strictObject({
  name: dnsLabel.describe('Thing name: its Service name and DNS name <name>.<namespace>.svc.cluster.local.'),
  kind: z.enum(THING_KINDS),
  image: image,
  port: z.number().int().min(1).max(65535).describe('Port the thing serves on.'),
  device: dnsLabel.optional().describe('Fleet device that runs the thing instead of the cluster. @default - in the cluster'),
  gpu: gpuSchema.optional().describe('GPUs: a count, or {count, product, resource}. @default - none'),
  storage: storageSize.optional().describe('Volume size (MStorage). @default - 10Gi for MStorage'),
  protocol: z
    .enum(['http', 'https', 'rtsp', 'grpc', 'mqtt', 'tcp'])
    .default('http')
    .describe('Scheme of the URL consumers receive (IOMT_<THING>_URL). @default http'),
  healthPath: urlPath.optional().describe('HTTP path for probes. @default - a TCP check of the port'),
  metricsPort: z.number().int().min(1).max(65535).optional().describe('Port serving Prometheus metrics at /metrics. @default - not scraped'),
  energyClass: z
    .enum(['critical', 'deferrable'])
    .optional()
    .describe('deferrable things get a lower PriorityClass, so they are evicted first when a node runs short. @default - the cluster default priority'),
  resources: resources.optional().describe('@default - 100m CPU and 128Mi requested, 512Mi limit'),
});

const linkSchema = z.strictObject({
  from: dnsLabel.describe('The upstream thing (producer).'),
  to: dnsLabel.describe('The downstream thing (consumer).'),
});

const pipelineSchema = z.strictObject({
  name: dnsLabel,
  cluster: dnsLabel.optional().describe('@default - the only cluster'),
  namespace: dnsLabel.optional().describe('@default - iomt-<pipeline name>'),
  things: z.array(thingSchema).min(1, { message: 'must list at least one thing' }),
  links: z.array(linkSchema).default([]).describe('@default []'),
});

/** The iomt section: media pipelines of IoMT things. */
export const iomtSchema = z
  .strictObject({
    pipelines: z.array(pipelineSchema).default([]).describe('@default []'),
  })
  .describe('IoMT (ISO/IEC 23093) pipelines. @default - none');
