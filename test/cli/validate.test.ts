import * as fs from 'fs';
import * as path from 'path';
import { parse, stringify } from 'yaml';
import { runCli } from '../../lib/internal';
import { compliantApp, container } from '../support/objects';
import { ROOT, sharedPath } from '../support/shared';
import { captureIO, tmpDir } from '../support/tmp';

const K8S = sharedPath('schemas/kubernetes/swagger-v1.35.0.json');
const CRDS = sharedPath('crds');

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const c = captureIO();
  const code = await runCli(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

function writeTree(objects: any[], cluster = 'line-1', component = 'iomt'): string {
  const dir = path.join(tmpDir(), 'dist');
  fs.mkdirSync(path.join(dir, cluster, component), { recursive: true });
  for (const o of objects) fs.writeFileSync(path.join(dir, cluster, component, `${o.kind.toLowerCase()}-${o.metadata.name}.yaml`), stringify(o));
  return dir;
}

describe('edgewatt validate', () => {
  test('the bundled example passes every check', async () => {
    const r = await run('validate', path.join(ROOT, 'dist'), '--k8s-openapi', K8S, '--crds', CRDS);
    expect(r.err).toBe('');
    expect(r.code).toBe(0);
    const n = fs.readdirSync(path.join(ROOT, 'dist'), { recursive: true }).filter((f) => String(f).endsWith('.yaml')).length;
    expect(n).toBeGreaterThan(20);
    const flows = JSON.parse(fs.readFileSync(path.join(ROOT, 'dist/FLOWS.json'), 'utf8')).flows.length;
    expect(flows).toBeGreaterThan(10);
    // With the Argo CD bootstrap synth wrote beside it (argocd/: the AppProject and the root Applications).
    const b = fs.readdirSync(path.join(ROOT, 'argocd')).filter((f) => f.endsWith('.yaml')).length;
    expect(b).toBeGreaterThan(1);
    const bootstrap = path.relative(process.cwd(), path.join(ROOT, 'argocd')) || path.join(ROOT, 'argocd');
    expect(r.out).toBe(
      `${path.join(ROOT, 'dist')}: ${n + b} objects in ${n + b} files pass the schema, policy, wiring and PromQL checks and the ${flows} flows of FLOWS.json (${b} objects of them the Argo CD bootstrap in ${bootstrap})\n`,
    );
  });

  test("reads the Argo CD bootstrap beside the tree: an Application its AppProject does not permit fails validate, as it fails synth", async () => {
    const root = tmpDir();
    fs.cpSync(path.join(ROOT, 'dist'), path.join(root, 'dist'), { recursive: true });
    fs.cpSync(path.join(ROOT, 'argocd'), path.join(root, 'argocd'), { recursive: true });
    const dist = path.join(root, 'dist');
    expect((await run('validate', dist, '--k8s-openapi', K8S, '--crds', CRDS)).code).toBe(0);
    // line-1's kepler namespace taken out of the project's destinations: Argo CD would refuse line-1's energy Application.
    const projectFile = path.join(root, 'argocd', 'appproject-smart-factory.yaml');
    const project = parse(fs.readFileSync(projectFile, 'utf8'));
    const line1 = 'https://line-1.factory.example:6443';
    project.spec.destinations = project.spec.destinations.filter((d: any) => !(d.server === line1 && d.namespace === 'kepler'));
    fs.writeFileSync(projectFile, stringify(project));
    const r = await run('validate', dist, '--k8s-openapi', K8S, '--crds', CRDS);
    expect(r.code).toBe(1);
    expect(r.err).toContain(
      `${dist}/line-1/argocd/application-smart-factory-line-1-energy.yaml: /spec/destination: destination server "${line1}" and namespace "kepler" match no destination of AppProject smart-factory: Argo CD refuses the Application and deploys nothing of it; list that namespace in the project`,
    );
    // --no-argocd checks the tree alone; --argocd names the folder (here the same one); a missing folder is bad input.
    expect((await run('validate', dist, '--k8s-openapi', K8S, '--crds', CRDS, '--no-argocd')).code).toBe(0);
    // --argocd: the broken bootstrap moved away from the tree is still found there; the tree alone passes.
    fs.renameSync(path.join(root, 'argocd'), path.join(root, 'elsewhere'));
    expect((await run('validate', dist, '--k8s-openapi', K8S, '--crds', CRDS)).code).toBe(0);
    const moved = await run('validate', dist, '--k8s-openapi', K8S, '--crds', CRDS, '--argocd', path.join(root, 'elsewhere'));
    expect([moved.code, moved.err]).toEqual([1, expect.stringContaining('match no destination of AppProject smart-factory')]);
    const missing = await run('validate', dist, '--k8s-openapi', K8S, '--crds', CRDS, '--argocd', path.join(root, 'nowhere'));
    expect([missing.code, missing.err]).toEqual([2, expect.stringContaining(`--argocd: ${path.join(root, 'nowhere')} is not a folder`)]);
  });

  test('an argocd folder beside the tree that edgewatt did not write is not read', async () => {
    const app = compliantApp('iomt-object-detection');
    const dir = writeTree(app);
    fs.mkdirSync(path.join(path.dirname(dir), 'argocd'));
    fs.writeFileSync(path.join(path.dirname(dir), 'argocd', 'notes.yaml'), 'not: an object\n');
    // A dangling link in it is not followed either.
    fs.symlinkSync('/nonexistent/edgewatt', path.join(path.dirname(dir), 'argocd', 'a.yaml'));
    const r = await run('validate', dir, '--k8s-openapi', K8S);
    expect([r.code, r.out]).toEqual([0, `${dir}: ${app.length} objects in ${app.length} files pass the schema, policy, wiring and PromQL checks (no FLOWS.json: no flow checked)\n`]);
  });

  test('reports every problem in one run, sorted, with a count, and exits 1', async () => {
    const app = compliantApp('iomt-object-detection');
    app[1].metadata.name = 'object-detect';
    container(app).ports[0].containerPort = '8080';
    container(app).securityContext.privileged = true;
    app[3].spec.ports[0].targetPort = 'metrics';
    const dir = writeTree(app);
    const r = await run('validate', dir, '--k8s-openapi', K8S);
    expect(r.code).toBe(1);
    expect(r.out).toBe('');
    expect(r.err).toBe(
      [
        'error: validation failed (3 problems)',
        `  ${dir}/line-1/iomt/deployment-object-detect.yaml: /spec/template/spec/containers/0/ports/0/containerPort: must be integer`,
        `  ${dir}/line-1/iomt/deployment-object-detect.yaml: /spec/template/spec/containers/0/securityContext/privileged: must not be true (privileged)`,
        `  ${dir}/line-1/iomt/service-web.yaml: /spec/ports/0/targetPort: targets port "metrics", which no selected container declares`,
        '',
      ].join('\n'),
    );
    const j = await run('validate', dir, '--k8s-openapi', K8S, '-o', 'json');
    expect(j.code).toBe(1);
    const doc = JSON.parse(j.out);
    expect(doc).toMatchObject({ command: 'validate', ok: false, exitCode: 1 });
    expect(doc.problems[0]).toEqual({
      file: `${dir}/line-1/iomt/deployment-object-detect.yaml`,
      line: null,
      column: null,
      path: '/spec/template/spec/containers/0/ports/0/containerPort',
      message: 'must be integer',
      fix: null,
    });
    expect(doc.problems).toHaveLength(3);
  });

  test('a file that is not YAML or not an object is reported, not thrown', async () => {
    const dir = writeTree(compliantApp('shop'));
    fs.writeFileSync(path.join(dir, 'line-1/iomt/broken.yaml'), 'a: [1\n');
    fs.writeFileSync(path.join(dir, 'line-1/iomt/list.yaml'), '- 1\n');
    const r = await run('validate', dir, '--k8s-openapi', K8S);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`  ${dir}/line-1/iomt/broken.yaml: is not valid YAML: `);
    expect(r.err).toContain(`  ${dir}/line-1/iomt/list.yaml: is not a Kubernetes object (apiVersion, kind and metadata.name are required)\n`);
  });

  test('--policy-report prints the report before the verdict', async () => {
    const r = await run('validate', path.join(ROOT, 'dist'), '--k8s-openapi', K8S, '--crds', CRDS, '--policy-report');
    expect(r.code).toBe(0);
    expect(r.out.startsWith('cluster hub\n  namespaces:\n    dashboards: enforces restricted; has NetworkPolicies\n')).toBe(true);
    expect(r.out).toContain('cluster line-1\n');
  });

  test('without an OpenAPI document, or with a missing one, validate exits 2 and says where to get one', async () => {
    const saved = process.env.EDGEWATT_K8S_OPENAPI;
    delete process.env.EDGEWATT_K8S_OPENAPI;
    try {
      const r = await run('validate', path.join(ROOT, 'dist'));
      expect(r.code).toBe(2);
      expect(r.err).toBe(
        'error: bad input (1 problem)\n  --k8s-openapi: is required by validate: name the Kubernetes OpenAPI document (kubectl get --raw /openapi/v2 > k8s-openapi.json), or set EDGEWATT_K8S_OPENAPI, or run \`edgewatt schemas pull\` once\n',
      );
      const missing = await run('validate', path.join(ROOT, 'dist'), '--k8s-openapi', '/nope.json');
      expect(missing.code).toBe(2);
      expect(missing.err).toContain('/nope.json: no such OpenAPI document: get one with `kubectl get --raw /openapi/v2 > k8s-openapi.json`');
      // A folder that does not exist is bad input too (exit 2, as README's table says), reported with the flag in one run.
      const nodir = await run('validate', 'nosuchdir');
      expect(nodir.code).toBe(2);
      expect(nodir.err).toBe('error: bad input (2 problems)\n  --k8s-openapi: is required by validate: name the Kubernetes OpenAPI document (kubectl get --raw /openapi/v2 > k8s-openapi.json), or set EDGEWATT_K8S_OPENAPI, or run \`edgewatt schemas pull\` once\n  nosuchdir: is not a folder: pass the folder of YAML files to check, e.g. `edgewatt validate dist`\n');
      const json = await run('validate', 'nosuchdir', '-o', 'json');
      expect(json.code).toBe(2);
      expect(JSON.parse(json.out)).toEqual({
        command: 'validate',
        ok: false,
        exitCode: 2,
        problems: [
          { file: null, line: null, column: null, path: '--k8s-openapi', message: expect.stringContaining('is required by validate'), fix: null },
          { file: null, line: null, column: null, path: 'nosuchdir', message: expect.stringContaining('is not a folder'), fix: null },
        ],
      });
    } finally {
      if (saved !== undefined) process.env.EDGEWATT_K8S_OPENAPI = saved;
    }
  });

  test('synth refuses to write output that fails a gate, and leaves dist as it was', async () => {
    const dir = tmpDir();
    const stack = path.join(dir, 'stack.yaml');
    // A privileged namespace is fine; a CRD-less custom kind is not: use a check-only failure via a bad CRD path.
    fs.writeFileSync(stack, 'name: lab\nclusters: [{ name: edge }]\nmonitoring: {}\n');
    const r = await run('synth', '-c', stack, '-o', path.join(dir, 'dist'), '--k8s-openapi', K8S, '--crds', path.join(dir, 'none'));
    expect(r.code).toBe(2);
    expect(r.err).toBe(`error: bad input (1 problem)\n  ${path.join(dir, 'none')}: no such CRD file or folder\n`);
    expect(fs.existsSync(path.join(dir, 'dist'))).toBe(false);
  });
});

describe('reference data', () => {
  test('a missing ../shared fails the conformance tests instead of skipping them', () => {
    const saved = process.env.EDGEWATT_SHARED;
    process.env.EDGEWATT_SHARED = '/nonexistent/shared';
    try {
      expect(() => sharedPath('schemas/kubernetes')).toThrow('reference data missing: /nonexistent/shared/schemas/kubernetes');
      expect(() => sharedPath('crds')).toThrow('reference data missing: /nonexistent/shared/crds');
    } finally {
      if (saved === undefined) delete process.env.EDGEWATT_SHARED;
      else process.env.EDGEWATT_SHARED = saved;
    }
  });
});
