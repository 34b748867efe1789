import * as fs from 'fs';
import * as path from 'path';
import { parse } from 'yaml';
import { chartApplicationName, helmTree, HelmTree, IMAGE_SUBSTITUTION, LITERAL_OPEN, SynthResult, writeTree } from '../../lib/internal';
import { helm, helmBinary, HELM_VERSION, renderedDocuments } from '../support/helm';
import { demoStack } from '../support/stacks';
import { synthChecked, referenceSchemas } from '../support/synth';
import { tmpDir } from '../support/tmp';

// The demo stack (apps/demo/stack.yaml) as plain YAML and as Helm charts, the charts written to a temporary folder.
let plain: SynthResult;
let tree: HelmTree;
let out: string;
beforeAll(() => {
  plain = synthChecked(demoStack());
  tree = helmTree(plain, {}, { validation: { schemas: referenceSchemas() } });
  out = path.join(tmpDir('edgewatt-helm-'), 'dist');
  writeTree(out, tree.files);
});

/** The plain tree's objects of one cluster (not its Argo CD folder), by template path under templates/. */
function plainObjects(cluster: string): Map<string, { text: string; object: any }> {
  const m = new Map<string, { text: string; object: any }>();
  for (const [f, text] of plain.files) {
    if (!f.startsWith(`${cluster}/`) || f.startsWith(`${cluster}/argocd/`) || !f.endsWith('.yaml')) continue;
    m.set(f.slice(cluster.length + 1), { text, object: parse(text) });
  }
  return m;
}

/** `helm template` of a cluster's chart as Argo CD runs it (release name = the Application's), with more flags. */
function render(cluster: string, ...more: string[]): { status: number; stdout: string; stderr: string } {
  const chart = tree.charts.find((c) => c.cluster === cluster)!;
  return helm(['template', chartApplicationName(plain.model, cluster), path.join(out, chart.dir), '--namespace', 'edgewatt-test', '--include-crds', ...more]);
}

/** Rendered objects by template path (`<component>/<file>`). */
function renderedByTemplate(stdout: string, chartName: string): Map<string, { text: string; object: any }> {
  const m = new Map<string, { text: string; object: any }>();
  for (const d of renderedDocuments(stdout)) m.set(d.source.replace(`${chartName}/templates/`, ''), { text: d.text, object: d.object });
  return m;
}

describe('the stack as Helm charts, checked by the real Helm', () => {
  test('without the binary the Helm tests fail, naming the script that fetches it', () => {
    expect(() => helmBinary({ EDGEWATT_HELM: '/nonexistent/helm' })).toThrow(/run scripts\/fetch-helm\.sh/);
  });

  test(`the binary is Helm ${HELM_VERSION}`, () => {
    const v = helm(['version', '--short']);
    expect(v.status).toBe(0);
    expect(v.stdout.startsWith(`${HELM_VERSION}+`)).toBe(true);
  });

  test('one chart per cluster of the demo stack, each passing helm lint --strict', () => {
    expect(tree.charts.map((c) => c.name)).toEqual(['smart-factory-hub', 'smart-factory-line-1']);
    for (const c of tree.charts) {
      const r = helm(['lint', '--strict', path.join(out, c.dir)]);
      expect({ chart: c.name, status: r.status, out: r.stdout + r.stderr }).toEqual({ chart: c.name, status: 0, out: expect.stringContaining('1 chart(s) linted, 0 chart(s) failed') });
      expect(r.stdout).not.toMatch(/\[(WARNING|ERROR)\]/);
    }
  });

  test('helm template with the default values renders every object of the plain tree, byte for byte, and nothing else', () => {
    let braces = 0;
    for (const c of tree.charts) {
      const r = render(c.cluster);
      expect(r.stderr).toBe('');
      expect(r.status).toBe(0);
      const got = renderedByTemplate(r.stdout, c.name);
      const want = plainObjects(c.cluster);
      expect([...got.keys()].sort()).toEqual([...want.keys()].sort());
      for (const [file, w] of want) {
        // Object by object (parsed), then the very bytes (the plain file is what Helm renders, comments included).
        expect({ file, object: got.get(file)!.object }).toEqual({ file, object: w.object });
        expect({ file, text: got.get(file)!.text }).toEqual({ file, text: w.text });
        if (w.text.includes('{{')) {
          braces += 1;
          // The template escaped them (Helm would otherwise read them as actions and fail or print something else).
          expect(tree.files.get(`${c.dir}/templates/${file}`)).toContain(LITERAL_OPEN);
        }
      }
    }
    // Prometheus rule annotations and the Grafana dashboards' legend formats of the demo stack hold literal {{.
    expect(braces).toBeGreaterThanOrEqual(8);
  });

  test('a values override changes what it should and nothing else', () => {
    const c = tree.charts.find((x) => x.cluster === 'hub')!;
    const values = parse(tree.files.get(`${c.dir}/values.yaml`)!);
    expect(values).toEqual({ imageRegistry: '', storage: expect.objectContaining({ 'data-prometheus': '50Gi', 'kepler-model-server-models': '5Gi' }) });
    const r = render('hub', '--set', 'imageRegistry=mirror.example:5000/cache', '--set', 'storage.data-prometheus=200Gi');
    expect(r.status).toBe(0);
    const got = renderedByTemplate(r.stdout, c.name);
    const want = plainObjects('hub');
    let images = 0;
    let sizes = 0;
    let rules = 0;
    for (const [file, w] of want) {
      const expected = JSON.parse(JSON.stringify(w.object));
      for (const spec of [expected.spec?.template?.spec].filter(Boolean)) {
        for (const list of ['initContainers', 'containers']) {
          for (const ct of spec[list] ?? []) {
            ct.image = `mirror.example:5000/cache/${ct.image}`;
            images += 1;
          }
        }
      }
      // The image-registry alert allows what comes through the mirror (the regex quoted for a PromQL string).
      if (expected.kind === 'ConfigMap' && expected.data) {
        const before = JSON.stringify(expected.data);
        expected.data = JSON.parse(before.split('image_spec!~\\"').join('image_spec!~\\"mirror\\\\\\\\.example:5000/cache/.+|'));
        if (JSON.stringify(expected.data) !== before) rules += 1;
      }
      for (const t of expected.kind === 'StatefulSet' && expected.metadata.name === 'prometheus' ? expected.spec.volumeClaimTemplates : []) {
        if (t.metadata.name === 'data') {
          t.spec.resources.requests.storage = '200Gi';
          sizes += 1;
        }
      }
      expect({ file, object: got.get(file)!.object }).toEqual({ file, object: expected });
    }
    expect(images).toBeGreaterThanOrEqual(8);
    expect(sizes).toBe(1);
    expect(rules).toBe(1);
    // The rendered alert's regex (PromQL anchors it) takes a mirrored image and still refuses another registry.
    const texts = [...got.values()].flatMap((g) => Object.values((g.object as { data?: Record<string, string> }).data ?? {}));
    const rule = texts.find((t) => t.includes('KubePodImageFromUndeclaredRegistry'))!;
    // The PromQL string's text (its escapes undone: `\\.` is the regex's `\.`).
    const promqlString = /image_spec!~"((?:[^"\\]|\\.)*)"/.exec(rule)![1].replace(/\\\\/g, '\\');
    const allowed = new RegExp(`^(?:${promqlString})$`);
    expect(allowed.test('mirror.example:5000/cache/quay.io/prometheus/prometheus:v3.13.2')).toBe(true);
    expect(allowed.test('mirrorXexample:5000/cache/quay.io/prometheus/prometheus:v3.13.2')).toBe(false);
    expect(allowed.test('evil.example/quay.io/prometheus/prometheus:v3.13.2')).toBe(false);
    // The mirror token never leaks into a template's output.
    expect(r.stdout).not.toContain(IMAGE_SUBSTITUTION.token);
  });

  test.each([
    ['imageRegistry is a number', ['--set', 'imageRegistry=5'], /imageRegistry.*got number, want string/s],
    ['a storage size is a boolean', ['--set', 'storage.data-prometheus=true'], /data-prometheus.*got boolean, want string/s],
    ['a storage size is not a quantity', ['--set-string', 'storage.data-prometheus=lots'], /data-prometheus.*does not match pattern/s],
    ['a storage size of zero', ['--set-string', 'storage.data-prometheus=0Gi'], /data-prometheus.*does not match pattern/s],
    ['a storage size of zero with a fraction', ['--set-string', 'storage.data-prometheus=00.000Mi'], /data-prometheus.*does not match pattern/s],
    ['an unknown value (a typo)', ['--set', 'imageRegistyr=mirror.example'], /additional properties 'imageRegistyr' not allowed/],
    ['a mirror with a scheme', ['--set', 'imageRegistry=https://mirror.example'], /imageRegistry.*does not match pattern/s],
  ])('values.schema.json rejects a wrong value: %s (helm exits non-zero)', (_what, flags, message) => {
    const r = render('hub', ...(flags as string[]));
    expect(r.status).not.toBe(0);
    expect(r.stderr).toMatch(/values don't meet the specifications of the schema/);
    expect(r.stderr).toMatch(message as RegExp);
  });

  test('Chart.yaml: apiVersion v2, the version, kubeVersion of the validated Kubernetes minor, and a digest Helm enforces against other clusters', () => {
    for (const c of tree.charts) {
      const chart = parse(tree.files.get(`${c.dir}/Chart.yaml`)!);
      expect(chart).toMatchObject({ apiVersion: 'v2', name: c.name, version: c.version, appVersion: c.version, kubeVersion: '>=1.35.0-0 <1.36.0-0', annotations: { 'edgewatt.io/content-digest': c.digest } });
      expect(c.version).toMatch(/^0\.0\.0-sha-[0-9a-f]{12}$/);
      // No CustomResourceDefinition is edgewatt's own: every CRD comes from an upstream Application.
      expect([...tree.files.keys()].filter((f) => f.startsWith(`${c.dir}/crds/`))).toEqual([]);
    }
    // Helm refuses a cluster outside the range (Argo CD passes the cluster's version as --kube-version).
    const old = render('hub', '--kube-version', 'v1.34.2');
    expect(old.status).not.toBe(0);
    expect(old.stderr).toContain('chart requires kubeVersion: >=1.35.0-0 <1.36.0-0 which is incompatible with Kubernetes v1.34.2');
    expect(render('hub', '--kube-version', 'v1.35.3+k3s1').status).toBe(0);
  });

  test('the templates carry the value actions where values apply; the plain tree\'s non-object files go to docs/', () => {
    const hub = tree.files.get('hub/chart/templates/monitoring/statefulset-prometheus.yaml')!;
    expect(hub).toContain('{{ index .Values.storage "data-prometheus" }}');
    expect(hub).toContain(`image: ${IMAGE_SUBSTITUTION.action}quay.io/prometheus/prometheus:v3.13.2`);
    expect(fs.existsSync(path.join(out, 'hub/chart/docs/dashboards/README.md'))).toBe(true);
  });
});
