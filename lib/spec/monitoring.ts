import { z } from 'zod';
import { dnsLabel, duration, labelMap, quantity } from './common';

/** How Prometheus is provided. */
export const MONITORING_MODES = ['bundled', 'prometheus-operator'] as const;

/** The monitoring section: Prometheus, rules, Alertmanager. */
export const monitoringSchema = z
  .strictObject({
    cluster: dnsLabel.optional().describe('Cluster of the hub Prometheus. @default - the only cluster'),
    namespace: dnsLabel.default('monitoring').describe('@default monitoring'),
    mode: z
      .enum(MONITORING_MODES)
      .default('bundled')
      .describe('bundled Prometheus, or objects for an existing Prometheus Operator. @default bundled'),
    retention: duration.default('15d').describe('How long Prometheus keeps samples. @default 15d'),
    storage: quantity.default('50Gi').describe('Size of the Prometheus volume. @default 50Gi'),
    scrapeInterval: duration.default('30s').describe('@default 30s'),
    selection: z
      .strictObject({
        sample: z
          .number()
          .gt(0, { message: 'must be more than 0: leave selection out to monitor everything' })
          .max(1, { message: 'must be at most 1 (a fraction)' })
          .describe('Fraction of nodes and devices monitored, stable per target (hashmod).'),
        always: labelMap.optional().describe('Targets with all these labels are always monitored. @default - none'),
      })
      .optional()
      .describe('Monitor only part of a large fleet. @default - monitor everything'),
    carbonIntensity: z
      .number()
      .nonnegative()
      .default(475)
      .describe('Grid carbon intensity in gCO2e per kWh, for CO2 rules and panels. @default 475 (world average)'),
    alerts: z
      .strictObject({
        nodePowerWatts: z.number().positive().default(200).describe('@default 200'),
        deviceHeartbeatMinutes: z.number().positive().default(5).describe('@default 5'),
      })
      .default({ nodePowerWatts: 200, deviceHeartbeatMinutes: 5 })
      .describe('Alert thresholds.'),
  })
  .describe('Metrics and alerts. @default - no monitoring components');
