import { z } from 'zod';
import { dnsLabel, image, resources } from './common';

/** A registry host, optionally with a path prefix: `quay.io`, `registry.example.com:5000/team`. */
const registry = z
  .string()
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?(:[0-9]+)?(\/[a-z0-9]([-a-z0-9._/]*[a-z0-9])?)?$/, {
    message: 'must be a registry host with an optional path prefix, such as quay.io or registry.example.com:5000/team (no scheme, no tag)',
  });

/**
 * Kubernetes event monitoring (`monitoring.events`): kube-eventer turns Events into Prometheus counters on
 * every cluster that runs monitoring; alerts, a dashboard and the plan's cardinality estimate read them.
 */
export const eventsSchema = z
  .strictObject({
    enabled: z.boolean().default(true).describe('Watch Kubernetes Events on every monitored cluster. @default true'),
    clusters: z
      .array(dnsLabel)
      .min(1, { message: 'must name at least one cluster, or leave the key out for every monitored cluster' })
      .optional()
      .describe('Clusters that run the event exporter. @default - every cluster that runs monitoring'),
    image: image
      .optional()
      .describe('The kube-eventer image, for users who mirror it. @default registry.aliyuncs.com/acs/kube-eventer:v1.2.7-ca03be0-aliyun'),
    resources: resources.optional().describe('Exporter container resources. @default - 50m CPU and 64Mi requested, 256Mi memory limit'),
    eventsPerMinute: z
      .number()
      .positive()
      .default(5)
      .describe('Expected Warning events per minute per cluster, for the cardinality estimate of `edgewatt plan`. @default 5'),
    stormThreshold: z
      .number()
      .int()
      .positive()
      .default(100)
      .describe('Warning events in one namespace within 10 minutes that make a storm (KubeEventWarningStorm; events kube-eventer counts as errors count too, whatever their type). @default 100'),
    allowedRegistries: z
      .array(registry)
      .min(1, { message: 'must list at least one registry, or leave the key out' })
      .optional()
      .describe(
        'Registries pods may pull from; with it, containers of every namespace are checked (KubePodImageFromUndeclaredRegistry). @default - only the stack\'s own namespaces are checked, against the registries of the images the stack deploys',
      ),
  })
  .describe('Kubernetes event monitoring with kube-eventer. @default - on, on every monitored cluster');
