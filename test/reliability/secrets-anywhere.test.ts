import * as fs from 'fs';
import * as path from 'path';
import { checkSecrets, findingsToProblems, parseStack, SpecError } from '../../lib/internal';
import { sharedPath } from '../support/shared';
import { clone, demoStack } from '../support/stacks';
import { tmpDir } from '../support/tmp';
import { cli, gitopsStack, lsnap, stackFile } from './support';

const SCHEMAS = () => ['--k8s-openapi', sharedPath('schemas/kubernetes/swagger-v1.35.0.json'), '--crds', sharedPath('crds')];

/** Test credentials: well-known example values and made-up tokens of the right shape. */
const CREDENTIALS: Record<string, [string, string]> = {
  DB_PASSWORD: ['hunter2', 'DB_PASSWORD is a credential given as a literal value'],
  GH: ['ghp_' + 'a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8', 'holds a GitHub or GitLab token'],
  TLS: ['-----BEGIN EC PRIVATE KEY-----\nMHcCAQEE\n-----END EC PRIVATE KEY-----\n', 'holds a PEM private key'],
  SESSION: ['eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjM0NTY3ODkwIn0.dozjgNryP4J3jVmNHl0w5N_XgL0n3I9PlFUP0THsR8U', 'holds a JSON Web Token'],
  AWS: ['AKIAIOSFODNN7EXAMPLE', 'holds an AWS access key id'],
  SLACK: ['xoxb-' + '123456789012-abcdefghijklmnop', 'holds a Slack token'],
  SIGNING_AUTH: ['Zk9xR2VkN3B1cTlhWmIxY2Q0ZTVmNmc3aDhpOWo', 'SIGNING_AUTH is a credential given as a literal value'],
};

function problems(f: () => unknown): string[] {
  try {
    f();
  } catch (e) {
    if (e instanceof SpecError) return e.problems.map((p) => `${p.path}: ${p.message}`);
    throw e;
  }
  return [];
}

describe('item 2: secrets anywhere in the stack are rejected at parse time, naming the field and the fix', () => {
  test('every credential shape in fleet.workloads[].env', () => {
    const s = clone(demoStack()) as any;
    s.fleet.workloads = [{ name: 'app', image: 'registry.example/app:1.0.0', devices: [s.fleet.devices[0].name] }];
    s.fleet.workloads[0].env = { ...Object.fromEntries(Object.entries(CREDENTIALS).map(([k, [v]]) => [k, v])), MODE: 'edge', CACHE_DIR: '/var/cache' };
    const got = problems(() => parseStack(s));
    const fix = 'credentials must not be in the stack (it is committed to Git): remove it: workload env is written to Git in the EdgeWorkload';
    expect(got).toHaveLength(Object.keys(CREDENTIALS).length);
    for (const [k, [, what]] of Object.entries(CREDENTIALS)) {
      expect(got).toContainEqual(expect.stringContaining(`fleet.workloads[0].env.${k}: ${what}: ${fix}`));
    }
    // The message never repeats the value.
    for (const [, [v]] of Object.entries(CREDENTIALS)) expect(got.join('\n')).not.toContain(v.slice(0, 12));
  });

  test('synth of such a stack exits 2, says where, and leaves dist/ and argocd/ byte-identical', async () => {
    const dir = tmpDir();
    const ok = stackFile(dir, 'ok', gitopsStack('lab'));
    const dist = path.join(dir, 'dist');
    expect((await cli('synth', '-c', ok, '-o', dist)).code).toBe(0);
    const before = lsnap(dir);
    const bad = clone(gitopsStack('lab')) as any;
    bad.monitoring = { alertmanager: { receivers: [{ name: 'ops', webhook: { url: 'https://hooks.example.com/alert?token=' + 'x'.repeat(4) } }] } };
    bad.dashboards = { adminSecret: 'grafana-admin', title: 'x' };
    delete bad.dashboards.title;
    bad.gitops.repoURL = 'https://x-access-token:' + 'ghp_' + 'Z'.repeat(36) + '@github.com/org/fleet.git';
    const f = stackFile(dir, 'bad', bad);
    const r = await cli('synth', '-c', f, '-o', dist);
    expect(r.code).toBe(2);
    expect(r.err).toContain('gitops.repoURL: holds a GitHub or GitLab token: credentials must not be in the stack (it is committed to Git): give Argo CD the repository credentials in a repository Secret');
    fs.rmSync(f);
    expect(lsnap(dir)).toEqual({ ...before });
  });
});

describe('item 3: credentials in URLs', () => {
  const userinfo = 'https://deploy:s3cr3t-pass@';
  test.each([
    ['gitops.repoURL', (s: any) => (s.gitops.repoURL = `${userinfo}git.example.com/org/fleet.git`), 'repository Secret (label argocd.argoproj.io/secret-type: repository)'],
    ['clusters[1].server', (s: any) => (s.clusters[1].server = `${userinfo}10.0.0.1:6443`), 'cluster Secret (label argocd.argoproj.io/secret-type: cluster)'],
    ['energy.modelServer.initialModelURLs[0]', (s: any) => (s.energy.modelServer = { ...(s.energy.modelServer ?? {}), initialModelURLs: [`${userinfo}models.example.com/m.zip`] }), 'serve the models from a URL without credentials'],
    ['monitoring.runbookBaseURL', (s: any) => (s.monitoring.runbookBaseURL = `${userinfo}wiki.example.com/runbooks`), 'runbook links are shown to everyone'],
    ['gitops.repoURL', (s: any) => (s.gitops.repoURL = 'https://ghp_' + 'Q'.repeat(36) + '@github.com/org/fleet.git'), 'repository Secret'],
  ])('%s with user:password@ is rejected at parse time with the fix', (field, set, fix) => {
    const s = clone(demoStack()) as any;
    set(s);
    const got = problems(() => parseStack(s));
    expect(got.some((p) => p.startsWith(`${field}: holds `) && p.includes(fix))).toBe(true);
  });

  test('ssh://git@host and git@host:org/repo (a user, no password) are not credentials', () => {
    for (const url of ['ssh://git@git.example.com/org/fleet.git', 'git@git.example.com:org/fleet.git']) {
      const s = clone(demoStack()) as any;
      s.gitops.repoURL = url;
      expect(problems(() => parseStack(s))).toEqual([]);
    }
  });
});

describe('items 2 and 3: the output scan reads every string of every object, custom resources and Argo CD objects included', () => {
  test('an EdgeWorkload env, an Application repoURL and a PrometheusRule annotation edited into the tree fail validate', async () => {
    const dir = tmpDir();
    const dist = path.join(dir, 'dist');
    const s = clone(demoStack()) as any;
    expect((await cli('synth', '-c', stackFile(dir, 's', s), '-o', dist, ...SCHEMAS())).code).toBe(0);
    const find = (re: RegExp): string => {
      const all: string[] = [];
      const walk = (d: string): void => fs.readdirSync(d, { withFileTypes: true }).forEach((e) => (e.isDirectory() ? walk(path.join(d, e.name)) : all.push(path.join(d, e.name))));
      walk(dist);
      const f = all.find((x) => re.test(fs.readFileSync(x, 'utf8')));
      if (!f) throw new Error(`no file matches ${re}`);
      return f;
    };
    const workload = find(/^kind: EdgeWorkload$/m);
    fs.writeFileSync(workload, fs.readFileSync(workload, 'utf8').replace(/(\n +containers:\n +- )/, `$1env:\n            - name: DB_PASSWORD\n              value: hunter2\n          `));
    const app = find(/^kind: Application$/m);
    fs.writeFileSync(app, fs.readFileSync(app, 'utf8').replace(/repoURL: https:\/\//, 'repoURL: https://x-access-token:abc123@'));
    const r = await cli('validate', dist, ...SCHEMAS());
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${app}: /spec/source/repoURL: holds credentials in a URL (user information before @): keep it in a Secret`);
    expect(r.err).toMatch(new RegExp(`${workload}: /spec/.*containers/0/env/0/value: DB_PASSWORD is a credential given as a literal value: .* with valueFrom.secretKeyRef \\(secret-in-git\\)`));
  });

  test('every kind is scanned, by value and by name; Secret data is left to the policy check', () => {
    const objects = [
      { apiVersion: 'monitoring.coreos.com/v1', kind: 'PrometheusRule', metadata: { name: 'r', annotations: { note: 'see https://u:p@wiki.example.com' } }, spec: {} },
      { apiVersion: 'argoproj.io/v1alpha1', kind: 'AppProject', metadata: { name: 'p' }, spec: { sourceRepos: ['https://ghp_' + 'A'.repeat(36) + '@github.com/x'] } },
      { apiVersion: 'example.com/v1', kind: 'Anything', metadata: { name: 'a' }, spec: { deep: [{ apiToken: 'AKIAIOSFODNN7EXAMPLE' }] } },
      { apiVersion: 'v1', kind: 'Secret', metadata: { name: 's' }, stringData: { password: 'x' } },
    ];
    const got = findingsToProblems(checkSecrets(objects.map((object, i) => ({ file: `f${i}.yaml`, cluster: 'c', object: object as any })))).map((p) => p.path);
    expect(got).toEqual(['f0.yaml: /metadata/annotations/note', 'f1.yaml: /spec/sourceRepos/0', 'f2.yaml: /spec/deep/0/apiToken']);
  });
});
