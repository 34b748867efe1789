import { EXTERNAL_REFS_ANNOTATION } from '../../lib/core/policy';
import { checkWiring, findingsToProblems } from '../../lib/validate';
import { compliantApp, container, entries } from '../support/objects';

function messages(objects: any[]): string[] {
  return findingsToProblems(checkWiring(entries(objects))).map((p) => `${p.path}: ${p.message}`).sort();
}

describe('wiring', () => {
  test('the compliant baseline passes', () => {
    expect(messages(compliantApp())).toEqual([]);
  });

  test('fails on an object whose namespace the cluster\'s tree does not create (system namespaces and Argo CD objects aside)', () => {
    const app = compliantApp();
    const cm = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'agent', namespace: 'monitoring' }, data: {} };
    const system = { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'sys', namespace: 'kube-system' }, data: {} };
    const argo = { apiVersion: 'argoproj.io/v1alpha1', kind: 'Application', metadata: { name: 'a', namespace: 'argocd' }, spec: {} };
    expect(messages([...app, cm, system, argo])).toEqual([
      'dist/edge/app/configmap-agent.yaml: /metadata/namespace: namespace "monitoring" is not created on cluster "edge" (no Namespace object in its tree), so Argo CD cannot sync this object there: create it, or declare it external (edgewatt.io/external-refs: Namespace/monitoring)',
    ]);
    // A tree that creates no Namespaces at all (someone else's YAML) is not held to it.
    expect(messages([cm])).toEqual([]);
  });

  test('accepts an object whose namespace it declares external, and only that namespace', () => {
    const app = compliantApp();
    const rule = (ns: string, refs: string) => ({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `rules-${ns}`, namespace: ns, annotations: { [EXTERNAL_REFS_ANNOTATION]: refs } }, data: {} });
    expect(messages([...app, rule('monitoring', 'Secret/x,Namespace/monitoring')])).toEqual([]);
    expect(messages([...app, rule('observability', 'Namespace/monitoring')])).toEqual([
      'dist/edge/app/configmap-rules-observability.yaml: /metadata/namespace: namespace "observability" is not created on cluster "edge" (no Namespace object in its tree), so Argo CD cannot sync this object there: create it, or declare it external (edgewatt.io/external-refs: Namespace/observability)',
    ]);
  });

  test('fails on a Service that selects no pod template', () => {
    const app = compliantApp();
    app[3].spec.selector = { 'app.kubernetes.io/name': 'webb' };
    expect(messages(app)).toEqual(['dist/edge/app/service-web.yaml: /spec/selector: selects no pod template in namespace "shop"']);
  });

  test('fails on a Service whose target port no selected container declares (by name or number)', () => {
    const app = compliantApp();
    app[3].spec.ports = [{ name: 'http', port: 80, targetPort: 'htp' }, { name: 'm', port: 9090 }, { name: 'ok', port: 81, targetPort: 8080 }];
    expect(messages(app)).toEqual([
      'dist/edge/app/service-web.yaml: /spec/ports/0/targetPort: targets port "htp", which no selected container declares',
      'dist/edge/app/service-web.yaml: /spec/ports/1/targetPort: targets port 9090, which no selected container declares',
    ]);
  });

  test('a Service without a selector needs an EndpointSlice', () => {
    const app = compliantApp();
    delete app[3].spec.selector;
    expect(messages(app)).toEqual([
      'dist/edge/app/service-web.yaml: /spec/selector: a Service without a selector needs an EndpointSlice labelled kubernetes.io/service-name with its name',
    ]);
    const slice = { apiVersion: 'discovery.k8s.io/v1', kind: 'EndpointSlice', metadata: { name: 'web-device', namespace: 'shop', labels: { 'kubernetes.io/service-name': 'web' } }, addressType: 'IPv4', endpoints: [{ addresses: ['10.20.0.11'] }] };
    expect(messages([...app, slice])).toEqual([]);
  });

  test('fails on references to objects not in the output, unless declared external', () => {
    const app = compliantApp();
    app.splice(2, 1); // the ConfigMap
    const spec = app[1].spec.template.spec;
    spec.serviceAccountName = 'web';
    spec.volumes = [{ name: 'data', persistentVolumeClaim: { claimName: 'web-data' } }, { name: 'opt', secret: { secretName: 'maybe', optional: true } }];
    container(app).env = [{ name: 'PASSWORD', valueFrom: { secretKeyRef: { name: 'db', key: 'password' } } }];
    expect(messages(app)).toEqual([
      'dist/edge/app/deployment-web.yaml: /spec/template/spec/containers/0/env/0/valueFrom/secretKeyRef/name: Secret "db" is not in the output nor declared external (edgewatt.io/external-refs: Secret/db)',
      'dist/edge/app/deployment-web.yaml: /spec/template/spec/containers/0/envFrom/0/configMapRef/name: ConfigMap "web-config" is not in the output nor declared external (edgewatt.io/external-refs: ConfigMap/web-config)',
      'dist/edge/app/deployment-web.yaml: /spec/template/spec/serviceAccountName: ServiceAccount "web" is not in the output nor declared external (edgewatt.io/external-refs: ServiceAccount/web)',
      'dist/edge/app/deployment-web.yaml: /spec/template/spec/volumes/0/persistentVolumeClaim/claimName: PersistentVolumeClaim "web-data" is not in the output nor declared external (edgewatt.io/external-refs: PersistentVolumeClaim/web-data)',
    ]);
    app[1].metadata.annotations = { [EXTERNAL_REFS_ANNOTATION]: 'Secret/db,ConfigMap/web-config,ServiceAccount/web,PersistentVolumeClaim/web-data' };
    expect(messages(app)).toEqual([]);
  });

  test('a StatefulSet volume claim template counts as present', () => {
    const app = compliantApp();
    const sts = { ...app[1], kind: 'StatefulSet', spec: { ...app[1].spec, serviceName: 'web', volumeClaimTemplates: [{ metadata: { name: 'data' } }] } };
    sts.spec.template = JSON.parse(JSON.stringify(sts.spec.template));
    sts.spec.template.spec.volumes = [{ name: 'data', persistentVolumeClaim: { claimName: 'data' } }];
    app[1] = sts;
    expect(messages(app)).toEqual([]);
  });

  test('fails on a NetworkPolicy that selects no pod', () => {
    const app = compliantApp();
    app[4].spec.podSelector = { matchExpressions: [{ key: 'app.kubernetes.io/name', operator: 'In', values: ['api'] }] };
    expect(messages(app)).toEqual(['dist/edge/app/networkpolicy-web.yaml: /spec/podSelector: selects no pod in namespace "shop"']);
  });

  test('fails on two objects with one kind, namespace and name', () => {
    const app = compliantApp();
    const twin = { ...app[2], data: { MODE: 'cloud' } };
    const all = entries([...app, twin]);
    all[all.length - 1] = { ...all[all.length - 1], file: 'dist/edge/other/configmap-web-config.yaml' };
    expect(findingsToProblems(checkWiring(all)).map((p) => `${p.path}: ${p.message}`)).toEqual([
      'dist/edge/other/configmap-web-config.yaml: /metadata/name: ConfigMap "web-config" is also defined in dist/edge/app/configmap-web-config.yaml',
    ]);
  });

  test('objects in different clusters do not see each other', () => {
    const a = entries(compliantApp(), 'a');
    const b = entries(compliantApp().filter((o) => o.kind !== 'Deployment'), 'b');
    expect(findingsToProblems(checkWiring([...a, ...b])).map((p) => `${p.path}: ${p.message}`).sort()).toEqual([
      'dist/b/app/networkpolicy-web.yaml: /spec/podSelector: selects no pod in namespace "shop"',
      'dist/b/app/service-web.yaml: /spec/selector: selects no pod template in namespace "shop"',
    ]);
  });
});
