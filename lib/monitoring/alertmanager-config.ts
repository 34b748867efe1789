import { declaredInhibitions, RuleGroup } from '../core/monitoring-contract';
import { MonitoringModel } from '../model/types';

/** alertmanager.yml as typed objects (the fields edgewatt writes). */
export interface AlertmanagerConfig {
  readonly route: Route;
  readonly receivers: ReadonlyArray<Receiver>;
  readonly inhibit_rules: ReadonlyArray<{ readonly source_matchers: string[]; readonly target_matchers: string[]; readonly equal: string[] }>;
}

interface Route {
  readonly receiver: string;
  readonly group_by?: ReadonlyArray<string>;
  readonly group_wait?: string;
  readonly group_interval?: string;
  readonly repeat_interval?: string;
  readonly matchers?: ReadonlyArray<string>;
  readonly continue?: boolean;
  readonly routes?: ReadonlyArray<Route>;
}

interface Receiver {
  readonly name: string;
  readonly webhook_configs?: ReadonlyArray<{ url: string; send_resolved: boolean; http_config?: { authorization: { credentials_file: string } } }>;
  readonly slack_configs?: ReadonlyArray<{ api_url_file: string; channel: string; send_resolved: boolean }>;
}

/** Where a Secret key is mounted in the Alertmanager container. */
export function secretPath(ref: { readonly name: string; readonly key: string }): string {
  return `/etc/alertmanager/secrets/${ref.name}/${ref.key}`;
}

/** The Secrets the configuration reads, by name. */
export function alertmanagerSecrets(m: MonitoringModel): string[] {
  const names = new Set<string>();
  for (const r of m.alertmanager.receivers) {
    if (r.webhook?.tokenSecret) names.add(r.webhook.tokenSecret.name);
    if (r.slack) names.add(r.slack.apiURLSecret.name);
  }
  return [...names].sort();
}

/**
 * The routing tree: a root that sends to the `null` receiver unless a route matches, the spec's routes in
 * order, and an inhibition that silences warnings while a critical alert of the same name fires, plus one per
 * alert that declares `inhibitedBy` among `groups` (an event alert held back while kube-state-metrics pages).
 */
export function alertmanagerConfig(m: MonitoringModel, groups: ReadonlyArray<RuleGroup> = []): AlertmanagerConfig {
  return {
    route: {
      receiver: 'null',
      group_by: ['alertname', 'cluster', 'namespace'],
      group_wait: '30s',
      group_interval: '5m',
      repeat_interval: '4h',
      routes: m.alertmanager.routes.map((r) => ({ receiver: r.receiver, matchers: r.matchers, continue: r.continue })),
    },
    receivers: [
      { name: 'null' },
      ...m.alertmanager.receivers.map((r) => ({
        name: r.name,
        ...(r.webhook
          ? {
              webhook_configs: [
                {
                  url: r.webhook.url,
                  send_resolved: true,
                  ...(r.webhook.tokenSecret ? { http_config: { authorization: { credentials_file: secretPath(r.webhook.tokenSecret) } } } : {}),
                },
              ],
            }
          : {}),
        ...(r.slack ? { slack_configs: [{ api_url_file: secretPath(r.slack.apiURLSecret), channel: r.slack.channel, send_resolved: true }] } : {}),
      })),
    ],
    inhibit_rules: [
      { source_matchers: ['severity="critical"'], target_matchers: ['severity="warning"'], equal: ['alertname', 'cluster', 'namespace'] },
      ...declaredInhibitions(groups).map((i) => ({ source_matchers: [`alertname="${i.source}"`], target_matchers: [`alertname="${i.target}"`], equal: i.equal })),
    ],
  };
}
