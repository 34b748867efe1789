import { z } from 'zod';
import { dnsLabel, labelMap } from './common';

const deviceSetSchema = z.strictObject({
  name: dnsLabel.describe('Device set name; devices join it with `set`.'),
  heartbeatSeconds: z.number().int().min(5).max(3600).default(60).describe('Heartbeat period. @default 60'),
  metrics: z
    .strictObject({
      intervalSeconds: z.number().int().min(5).max(3600).default(60).describe('@default 60'),
    })
    .default({ intervalSeconds: 60 })
    .describe('System metrics the device agent sends to the hub Prometheus.'),
});

const deviceSchema = z.strictObject({
  name: dnsLabel.describe('Device name (its EdgeDevice object).'),
  set: dnsLabel.optional().describe('Device set it belongs to. @default - none: the stack defaults apply'),
  address: z
    .string()
    .regex(/^(([0-9]{1,3}\.){3}[0-9]{1,3}|[0-9a-fA-F:]*:[0-9a-fA-F:.]*)$/, {
      message: 'must be an IPv4 or IPv6 address such as 10.20.0.11',
    })
    .optional()
    .describe('Address cluster services use to reach services on the device. @default - not reachable'),
  labels: labelMap.default({}).describe('Device labels, used by workload selectors and the selection policy. @default {}'),
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
  })
  .describe('Edge devices managed with Flotta. @default - no fleet');
