import { execFile } from 'child_process';
import * as fs from 'fs';
import * as net from 'net';
import * as path from 'path';
import { parse } from 'yaml';
import { expectedFromTree } from '../../lib/live/expected';
import { KubeStub } from '../support/kube-stub';
import { ROOT } from '../support/shared';
import { tmpDir } from '../support/tmp';

/** The live commands run as a user runs them: the built CLI in a child process, against the local stub server. */
function cli(...args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    execFile(process.execPath, [path.join(ROOT, 'bin', 'edgewatt.js'), ...args], { cwd: ROOT, env: { ...process.env, KUBECONFIG: '' } }, (e, out, err) => {
      resolve({ code: e ? (typeof e.code === 'number' ? e.code : -1) : 0, out, err });
    });
  });
}

const SHA = '4f2d9c1e8b7a6d5c4b3a29180f7e6d5c4b3a2918';
const OLD = '0123456789abcdef0123456789abcdef01234567';
const expected = expectedFromTree(path.join(ROOT, 'dist'), path.join(ROOT, 'argocd'));

/** An Application as Argo CD reports it (status shape of argoproj.io/v1alpha1). */
function application(name: string, cluster: string, sync: string, health: string, revision: string): Record<string, unknown> {
  return {
    apiVersion: 'argoproj.io/v1alpha1',
    kind: 'Application',
    metadata: { name, namespace: 'argocd', labels: { 'app.kubernetes.io/part-of': expected.stack, 'edgewatt.io/cluster': cluster } },
    spec: { project: expected.stack },
    status: {
      sync: { status: sync, revision, comparedTo: { source: { repoURL: 'https://git.example.com/platform/edge-gitops.git' } } },
      health: { status: health },
      operationState: { phase: sync === 'Synced' ? 'Succeeded' : 'Running', message: sync === 'Synced' ? 'successfully synced (all tasks run)' : 'waiting for healthy state of apps/Deployment/grafana', startedAt: '2026-11-23T08:59:00Z' },
      reconciledAt: '2026-11-23T09:00:00Z',
    },
  };
}

function putApplications(stub: KubeStub, state: (name: string) => [string, string, string]): void {
  for (const a of expected.applications) stub.put(application(a.name, a.cluster, ...state(a.name)));
}

/** Every object of a dist folder, as parsed YAML. */
function distObjects(rel: string): Array<Record<string, any>> {
  const out: Array<Record<string, any>> = [];
  const walk = (d: string): void => {
    for (const e of fs.readdirSync(d, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const p = path.join(d, e.name);
      if (e.isDirectory()) walk(p);
      else if (e.name.endsWith('.yaml')) out.push(parse(fs.readFileSync(p, 'utf8')));
    }
  };
  walk(path.join(ROOT, rel));
  return out;
}

let stub: KubeStub;
let kubeconfig: string;
beforeEach(async () => {
  stub = new KubeStub();
  kubeconfig = stub.kubeconfig(tmpDir(), await stub.start());
});
afterEach(() => stub.stop());

describe('edgewatt status', () => {
  test('prints each Application\'s sync and health and each device\'s phase and heartbeat; exit 1 while one is not ready', async () => {
    putApplications(stub, (n) => (n === 'smart-factory-hub-dashboards' ? ['OutOfSync', 'Progressing', OLD] : ['Synced', 'Healthy', SHA]));
    const beat = new Date(Date.now() - 30_000).toISOString();
    stub.put({
      apiVersion: 'management.project-flotta.io/v1alpha1', kind: 'EdgeDevice',
      metadata: { name: 'cam-01', namespace: 'fleet', managedFields: [{ manager: 'manager', operation: 'Update', subresource: 'status', time: beat }] },
      status: { phase: 'up', workloads: [{ name: 'object-detection-camera', phase: 'Running', lastTransitionTime: '2026-11-20T08:00:00Z' }] },
    });
    // The demo's other devices (one per power source), up as well.
    for (const name of ['gw-01', 'pi-01']) {
      stub.put({ apiVersion: 'management.project-flotta.io/v1alpha1', kind: 'EdgeDevice', metadata: { name, namespace: 'fleet', managedFields: [{ manager: 'manager', operation: 'Update', subresource: 'status', time: beat }] }, status: { phase: 'up' } });
    }
    const r = await cli('status', '--kubeconfig', kubeconfig);
    expect(r.err).toBe('');
    expect(r.code).toBe(1);
    const lines = r.out.split('\n');
    expect(lines[0]).toMatch(/^APPLICATION\s+CLUSTER\s+SYNC\s+HEALTH\s+REVISION\s+MESSAGE$/);
    expect(lines.find((l) => l.startsWith('smart-factory-hub-dashboards '))).toMatch(/^smart-factory-hub-dashboards\s+hub\s+OutOfSync\s+Progressing\s+0123456789ab\s+Running: waiting for healthy state of apps\/Deployment\/grafana$/);
    expect(lines.find((l) => l.startsWith('smart-factory-line-1-iomt '))).toMatch(/^smart-factory-line-1-iomt\s+line-1\s+Synced\s+Healthy\s+4f2d9c1e8b7a\s*$/);
    const n = expected.applications.length;
    expect(n).toBeGreaterThan(5);
    expect(r.out).toContain(`${n - 1} of ${n} Applications Synced and Healthy`);
    expect(lines.find((l) => l.startsWith('cam-01 '))).toMatch(new RegExp(`^cam-01\\s+fleet\\s+up\\s+${beat.replace(/\./g, '\\.')} \\(3\\ds ago\\)\\s+no$`));
    expect(r.out).toContain('3 devices: 3 up; 0 stale');
    // -o json: one document for CI, the same exit code, the late Application as a problem.
    const j = await cli('status', '--kubeconfig', kubeconfig, '-o', 'json');
    expect(j.code).toBe(1);
    const doc = JSON.parse(j.out);
    expect(doc).toMatchObject({ command: 'status', ok: false, exitCode: 1 });
    expect(doc.problems).toEqual([
      { file: null, line: null, column: null, path: 'Application/smart-factory-hub-dashboards', message: expect.stringMatching(/^sync OutOfSync, health Progressing: Running: waiting/), fix: null },
    ]);
    expect(doc.applications).toHaveLength(n);
    expect(doc.devices).toEqual(['cam-01', 'gw-01', 'pi-01'].map((name) => expect.objectContaining({ name, phase: 'up', stale: false })));
  });

  test('exit 0 when all are Synced and Healthy; a device without heartbeats is stale and one never registered is Missing', async () => {
    putApplications(stub, () => ['Synced', 'Healthy', SHA]);
    stub.put({ apiVersion: 'management.project-flotta.io/v1alpha1', kind: 'EdgeDevice', metadata: { name: 'cam-01', namespace: 'fleet', managedFields: [{ manager: 'manager', operation: 'Update', subresource: 'status', time: '2026-01-01T00:00:00Z' }] }, status: { phase: 'down' } });
    const r = await cli('status', '--kubeconfig', kubeconfig);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/cam-01\s+fleet\s+down\s+2026-01-01T00:00:00Z \(\d+d ago\)\s+yes/);
    stub.put({ apiVersion: 'management.project-flotta.io/v1alpha1', kind: 'EdgeDevice', metadata: { name: 'cam-01', namespace: 'elsewhere' }, status: { phase: 'up' } });
    const gone = new KubeStub();
    const kc = gone.kubeconfig(tmpDir(), await gone.start());
    try {
      putApplications(gone, () => ['Synced', 'Healthy', SHA]);
      const m = await cli('status', '--kubeconfig', kc);
      expect(m.out).toMatch(/cam-01\s+fleet\s+Missing\s+-\s+yes/);
    } finally {
      await gone.stop();
    }
  });

  test('an Application the tree makes but Argo CD lacks is Missing, with the fix', async () => {
    const fresh = new KubeStub();
    const kc = fresh.kubeconfig(tmpDir(), await fresh.start());
    try {
      for (const a of expected.applications.filter((x) => x.name !== 'smart-factory-hub')) fresh.put(application(a.name, a.cluster, 'Synced', 'Healthy', SHA));
      const r = await cli('status', '--kubeconfig', kc);
      expect(r.code).toBe(1);
      expect(r.out).toMatch(/smart-factory-hub\s+hub\s+Missing\s+Missing\s+-\s+Argo CD has no such Application: is the root Application applied \(kubectl apply -f argocd\/\)\?/);
    } finally {
      await fresh.stop();
    }
  });
});

describe('edgewatt status --wait', () => {
  test('waits until every Application is Synced and Healthy at the revision, then exits 0', async () => {
    putApplications(stub, () => ['OutOfSync', 'Progressing', OLD]);
    let polls = 0;
    stub.beforeList = (p) => {
      if (!p.endsWith('/applications')) return;
      polls++;
      // Argo CD picks the commit up on the second poll and finishes on the third.
      if (polls === 2) putApplications(stub, () => ['Synced', 'Progressing', SHA]);
      if (polls === 3) putApplications(stub, () => ['Synced', 'Healthy', SHA]);
    };
    const r = await cli('status', '--kubeconfig', kubeconfig, '--wait', '--revision', SHA.slice(0, 10), '--interval', '100ms', '--timeout', '60s');
    expect(r.code).toBe(0);
    expect(polls).toBe(3);
    expect(r.out).toBe(`all ${expected.applications.length} Applications Synced and Healthy at ${SHA.slice(0, 10)} (context stub (${kubeconfigServer(kubeconfig)}))\n`);
    expect(r.err).toContain('waiting for');
    expect(r.err).toContain('smart-factory-hub-fleet (OutOfSync/Progressing @ 0123456)');
  });

  test('Synced and Healthy at another revision is not done: times out with exit 4 and lists what is late', async () => {
    putApplications(stub, (n) => (n === 'smart-factory-line-1-iomt' ? ['Synced', 'Degraded', SHA] : ['Synced', 'Healthy', n.endsWith('-energy') ? OLD : SHA]));
    const r = await cli('status', '--kubeconfig', kubeconfig, '--wait', '--revision', SHA, '--interval', '200ms', '--timeout', '1s');
    expect(r.code).toBe(4);
    expect(r.err).toMatch(/error: timed out after 1s: 3 of \d+ Applications not Synced and Healthy at 4f2d9c1e/);
    const late = r.out.split('\n').slice(1).filter(Boolean).map((l) => l.split(/\s+/)[0]);
    expect(late).toEqual(['smart-factory-hub-energy', 'smart-factory-line-1-energy', 'smart-factory-line-1-iomt']);
    const j = await cli('status', '--kubeconfig', kubeconfig, '--wait', '--revision', SHA, '--interval', '200ms', '--timeout', '1s', '-o', 'json');
    expect(j.code).toBe(4);
    expect(JSON.parse(j.out)).toMatchObject({ command: 'status', ok: false, exitCode: 4 });
    expect(JSON.parse(j.out).problems.map((p: { path: string }) => p.path)).toEqual(late.map((a) => `Application/${a}`));
    expect(stub.requests.filter((q) => q.path.endsWith('/applications')).length).toBeGreaterThanOrEqual(3);
  });

  test('a revision that is not a commit is bad input (exit 2), before any request', async () => {
    const r = await cli('status', '--kubeconfig', kubeconfig, '--wait', '--revision', 'main');
    expect(r.code).toBe(2);
    expect(r.err).toContain('--revision: "main" is not a Git commit');
    expect(stub.requests).toEqual([]);
  });
});

function kubeconfigServer(file: string): string {
  return /server: (\S+)/.exec(fs.readFileSync(file, 'utf8'))![1];
}

describe('edgewatt apply --dry-run', () => {
  // Every cluster has `default` (the Flotta edge API reads pre-approved EdgeDeviceSignedRequests there).
  const systemNamespaces = (): void => {
    stub.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } });
  };
  const namespaces = (): void => {
    systemNamespaces();
    for (const o of distObjects('dist/hub/platform').filter((x) => x.kind === 'Namespace')) stub.put(o);
  };

  test('reports what the API server rejects with the object\'s file, name and field; exit 1', async () => {
    namespaces();
    stub.rejectApply = (o) =>
      o.kind === 'Deployment' && o.metadata.name === 'grafana'
        ? { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', reason: 'Invalid', code: 422,
            message: 'Deployment.apps "grafana" is invalid: spec.template.spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1',
            details: { name: 'grafana', group: 'apps', kind: 'Deployment', causes: [{ reason: 'FieldValueInvalid', message: 'Invalid value: "2": must be less than or equal to cpu limit of 1', field: 'spec.template.spec.containers[0].resources.requests' }] } }
        : undefined;
    const r = await cli('apply', '--dry-run', 'dist/hub', '--kubeconfig', kubeconfig);
    expect(r.code).toBe(1);
    expect(r.out).toContain('rejected  dist/hub/dashboards/deployment-grafana.yaml  Deployment dashboards/grafana: Invalid: Deployment.apps "grafana" is invalid');
    expect(r.out).toContain('            spec.template.spec.containers[0].resources.requests: Invalid value: "2": must be less than or equal to cpu limit of 1');
    const sent = distObjects('dist/hub').filter((o) => o.kind !== 'Application');
    // The edge API's LoadBalancer and the discovery Role live in the namespace the flotta-operator Application
    // creates (CreateNamespace=true): skipped, with why.
    expect(r.out).toContain('skipped   dist/hub/fleet/service-flotta-edge-api-external.yaml  Service flotta/flotta-edge-api-external: namespace flotta is created by this cluster\'s tree');
    const inFlotta = sent.filter((o) => o.metadata.namespace === 'flotta').length;
    expect(inFlotta).toBe(3);
    expect(r.out).toContain(`: ${sent.length - 1 - inFlotta} accepted, 1 rejected, ${inFlotta} skipped`);
    expect(r.out).toContain(`not sent: ${distObjects('dist/hub/argocd').length} Argo CD objects under dist/hub/argocd`);
    const patches = stub.requests.filter((q) => q.method === 'PATCH');
    expect(patches).toHaveLength(sent.length);
    for (const q of patches) {
      expect(q.query.get('dryRun')).toBe('All');
      expect(q.query.get('fieldManager')).toBe('argocd-controller');
      expect(q.query.get('fieldValidation')).toBe('Strict');
      expect(q.contentType).toBe('application/apply-patch+yaml');
    }
    // The object is sent exactly as the file has it: the client library's typed models do not drop or reshape fields.
    const daemonset = patches.find((q) => q.path === '/apis/apps/v1/namespaces/kepler/daemonsets/kepler-exporter');
    expect(daemonset?.body).toEqual(parse(fs.readFileSync(path.join(ROOT, 'dist/hub/energy/daemonset-kepler-exporter.yaml'), 'utf8')));
  });

  test('objects in namespaces the tree creates are skipped, not rejected, on a cluster that lacks them; exit 0', async () => {
    systemNamespaces();
    const r = await cli('apply', '--dry-run', 'dist/hub', '--kubeconfig', kubeconfig);
    expect(r.code).toBe(0);
    expect(r.out).toMatch(/skipped   dist\/hub\/energy\/daemonset-kepler-exporter\.yaml  DaemonSet kepler\/kepler-exporter: namespace kepler is created by this cluster's tree and a dry run does not persist it/);
    expect(r.out).toMatch(/: \d+ accepted, 0 rejected, \d+ skipped/);
    // A component folder alone: its namespace comes from the cluster's platform folder beside it.
    const one = await cli('apply', '--dry-run', 'dist/hub/dashboards', '--kubeconfig', kubeconfig);
    expect(one.code).toBe(0);
    expect(one.out).toContain('skipped   dist/hub/dashboards/deployment-grafana.yaml  Deployment dashboards/grafana: namespace dashboards is created by this cluster\'s tree');
    expect(one.out).toMatch(/: 0 accepted, 0 rejected, 12 skipped/);
  });

  test('without --dry-run it refuses (exit 2): Argo CD applies from Git', async () => {
    const r = await cli('apply', 'dist/hub', '--kubeconfig', kubeconfig);
    expect(r.code).toBe(2);
    expect(r.err).toContain('--dry-run: is required');
    expect(stub.requests).toEqual([]);
  });

  test('a whole dist/ with several clusters is refused (exit 2), naming the folders to pick', async () => {
    const r = await cli('apply', '--dry-run', 'dist', '--kubeconfig', kubeconfig);
    expect(r.code).toBe(2);
    expect(r.err).toContain('dist holds several clusters\' folders: name one, e.g. dist/hub or dist/line-1');
  });
});

describe('edgewatt diff', () => {
  /** What the API server holds after Argo CD applied dist/hub: plus server metadata, defaults and status. */
  const liveCopy = (o: Record<string, any>): Record<string, any> => {
    const live = structuredClone(o);
    live.metadata.managedFields = [{ manager: 'argocd-controller', operation: 'Apply', time: '2026-11-20T08:00:00Z' }];
    live.metadata.annotations = { ...live.metadata.annotations, 'argocd.argoproj.io/tracking-id': `smart-factory-hub:${o.kind}/${o.metadata.name}` };
    if (o.kind === 'Deployment') {
      live.spec.progressDeadlineSeconds = 600;
      live.metadata.annotations['deployment.kubernetes.io/revision'] = '3';
      live.status = { replicas: 1, readyReplicas: 1, observedGeneration: 4 };
    }
    return live;
  };

  test('identical live objects give no difference: server metadata, defaults and status are ignored; exit 0', async () => {
    for (const o of distObjects('dist/hub/platform')) stub.put(liveCopy(o));
    for (const o of distObjects('dist/hub/dashboards')) stub.put(liveCopy(o));
    const r = await cli('diff', 'dist/hub/dashboards', '--kubeconfig', kubeconfig);
    expect(r.out).toMatch(/0 changed, 0 added, 0 pruned, \d+ unchanged, 0 failed/);
    expect(r.code).toBe(0);
  });

  test('drift, a missing object and a leftover labelled object show as changed, added and pruned; exit 1', async () => {
    stub.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'flotta' } }); // made by the flotta-operator Application
    stub.put({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'default' } }); // every cluster has it
    for (const o of distObjects('dist/hub')) {
      if (o.kind === 'Service' && o.metadata.name === 'grafana') continue;
      const live = liveCopy(o);
      if (o.kind === 'Deployment' && o.metadata.name === 'grafana') live.spec.replicas = 3;
      stub.put(live);
    }
    stub.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dashboard-retired', namespace: 'dashboards', labels: { 'app.kubernetes.io/part-of': 'smart-factory' } }, data: { 'retired.json': '{}' } });
    // Made by a controller (an owner reference): not the stack's to prune.
    stub.put({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'grafana-lock', namespace: 'dashboards', labels: { 'app.kubernetes.io/part-of': 'smart-factory' }, ownerReferences: [{ apiVersion: 'apps/v1', kind: 'Deployment', name: 'grafana', uid: 'u' }] } });
    const r = await cli('diff', 'dist/hub', '--kubeconfig', kubeconfig);
    expect(r.code).toBe(1);
    expect(r.out).toContain('# changed: Deployment dashboards/grafana (dist/hub/dashboards/deployment-grafana.yaml)');
    expect(r.out).toMatch(/^-  replicas: 3$/m);
    expect(r.out).toMatch(/^\+  replicas: 1$/m);
    expect(r.out).toContain('# added: Service dashboards/grafana (dist/hub/dashboards/service-grafana.yaml)');
    expect(r.out).toContain('# pruned: ConfigMap dashboards/dashboard-retired');
    expect(r.out).not.toContain('grafana-lock');
    // Server-set fields never make a difference line (defaults may show as context around one).
    expect(r.out).not.toMatch(/^[-+] .*(uid|resourceVersion|managedFields|creationTimestamp|tracking-id|progressDeadlineSeconds|readyReplicas|deployment\.kubernetes\.io)/m);
    expect(r.out).not.toMatch(/resourceVersion|managedFields|tracking-id|readyReplicas/);
    expect(r.out).toMatch(/diff against context stub \(http:\/\/127\.0\.0\.1:\d+\): 1 changed, 1 added, 1 pruned, \d+ unchanged, 0 failed\n$/);
  });
});

describe('cluster errors', () => {
  test('a server that cannot be reached ends with exit 5 and names the context and server', async () => {
    await stub.stop();
    const r = await cli('status', '--kubeconfig', kubeconfig);
    expect(r.code).toBe(5);
    expect(r.err).toMatch(/^error: cannot reach context stub \(http:\/\/127\.0\.0\.1:\d+\): .*ECONNREFUSED/);
    stub = new KubeStub();
    await stub.start();
  });

  test('a server that takes the connection and never answers ends with exit 5 at --request-timeout, saying so', async () => {
    // A loopback socket that accepts and stays silent (closed when the test ends). Its accepted connections are
    // destroyed too: one nobody reads never sees the CLI's end, and kept jest's worker from exiting.
    const accepted = new Set<net.Socket>();
    const silent = net.createServer((socket) => void accepted.add(socket));
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    const port = (silent.address() as net.AddressInfo).port;
    try {
      const config = stub.kubeconfig(tmpDir(), `http://127.0.0.1:${port}`);
      const r = await cli('status', '--kubeconfig', config, '--request-timeout', '300ms');
      expect(r.code).toBe(5);
      expect(r.err).toMatch(/^error: cannot reach context stub \(http:\/\/127\.0\.0\.1:\d+\): no answer within 0\.3 s \(--request-timeout\); check that the server is up and reachable, or allow more time/);
      expect(r.err).not.toMatch(/aborted/i);
    } finally {
      for (const socket of accepted) socket.destroy();
      silent.close();
    }
  });

  test('refused credentials end with exit 5', async () => {
    stub.unauthorized = true;
    const r = await cli('diff', 'dist/hub/platform', '--kubeconfig', kubeconfig);
    expect(r.code).toBe(5);
    expect(r.err).toContain('refused the credentials (401 Unauthorized)');
  });

  test('an unknown context is bad input (exit 2) named with the ones the kubeconfig has', async () => {
    const r = await cli('status', '--kubeconfig', kubeconfig, '--context', 'prod');
    expect(r.code).toBe(2);
    expect(r.err).toBe('error: bad input (1 problem)\n  --context: the kubeconfig has no context named "prod" (it has: stub): pass one of them\n');
  });

  test('an unknown --fleet-context is named as that flag', async () => {
    const r = await cli('status', '--kubeconfig', kubeconfig, '--fleet-context', 'fleet');
    expect(r.code).toBe(2);
    expect(r.err).toBe('error: bad input (1 problem)\n  --fleet-context: the kubeconfig has no context named "fleet" (it has: stub): pass one of them\n');
  });

  test('a kubeconfig file that does not exist is bad input (exit 2), not an unreachable cluster', async () => {
    const r = await cli('status', '--kubeconfig', path.join(tmpDir(), 'missing'));
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^error: bad input \(1 problem\)\n {2}--kubeconfig: .*missing: no such file: pass the path of a kubeconfig file\n$/);
  });
});
