import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { parse } from 'yaml';
import { parseStack, pipelinesMermaid, renderSvg, resolveModel, runCli, stackDot, stackMermaid } from '../../lib/internal';
import { pipelineStack, resolveProblems } from '../support/iomt';
import * as path from 'path';
import { ROOT } from '../support/shared';
import { demoStack } from '../support/stacks';
import { objectAt, synthChecked } from '../support/synth';
import { captureIO } from '../support/tmp';

const D = 'line-1/iomt';

function graphProblems(edit: (p: any) => void): string[] {
  return resolveProblems(pipelineStack(edit));
}

describe('IoMT pipelines', () => {
  const r = synthChecked(demoStack());

  test('the DESIGN.md pipeline synthesizes: each thing a Deployment (StatefulSet for storage) and a Service', () => {
    expect([...r.files.keys()].filter((f) => f.startsWith(`${D}/`) && /(deployment|statefulset|service)-/.test(f))).toEqual([
      `${D}/deployment-monitoring.yaml`,
      `${D}/deployment-object-detect.yaml`,
      `${D}/service-archive.yaml`,
      `${D}/service-camera.yaml`,
      `${D}/service-monitoring.yaml`,
      `${D}/service-object-detect.yaml`,
      `${D}/statefulset-archive.yaml`,
    ]);
    const d = objectAt(r, `${D}/deployment-object-detect.yaml`);
    expect(d.metadata.labels).toMatchObject({ 'app.kubernetes.io/name': 'object-detect', 'app.kubernetes.io/component': 'MAnalyzer', 'app.kubernetes.io/part-of': 'object-detection' });
    expect(objectAt(r, `${D}/statefulset-archive.yaml`).spec.volumeClaimTemplates[0].spec.resources.requests.storage).toBe('100Gi');
  });

  test("the detector's environment holds the camera's DNS URL, host and port", () => {
    const env = objectAt(r, `${D}/deployment-object-detect.yaml`).spec.template.spec.containers[0].env;
    expect(env).toEqual([
      { name: 'IOMT_CAMERA_HOST', value: 'camera.iomt-object-detection.svc.cluster.local' },
      { name: 'IOMT_CAMERA_PORT', value: '8554' },
      { name: 'IOMT_CAMERA_URL', value: 'http://camera.iomt-object-detection.svc.cluster.local:8554' },
    ]);
  });

  test('the camera on cam-01 runs as an EdgeWorkload, and its Service reaches the device through an EndpointSlice', () => {
    const w = objectAt(r, 'hub/fleet/edgeworkload-object-detection-camera.yaml');
    expect(w.spec.device).toBe('cam-01');
    expect(w.spec.pod.spec.containers[0]).toMatchObject({ image: 'registry.example/iomt/rtsp-camera:1.4.0', ports: [{ name: 'main', containerPort: 8554, hostPort: 8554, protocol: 'TCP' }] });
    const svc = objectAt(r, `${D}/service-camera.yaml`);
    expect(svc.spec.selector).toBeUndefined();
    const slice = objectAt(r, `${D}/endpointslice-camera-device.yaml`);
    expect(slice.metadata.labels['kubernetes.io/service-name']).toBe('camera');
    expect(slice.endpoints).toEqual([{ addresses: ['10.20.0.11'], conditions: { ready: true } }]);
    expect(slice.ports).toEqual([{ name: 'main', port: 8554, protocol: 'TCP' }]);
    expect([...r.files.keys()].some((f) => f === `${D}/deployment-camera.yaml`)).toBe(false);
  });

  test('NetworkPolicies admit exactly the declared links (the consumer connects to its upstream)', () => {
    const admitted = (thing: string) =>
      objectAt(r, `${D}/networkpolicy-${thing}.yaml`).spec.ingress.flatMap((rule: any) => rule.from.map((f: any) => f.podSelector?.matchLabels['app.kubernetes.io/name'] ?? f.ipBlock?.cidr));
    expect(admitted('object-detect')).toEqual(['monitoring']);
    expect(admitted('archive')).toEqual([]);
    expect(admitted('monitoring')).toEqual([]);
    const links = pipelineStack((p) => p.links.push({ from: 'object-detect', to: 'archive' }));
    expect(objectAt(synthChecked(links), `${D}/networkpolicy-object-detect.yaml`).spec.ingress[0].from.map((f: any) => f.podSelector.matchLabels['app.kubernetes.io/name'])).toEqual(['archive', 'monitoring']);
  });

  test('GPU: a count goes to limits with node affinity and toleration; the object form names product and resource', () => {
    const spec = objectAt(r, `${D}/deployment-object-detect.yaml`).spec.template.spec;
    expect(spec.containers[0].resources.limits['nvidia.com/gpu']).toBe(1);
    expect(spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([{ matchExpressions: [{ key: 'nvidia.com/gpu.present', operator: 'In', values: ['true'] }] }]);
    expect(spec.tolerations).toEqual([{ key: 'nvidia.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    const obj = synthChecked(pipelineStack((p) => (p.things[1].gpu = { count: 2, product: 'NVIDIA-A2', resource: 'nvidia.com/mig-1g.5gb' })));
    const s2 = objectAt(obj, `${D}/deployment-object-detect.yaml`).spec.template.spec;
    expect(s2.containers[0].resources.limits['nvidia.com/mig-1g.5gb']).toBe(2);
    expect(s2.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions[1]).toEqual({ key: 'nvidia.com/gpu.product', operator: 'In', values: ['NVIDIA-A2'] });
  });

  test('deferrable things get the lower PriorityClass; MAnalyser is MAnalyzer; a metrics port is scraped', () => {
    const s = synthChecked(
      pipelineStack((p) => {
        p.things[1].kind = 'MAnalyser';
        p.things[1].energyClass = 'deferrable';
        p.things[1].metricsPort = 9102;
      }),
    );
    const d = objectAt(s, `${D}/deployment-object-detect.yaml`);
    expect(d.spec.template.spec.priorityClassName).toBe('iomt-deferrable');
    expect(d.metadata.labels['app.kubernetes.io/component']).toBe('MAnalyzer');
    expect(objectAt(s, `${D}/priorityclass-iomt-deferrable.yaml`)).toMatchObject({ value: -1000, preemptionPolicy: 'Never' });
    const jobs = parse(objectAt(s, 'line-1/monitoring/configmap-prometheus-config.yaml').data['prometheus.yml']).scrape_configs.map((c: any) => c.job_name);
    expect(jobs).toContain('iomt-object-detection-object-detect');
  });

  test.each([
    ['a self-link', (p: any) => p.links.push({ from: 'object-detect', to: 'object-detect' }), ['iomt.pipelines[0].links[3]: links "object-detect" to itself']],
    [
      'a cycle',
      (p: any) => {
        p.things.push({ name: 'tracker', kind: 'MAnalyzer', image: 'r/t:1', port: 1 });
        p.links.push({ from: 'object-detect', to: 'tracker' }, { from: 'tracker', to: 'object-detect' });
      },
      ['iomt.pipelines[0].links: form a cycle: object-detect → tracker → object-detect'],
    ],
    ['an actuator with no upstream', (p: any) => p.links.splice(1, 1), ['iomt.pipelines[0].things[2]: MActuator "monitoring" has no upstream: link a sensor or analyzer to it']],
    [
      'a sensor with an upstream',
      (p: any) => {
        p.things.push({ name: 'lidar', kind: 'MSensor', image: 'r/l:1', port: 1 });
        p.links.push({ from: 'object-detect', to: 'lidar' });
      },
      ['iomt.pipelines[0].links[3].to: MSensor "lidar" takes no upstream: sensors only produce'],
    ],
    [
      'storage and actuators as upstreams',
      (p: any) => p.links.push({ from: 'archive', to: 'monitoring' }, { from: 'monitoring', to: 'object-detect' }),
      ['iomt.pipelines[0].links: form a cycle: monitoring → object-detect → monitoring', 'iomt.pipelines[0].links[3].from: MStorage "archive" only consumes: it cannot be an upstream', 'iomt.pipelines[0].links[4].from: MActuator "monitoring" only consumes: it cannot be an upstream'],
    ],
    ['an unknown endpoint', (p: any) => (p.links[2].to = 'monitorng'), ['iomt.pipelines[0].links[2].to: no thing named "monitorng" in pipeline "object-detection" (did you mean "monitoring"?)']],
  ])('fails on %s, with the path', (_name, edit, expected) => {
    expect(graphProblems(edit)).toEqual(expected);
  });

  test('the Mermaid diagram of the example, and the README Git hosts render', () => {
    expect(pipelinesMermaid(resolveModel(parseStack(demoStack())), 'line-1')).toBe(
      [
        'flowchart LR',
        '  subgraph line_1__object_detection["object-detection (iomt-object-detection)"]',
        '    line_1__object_detection__archive["archive<br/>MStorage"]',
        '    line_1__object_detection__camera["camera<br/>MSensor · device cam-01"]',
        '    line_1__object_detection__monitoring["monitoring<br/>MActuator"]',
        '    line_1__object_detection__object_detect["object-detect<br/>MAnalyzer · GPU"]',
        '  end',
        '  line_1__object_detection__camera --> line_1__object_detection__archive',
        '  line_1__object_detection__camera --> line_1__object_detection__object_detect',
        '  line_1__object_detection__object_detect --> line_1__object_detection__monitoring',
        '',
      ].join('\n'),
    );
    const readme = r.files.get('line-1/iomt/README.md')!;
    expect(readme).toContain('```mermaid\nflowchart LR\n');
    expect(readme).toContain('| object-detection | camera | MSensor | `camera.iomt-object-detection.svc.cluster.local:8554` | cam-01 |');
  });

  test('the whole-stack graph gives every node its own id, whatever the names', async () => {
    const thing = (name: string, kind: string) => ({ name, kind, image: `r.example/${name}:1`, port: 80 });
    const pipeline = (name: string, from: string, to: string) => ({ name, things: [thing(from, 'MSensor'), thing(to, 'MActuator')], links: [{ from, to }] });
    // Before: the component "energy" and the thing "energy" of a pipeline named "component" were one node, and so were
    // the pipeline "a--b" and the thing "b" of the pipeline "a".
    const model = resolveModel(
      parseStack({ name: 'lab', clusters: [{ name: 'edge' }], energy: {}, monitoring: {}, iomt: { pipelines: [pipeline('component', 'energy', 'monitoring'), pipeline('a--b', 's', 'x'), pipeline('a', 'b', 'z')] } }),
    );
    const mermaid = stackMermaid(model, () => ['energy', 'monitoring']);
    const ids = [...mermaid.matchAll(/^\s+(?:subgraph )?([A-Za-z0-9_]+)[[(]/gm)].map((m) => m[1]);
    expect(ids).toHaveLength(1 + 2 + 3 + 6); // the cluster, its two components, three pipelines of two things each
    expect(new Set(ids).size).toBe(ids.length);
    const dot = stackDot(model, () => ['energy', 'monitoring']);
    const dotIds = [...dot.matchAll(/^\s+("[^"]+") \[label=/gm)].map((m) => m[1]);
    expect(dotIds).toHaveLength(2 + 6);
    expect(new Set(dotIds).size).toBe(dotIds.length);
    const svg = await renderSvg(dot);
    expect(svg.match(/<g id="node\d+" class="node">/g)).toHaveLength(8);
    // The pipelines diagram of the generated READMEs too (its ids otherwise as before: line_1__object_detection…).
    const readme = pipelinesMermaid(model);
    const readmeIds = [...readme.matchAll(/^\s+(?:subgraph )?([A-Za-z0-9_]+)\[/gm)].map((m) => m[1]);
    expect(readmeIds).toHaveLength(3 + 6);
    expect(new Set(readmeIds).size).toBe(readmeIds.length);
  });

  test('the SVG is well-formed XML naming every thing', async () => {
    const model = resolveModel(parseStack(demoStack()));
    const svg = await renderSvg(stackDot(model, () => ['energy']));
    expect(XMLValidator.validate(svg)).toBe(true);
    const texts = JSON.stringify(new XMLParser({ ignoreAttributes: true, htmlEntities: true }).parse(svg));
    for (const t of ['camera', 'object-detect', 'monitoring', 'archive']) expect(texts).toContain(t);
    const c = captureIO();
    expect(await runCli(['graph', '-c', path.join(ROOT, 'apps/demo/stack.yaml'), '--format', 'svg'], c.io)).toBe(0);
    expect(c.out().startsWith('<?xml')).toBe(true);
  });
});
