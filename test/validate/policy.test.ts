import { declarePolicyException, EXCEPTION_REASON_ANNOTATION, EXCEPTION_RULES_ANNOTATION } from '../../lib/core/policy';
import { checkPolicy, findingsToProblems, policyReport } from '../../lib/validate';
import { compliantApp, container, entries } from '../support/objects';
import { ApiObject, App, Chart } from 'cdk8s';

function messages(objects: any[]): string[] {
  return findingsToProblems(checkPolicy(entries(objects))).map((p) => `${p.path}: ${p.message}`).sort();
}

const DEP = 'dist/edge/app/deployment-web.yaml: /spec/template/spec';
const C0 = `${DEP}/containers/0`;

describe('security policy', () => {
  test('the compliant baseline passes', () => {
    expect(messages(compliantApp())).toEqual([]);
  });

  test.each([
    ['privileged', (a: any) => (container(a).securityContext.privileged = true), `${C0}/securityContext/privileged: must not be true (privileged)`],
    ['hostPID', (a: any) => (a[1].spec.template.spec.hostPID = true), `${DEP}/hostPID: must not be true (host-pid)`],
    ['hostNetwork', (a: any) => (a[1].spec.template.spec.hostNetwork = true), `${DEP}/hostNetwork: must not be true (host-network)`],
    ['hostIPC', (a: any) => (a[1].spec.template.spec.hostIPC = true), `${DEP}/hostIPC: must not be true (host-ipc)`],
    ['hostPath', (a: any) => (a[1].spec.template.spec.volumes = [{ name: 'p', hostPath: { path: '/proc' } }]), `${DEP}/volumes/0/hostPath: must not mount a host path (host-path)`],
    ['hostPort', (a: any) => (container(a).ports[0].hostPort = 80), `${C0}/ports/0/hostPort: must not be set (host-port)`],
    [
      'an unsafe sysctl',
      (a: any) => (a[1].spec.template.spec.securityContext.sysctls = [{ name: 'net.ipv4.ip_unprivileged_port_start', value: '80' }, { name: 'kernel.msgmax', value: '1' }]),
      `${DEP}/securityContext/sysctls/1/name: "kernel.msgmax" is not one of the sysctls Pod Security allows (kernel.shm_rmid_forced, net.ipv4.ip_local_port_range, net.ipv4.ip_unprivileged_port_start, net.ipv4.tcp_syncookies, net.ipv4.ping_group_range, net.ipv4.ip_local_reserved_ports, net.ipv4.tcp_keepalive_time, net.ipv4.tcp_fin_timeout, net.ipv4.tcp_keepalive_intvl, net.ipv4.tcp_keepalive_probes) (unsafe-sysctls)`,
    ],
    ['capabilities add', (a: any) => (container(a).securityContext.capabilities.add = ['NET_ADMIN', 'NET_BIND_SERVICE']), `${C0}/securityContext/capabilities/add: must add no capability but NET_BIND_SERVICE (adds NET_ADMIN) (capabilities-add)`],
    ['root', (a: any) => (a[1].spec.template.spec.securityContext.runAsUser = 0), `${C0}/securityContext/runAsNonRoot: must be true (here or in the pod securityContext), with a non-zero runAsUser (run-as-non-root)`],
    ['privilege escalation', (a: any) => delete container(a).securityContext.allowPrivilegeEscalation, `${C0}/securityContext/allowPrivilegeEscalation: must be false (allow-privilege-escalation)`],
    ['drop ALL', (a: any) => (container(a).securityContext.capabilities.drop = ['NET_RAW']), `${C0}/securityContext/capabilities/drop: must include ALL (capabilities-drop-all)`],
    ['seccomp', (a: any) => delete a[1].spec.template.spec.securityContext.seccompProfile, `${C0}/securityContext/seccompProfile/type: must be RuntimeDefault or Localhost (here or in the pod securityContext) (seccomp-runtime-default)`],
    ['read-only root', (a: any) => (container(a).securityContext.readOnlyRootFilesystem = false), `${C0}/securityContext/readOnlyRootFilesystem: must be true (mount an emptyDir where the container writes) (read-only-root-filesystem)`],
    ['resources', (a: any) => (container(a).resources = { limits: { cpu: '1' } }), `${C0}/resources: must set requests.cpu, requests.memory, limits.memory (resources)`],
    ['probes', (a: any) => delete container(a).readinessProbe, `${C0}: must have readinessProbe (probes)`],
    ['latest', (a: any) => (container(a).image = 'registry.example/web:latest'), `${C0}/image: must name a tag other than latest, or a digest (image-tag)`],
    ['untagged', (a: any) => (container(a).image = 'registry.example:5000/web'), `${C0}/image: must name a tag other than latest, or a digest (image-tag)`],
  ])('fails on %s', (_name, breakIt, message) => {
    const app = compliantApp();
    breakIt(app);
    expect(messages(app)).toEqual([message]);
  });

  test('a digest is as good as a tag, and a Job needs no probes', () => {
    const app = compliantApp();
    container(app).image = `registry.example:5000/web@sha256:${'a'.repeat(64)}`;
    const job = { apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'once', namespace: 'shop' }, spec: { template: JSON.parse(JSON.stringify(app[1].spec.template)) } };
    delete job.spec.template.spec.containers[0].livenessProbe;
    delete job.spec.template.spec.containers[0].readinessProbe;
    expect(messages([...app, job])).toEqual([]);
  });

  test('fails on a Secret carrying data, RBAC wildcards and escalating verbs', () => {
    const secret = { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'db', namespace: 'shop' }, stringData: { password: 'x' } };
    const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'r' }, rules: [{ apiGroups: [''], resources: ['*'], verbs: ['get', 'bind'] }] };
    expect(messages([secret, role])).toEqual([
      'dist/edge/app/clusterrole-r.yaml: /rules/0/resources: must not contain "*": name what is needed (rbac-wildcard)',
      'dist/edge/app/clusterrole-r.yaml: /rules/0/verbs: must not grant bind (rbac-escalation)',
      'dist/edge/app/secret-db.yaml: /stringData: a Secret in Git must not carry values: create it outside Git (or commit a SealedSecret/ExternalSecret) and reference it by name (secret-data)',
    ]);
  });

  test('fails on a namespace that runs workloads without a NetworkPolicy', () => {
    expect(messages(compliantApp().filter((o) => o.kind !== 'NetworkPolicy'))).toEqual([
      'dist/edge/app/deployment-web.yaml: /metadata/namespace: namespace "shop" runs workloads but has no NetworkPolicy (network-policy)',
    ]);
  });

  describe('exceptions', () => {
    function privilegedApp(level: string): any[] {
      const app = compliantApp('power', level);
      app[1].spec.template.spec.hostPID = true;
      container(app).securityContext.privileged = true;
      return app;
    }
    const except = (app: any[], rules: string, reason = 'reads RAPL counters') => {
      app[1].metadata.annotations = { [EXCEPTION_RULES_ANNOTATION]: rules, [EXCEPTION_REASON_ANNOTATION]: reason };
      return app;
    };

    test('a declared exception with a reason passes in a namespace labelled privileged', () => {
      expect(messages(except(privilegedApp('privileged'), 'host-pid,privileged'))).toEqual([]);
    });

    test('fails when the namespace does not enforce the level the exception needs', () => {
      expect(messages(except(privilegedApp('restricted'), 'host-pid,privileged'))).toEqual([
        `${DEP}/containers/0/securityContext/privileged: must not be true (privileged): the exception needs namespace "power" labelled pod-security.kubernetes.io/enforce=privileged, but it enforces restricted`,
        `${DEP}/hostPID: must not be true (host-pid): the exception needs namespace "power" labelled pod-security.kubernetes.io/enforce=privileged, but it enforces restricted`,
      ]);
    });

    test('fails on an exception without a reason or naming an unknown rule, and on one not needed', () => {
      expect(messages(except(privilegedApp('privileged'), 'host-pid,privileged,sudo', ' '))).toEqual([
        'dist/edge/app/deployment-web.yaml: /metadata/annotations/edgewatt.io~1policy-exception-reason: is required: a policy exception must give its reason',
        'dist/edge/app/deployment-web.yaml: /metadata/annotations/edgewatt.io~1policy-exceptions: names an unknown rule "sudo" (rules: privileged, host-pid, host-ipc, host-network, host-path, host-port, capabilities-add, unsafe-sysctls, run-as-non-root, allow-privilege-escalation, capabilities-drop-all, seccomp-runtime-default, read-only-root-filesystem, resources, probes, image-tag)',
        `${DEP}/containers/0/securityContext/privileged: must not be true (privileged)`,
        `${DEP}/hostPID: must not be true (host-pid)`,
      ]);
      expect(messages(except(privilegedApp('privileged'), 'host-pid,privileged,host-network'))).toEqual([
        'dist/edge/app/deployment-web.yaml: /metadata/annotations: declares an exception to host-network that it does not need: remove it',
      ]);
    });

    test('declarePolicyException writes the annotations the check reads, and refuses an exception without a reason', () => {
      const chart = new Chart(new App({ outdir: '.unused' }), 'test'); // never synthesized: no folder (Testing.chart makes one in /tmp)
      const obj = new ApiObject(chart, 'd', { apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'x' } });
      declarePolicyException(obj, { rules: ['privileged', 'host-pid'], reason: 'reads RAPL counters' });
      expect(obj.toJson().metadata.annotations).toEqual({ [EXCEPTION_RULES_ANNOTATION]: 'host-pid,privileged', [EXCEPTION_REASON_ANNOTATION]: 'reads RAPL counters' });
      expect(() => declarePolicyException(obj, { rules: ['privileged'], reason: '' })).toThrow('policy exception on DaemonSet "x": name at least one rule and give a reason');
    });

    test('the policy report lists levels, exceptions with reasons, RBAC and NetworkPolicy coverage', () => {
      const app = except(privilegedApp('privileged'), 'host-pid,privileged');
      app[1].spec.template.spec.serviceAccountName = 'web';
      const role = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRole', metadata: { name: 'read-pods' }, rules: [{ apiGroups: [''], resources: ['pods', 'nodes'], verbs: ['get', 'list', 'watch'] }] };
      const binding = { apiVersion: 'rbac.authorization.k8s.io/v1', kind: 'ClusterRoleBinding', metadata: { name: 'read-pods' }, roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'ClusterRole', name: 'read-pods' }, subjects: [{ kind: 'ServiceAccount', name: 'web', namespace: 'power' }] };
      expect(policyReport(entries([...app, role, binding]))).toBe(
        [
          'cluster edge',
          '  namespaces:',
          '    power: enforces privileged; has NetworkPolicies',
          '  workloads:',
          '    Deployment power/web: privileged',
          '      exception (host-pid,privileged): reads RAPL counters',
          '  service accounts:',
          '    power/web cluster-wide: get,list,watch pods,nodes (core)',
          '  namespaces without NetworkPolicies: none',
          '',
        ].join('\n'),
      );
    });
  });
});
