import { ApiObject } from 'cdk8s';
import * as k8s from 'cdk8s-plus-27/lib/imports/k8s';
import { Construct } from 'constructs';
import { declareNamespacePeers } from '../lib/core/policy';
import { LABEL, selectorLabels } from '../lib/core/labels';
import { namespacePeer, podsPeer } from '../lib/core/network';
import { GRAFANA_NAME } from '../lib/dashboards/grafana';
import { KEPLER_EXPORTER_NAME } from '../lib/energy/kepler-exporter';
import { MODEL_SERVER_NAME } from '../lib/energy/model-server';
import { StackModel } from '../lib/model';
import { scraperNamespace } from '../lib/model/monitoring';
import { PROMETHEUS_NAME } from '../lib/monitoring/prometheus';

/*
 * NetworkPolicy peers that name the pods of a flow's source, for the policies of what it reaches: a policy admits the
 * source's pods, not its whole namespace (a compromised neighbour there — a gateway reachable from outside the
 * cluster — gains nothing). Only a source whose pods the stack cannot name is admitted by namespace: an existing
 * install's Grafana (dashboards.mode sidecar).
 */

/**
 * The Prometheus pods that scrape the cluster's exporters (Kepler, kube-eventer, the IoMT things' metrics ports): the
 * bundled StatefulSet's, or with the Prometheus Operator every pod of a `Prometheus` or a `PrometheusAgent` of the
 * install's namespace, by the name label the operator puts on them over the user's podMetadata (prometheus-operator
 * v0.93.0, the tag nearest the pinned 0.93.1 that was read: `pkg/prometheus/server/operator.go` and
 * `pkg/prometheus/agent/operator.go` makeSelectorLabels give `app.kubernetes.io/name: prometheus` and
 * `prometheus-agent`; `pkg/prometheus/server/statefulset.go` makeStatefulSetSpec puts them on the pod template).
 */
export function scraperPeer(model: StackModel): k8s.NetworkPolicyPeer {
  const ns = scraperNamespace(model);
  if (model.monitoring?.mode !== 'prometheus-operator') return podsPeer(ns, selectorLabels(PROMETHEUS_NAME, PROMETHEUS_NAME));
  return { ...namespacePeer(ns), podSelector: { matchExpressions: [{ key: LABEL.name, operator: 'In', values: ['prometheus', 'prometheus-agent'] }] } };
}

/** Grafana's pods (bundled), or its namespace (an existing Grafana whose pods' labels the stack does not know). */
export function grafanaPeer(model: StackModel): k8s.NetworkPolicyPeer {
  const d = model.dashboards!;
  return d.mode === 'bundled' ? podsPeer(d.namespace, selectorLabels(GRAFANA_NAME, GRAFANA_NAME)) : namespacePeer(d.namespace);
}

/** The Kepler exporter's pods (they fetch power models from the model server). */
export function keplerExporterPeer(model: StackModel): k8s.NetworkPolicyPeer {
  return podsPeer(model.energy!.kepler.namespace, selectorLabels(KEPLER_EXPORTER_NAME, KEPLER_EXPORTER_NAME));
}

/** The model server's pods (its online trainer queries the hub Prometheus). */
export function modelServerPeer(model: StackModel): k8s.NetworkPolicyPeer {
  return podsPeer(model.energy!.namespace, selectorLabels(MODEL_SERVER_NAME, MODEL_SERVER_NAME));
}

/**
 * Marks the NetworkPolicy (child `netpol`) of a construct that admits Grafana (the hub Prometheus, Alertmanager) as
 * admitting an existing Grafana's namespace whole on purpose (dashboards.mode sidecar): the breadth check then accepts
 * that peer even where the namespace also holds the stack's own sources (a Grafana in `monitoring`).
 */
export function declareGrafanaNamespace(model: StackModel, scope: Construct): void {
  const d = model.dashboards;
  if (!d || d.mode === 'bundled') return;
  const policy = scope.node.tryFindChild('netpol');
  if (policy) declareNamespacePeers(ApiObject.of(policy), [d.namespace], 'an existing Grafana (dashboards.mode sidecar): the stack does not know its pods\' labels');
}
