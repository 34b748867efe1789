import { RuleGroup } from '../core/monitoring-contract';
import { runbookURL } from '../monitoring/runbooks';
import { KEPLER_EXPORTER_NAME } from './kepler-exporter';

/** The exporter's own alerts (and the model server's, where one runs). */
export function energyAlerts(options: { readonly modelServerNamespace?: string; readonly runbookBase: string }): RuleGroup {
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
        runbookURL: runbookURL(options.runbookBase, 'KeplerExporterDown'),
        steps: [
          'kubectl -n <exporter namespace> get pods -l app.kubernetes.io/name=kepler-exporter -o wide: find the pod on that node.',
          'Describe the pod: a privileged pod is refused where the namespace is not labelled pod-security.kubernetes.io/enforce=privileged.',
          'Read its log: a kernel without RAPL or BTF support stops the exporter at start.',
        ],
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
              runbookURL: runbookURL(options.runbookBase, 'KeplerModelServerUnavailable'),
              steps: [
                'kubectl -n <energy namespace> describe deployment kepler-model-server.',
                'Check that the PVC kepler-model-server-models is Bound.',
                'Read the server-api log: a model pipeline URL that cannot be downloaded stops the start.',
              ],
            },
          ]
        : []),
    ],
  };
}
