import { z } from 'zod';
import { dnsLabel } from './common';

/** How Grafana is provided. */
export const DASHBOARD_MODES = ['bundled', 'sidecar'] as const;

/** The dashboards section: Grafana. */
export const dashboardsSchema = z
  .strictObject({
    cluster: dnsLabel.optional().describe('Cluster of Grafana: the monitoring cluster, whose Prometheus and Alertmanager it reads (they are not exposed to other clusters). @default - the monitoring cluster, or the only cluster'),
    namespace: dnsLabel
      .default('dashboards')
      .describe("Namespace of the bundled Grafana, or (sidecar mode) of the dashboard ConfigMaps, which the existing Grafana's sidecar must watch (kube-prometheus-stack's watches every namespace; the grafana chart's default only Grafana's own). @default dashboards"),
    mode: z
      .enum(DASHBOARD_MODES)
      .default('bundled')
      .describe('bundled Grafana, or dashboard ConfigMaps for an existing Grafana sidecar. @default bundled'),
    adminSecret: dnsLabel
      .default('grafana-admin')
      .describe('Secret (created outside Git) with keys admin-user and admin-password. @default grafana-admin'),
    anonymousViewer: z.boolean().default(false).describe('Let people see dashboards without logging in, as Viewer only. @default false'),
    ingressControllerNamespace: dnsLabel
      .optional()
      .describe(
        "Namespace of the ingress controller through which people reach the bundled Grafana (an Ingress of your own; mode bundled only): Grafana's NetworkPolicy admits that namespace's pods on its port. @default - none: Grafana admits only the Prometheus that scrapes it; reach it with kubectl port-forward, which no NetworkPolicy filters",
      ),
  })
  .describe('Grafana dashboards. @default - no dashboards');
