import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { CrdSchemas, findingsToProblems, SchemaCheck } from '../../lib/validate';
import { kubeAjv } from '../../lib/validate/schema-keywords';
import { compliantApp, container, entries } from '../support/objects';
import { sharedPath } from '../support/shared';

const check = new SchemaCheck({ k8sOpenApi: sharedPath('schemas/kubernetes/swagger-v1.35.0.json'), crds: [sharedPath('crds')] });

function messages(objects: any[]): string[] {
  return findingsToProblems(check.check(entries(objects))).map((p) => `${p.path}: ${p.message}`);
}

describe('strict schema check', () => {
  test('the compliant baseline passes', () => {
    expect(messages(compliantApp())).toEqual([]);
  });

  test('fails on a misspelled field that kubernetes-models alone accepts', () => {
    const app = compliantApp();
    container(app).imagee = 'typo';
    expect(() => new Deployment(app[1]).validate()).not.toThrow();
    expect(messages(app)).toEqual(['dist/edge/app/deployment-web.yaml: /spec/template/spec/containers/0/imagee: unknown field']);
  });

  test('fails on wrong types, with the JSON pointer', () => {
    const app = compliantApp();
    container(app).ports[0].containerPort = '8080';
    expect(messages(app)).toEqual(['dist/edge/app/deployment-web.yaml: /spec/template/spec/containers/0/ports/0/containerPort: must be integer']);
  });

  test('fails on a missing required field', () => {
    const app = compliantApp();
    delete container(app).name;
    delete app[1].spec.selector;
    expect(messages(app)).toEqual([
      'dist/edge/app/deployment-web.yaml: /spec/selector: is required',
      'dist/edge/app/deployment-web.yaml: /spec/template/spec/containers/0/name: is required',
    ]);
  });

  test('checks quantities and int-or-string', () => {
    const app = compliantApp();
    container(app).resources.limits.memory = '128 MB';
    app[3].spec.ports[0].targetPort = true;
    container(app).resources.requests.cpu = 0.5; // a number is a valid quantity
    expect(messages(app)).toEqual([
      'dist/edge/app/deployment-web.yaml: /spec/template/spec/containers/0/resources/limits/memory: must be a quantity such as 500m, 128Mi or 2',
      'dist/edge/app/service-web.yaml: /spec/ports/0/targetPort: must be an integer or a string',
    ]);
  });

  test('fails on unknown metadata fields and on unknown fields of custom resources', () => {
    const app = compliantApp();
    (app[0].metadata as any).label = {};
    const device = { apiVersion: 'management.project-flotta.io/v1alpha1', kind: 'EdgeDevice', metadata: { name: 'cam-01', namespace: 'shop' }, spec: { requestTime: '2026-01-01T00:00:00Z', heartbeatSecs: 60 } };
    expect(messages([app[0], device])).toEqual([
      'dist/edge/app/namespace-shop.yaml: /metadata/label: unknown field',
      'dist/edge/app/edgedevice-cam-01.yaml: /spec/heartbeatSecs: unknown field',
    ]);
  });

  test('preserves unknown fields where the schema says so', () => {
    const rule = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'PrometheusRule',
      metadata: { name: 'r', namespace: 'shop' },
      spec: { groups: [{ name: 'g', rules: [{ record: 'x:sum', expr: 'sum(x)' }] }] },
    };
    expect(messages([rule])).toEqual([]);
  });

  test('fails on a kind that neither the OpenAPI document nor a CRD defines', () => {
    expect(messages([{ apiVersion: 'example.com/v1', kind: 'Widget', metadata: { name: 'w' } }])).toEqual([
      'dist/edge/app/widget-w.yaml: /kind: no schema for example.com/v1 Widget: neither the Kubernetes OpenAPI document nor any CRD given defines it; fix: pass the CRD of Widget (--crds <file or folder>, repeatable; library: schemas.crds), or run `edgewatt schemas pull` once and leave out --k8s-openapi and --crds to use its cache',
    ]);
  });

  test('fails on a value outside an enum', () => {
    const monitor = {
      apiVersion: 'monitoring.coreos.com/v1',
      kind: 'ServiceMonitor',
      metadata: { name: 'web', namespace: 'shop' },
      spec: { selector: { matchLabels: { a: 'b' } }, endpoints: [{ port: 'http', scheme: 'gopher' }] },
    };
    expect(messages([monitor])).toEqual([
      'dist/edge/app/servicemonitor-web.yaml: /spec/endpoints/0/scheme: must be one of "http", "https", "HTTP", "HTTPS"',
    ]);
  });

  test("a custom resource's fields Git never sets (an Application's status) are compiled only when set, and checked as strictly", () => {
    const application = {
      apiVersion: 'argoproj.io/v1alpha1',
      kind: 'Application',
      metadata: { name: 'web', namespace: 'argocd' },
      spec: { project: 'default', destination: { server: 'https://kubernetes.default.svc', namespace: 'shop' }, source: { repoURL: 'https://git.example.com/x.git', path: 'dist' } },
    };
    const ajv = kubeAjv();
    const compile = jest.spyOn(ajv, 'compile');
    const crds = new CrdSchemas(ajv);
    crds.addPath(sharedPath('crds'));
    const validate = crds.validator('argoproj.io/v1alpha1', 'Application') as NonNullable<ReturnType<CrdSchemas['validator']>>;
    expect(validate(application)).toBe(true);
    const before = compile.mock.calls.length;
    // The status schema is three quarters of the Application CRD: not compiled until an object has a status.
    const statusCompiled = () => compile.mock.calls.some(([s]) => (s as { properties?: Record<string, unknown> }).properties?.reconciledAt !== undefined);
    expect(statusCompiled()).toBe(false);
    const withStatus = { ...application, status: { reconciledAt: 5, resources: [{ kindd: 'Service' }] } };
    expect(validate(withStatus)).toBe(false);
    expect(compile.mock.calls.length).toBeGreaterThan(before);
    expect(statusCompiled()).toBe(true);
    // The same findings as from the whole schema compiled at once, at their place in the object.
    expect(messages([withStatus])).toEqual(['dist/edge/app/application-web.yaml: /status/reconciledAt: must be string', 'dist/edge/app/application-web.yaml: /status/resources/0/kindd: unknown field']);
    const whole = crds.validator('argoproj.io/v1alpha1', 'Application', true) as NonNullable<ReturnType<CrdSchemas['validator']>>;
    expect(whole(withStatus)).toBe(false);
    expect(whole.errors?.map((e) => [e.instancePath, e.keyword, e.params])).toEqual(validate.errors?.map((e) => [e.instancePath, e.keyword, e.params]));
    expect(validate({ ...application, status: { reconciledAt: '2026-01-01T00:00:00Z' } })).toBe(true);
  });

  test('every CRD in the reference data compiles (RE2 patterns included)', () => {
    const crds = new CrdSchemas(kubeAjv());
    crds.addPath(sharedPath('crds'));
    const kinds = crds.kinds();
    expect(kinds).toEqual(expect.arrayContaining(['argoproj.io/v1alpha1/Application', 'management.project-flotta.io/v1alpha1/EdgeWorkload', 'monitoring.coreos.com/v1/PrometheusRule']));
    for (const k of kinds) {
      const i = k.lastIndexOf('/');
      // The whole schema at once: the lazily compiled top-level fields (LAZY_SUBSCHEMA) compile too.
      expect(typeof crds.validator(k.slice(0, i), k.slice(i + 1), true)).toBe('function');
    }
  });
});
