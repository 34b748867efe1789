import { RuleGroup } from '../core/monitoring-contract';
import { KEPLER_EXPORTER_NAME } from './kepler-exporter';

/** The exporter's own alerts (and the model server's, where one runs). */
export function energyAlerts(options: { readonly modelServerNamespace?: string }): RuleGroup {
  return {
    name: 'edgewatt-energy-components',
    rules: [
      {
        alert: 'KeplerExporterDown',
        expr: `up{job="${KEPLER_EXPORTER_NAME}"} == 0`,
        for: '10m',
        severity: 'warning',
        summary: 'Kepler exporter down on {{ $labels.instance }}',
        description: 'Prometheus has not scraped the Kepler exporter at {{ $labels.instance }} for 10 minutes: power of that node is not measured.',
      },
      ...(options.modelServerNamespace
        ? [
            {
              alert: 'KeplerModelServerUnavailable',
              expr: `kube_deployment_status_replicas_available{namespace="${options.modelServerNamespace}",deployment="kepler-model-server"} == 0`,
              for: '10m',
              severity: 'warning' as const,
              summary: 'Kepler model server unavailable',
              description: 'No replica of the Kepler model server has been available for 10 minutes: exporters without hardware counters cannot get power models.',
            },
          ]
        : []),
    ],
  };
}
