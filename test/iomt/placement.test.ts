import { parse } from 'yaml';
import { pipelineStack, resolveProblems } from '../support/iomt';
import { demoStack } from '../support/stacks';
import { objectAt, synthChecked } from '../support/synth';

const D = 'line-1/iomt';

function problems(edit: (p: any, s: any) => void): string[] {
  return resolveProblems(pipelineStack(edit));
}

describe('IoMT things run where they are placed', () => {
  test('the demo has none of these problems', () => {
    expect(problems(() => undefined)).toEqual([]);
  });

  test('a thing on a device cannot reach its upstreams (cluster DNS names); a producer on a device can be reached', () => {
    const out = problems((p) => (p.things.find((t: any) => t.name === 'monitoring').device = 'cam-01'));
    expect(out).toEqual([
      'iomt.pipelines[0].things[2].device: thing "monitoring" on device "cam-01" would reach its upstream "object-detect" at cluster DNS names (IOMT_<UPSTREAM>_URL), which a device cannot resolve, and no path from a device into the cluster is declared: run it in the cluster (leave device out); a thing on a device can only produce',
    ]);
  });

  test('storage on a device would lose its data', () => {
    const out = problems((p) => {
      p.links = p.links.filter((l: any) => l.to !== 'archive');
      p.things.find((t: any) => t.name === 'archive').device = 'cam-01';
    });
    expect(out).toEqual([expect.stringMatching(/^iomt\.pipelines\[0\]\.things\[3\]\.device: MStorage "archive" on a device would lose its data: Flotta's agent recreates/)]);
  });

  test('a metrics port equal to the port, healthPath on a protocol that is not HTTP, and an NVIDIA product of another vendor are refused', () => {
    const out = problems((p) => {
      const detect = p.things.find((t: any) => t.name === 'object-detect');
      detect.metricsPort = detect.port;
      detect.gpu = { count: 1, resource: 'amd.com/gpu', product: 'MI210' };
      const camera = p.things.find((t: any) => t.name === 'camera');
      camera.protocol = 'rtsp';
      camera.healthPath = '/healthz';
    });
    expect(out).toEqual([
      'iomt.pipelines[0].things[0].healthPath: is an HTTP path, and "camera" speaks rtsp: an HTTP probe of it never passes; leave healthPath out (a TCP check of the port)',
      'iomt.pipelines[0].things[1].gpu.product: selects NVIDIA\'s node label nvidia.com/gpu.product, which nodes of amd.com/gpu do not carry: leave product out',
      'iomt.pipelines[0].things[1].metricsPort: is the thing\'s port (8080): a Service cannot list one port twice (the API server refuses it); leave metricsPort out, or serve metrics on another port',
    ]);
  });

  test.each([
    ['169.254.10.11', /is an unspecified, loopback or link-local address/],
    ['127.0.0.2', /is an unspecified, loopback or link-local address/],
    ['fe80::1', /is an unspecified, loopback or link-local address/],
    ['300.20.0.11', /is not an IP address/],
    ['ff12::1', /is an unspecified, loopback or link-local address/],
    ['::ffff:10.20.0.11', /is an IPv4-mapped IPv6 address: give the IPv4 address \(10\.20\.0\.11\)/],
  ])('a device address the API server refuses as an endpoint (%s) is a problem at the device', (address, why) => {
    const out = problems((_p, s) => (s.fleet.devices.find((d: any) => d.name === 'cam-01').address = address));
    expect(out).toEqual([expect.stringMatching(new RegExp(`^fleet\\.devices\\[0\\]\\.address: "${address.replace(/\./g, '\\.')}" ${why.source}`))]);
  });

  test('an IPv6 device: the Service is IPv6 single-stack like its EndpointSlice; IPv4 likewise', () => {
    const v4 = objectAt(synthChecked(demoStack()), `${D}/service-camera.yaml`).spec;
    expect(v4).toMatchObject({ ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv4'] });
    const r = synthChecked(pipelineStack((_p, s) => (s.fleet.devices.find((d: any) => d.name === 'cam-01').address = 'fd00:20::11')));
    expect(objectAt(r, `${D}/service-camera.yaml`).spec).toMatchObject({ ipFamilyPolicy: 'SingleStack', ipFamilies: ['IPv6'] });
    expect(objectAt(r, `${D}/endpointslice-camera-device.yaml`)).toMatchObject({ addressType: 'IPv6', endpoints: [{ addresses: ['fd00:20::11'] }] });
  });

  test('a thing on a port below 1024 may bind it as non-root: its pod lowers ip_unprivileged_port_start to that port, and no further', () => {
    const r = synthChecked(demoStack());
    expect(objectAt(r, `${D}/deployment-monitoring.yaml`).spec.template.spec.securityContext.sysctls).toEqual([{ name: 'net.ipv4.ip_unprivileged_port_start', value: '80' }]);
    expect(objectAt(r, `${D}/deployment-object-detect.yaml`).spec.template.spec.securityContext.sysctls).toBeUndefined();
  });

  test('an https thing is probed over TLS; a GPU of another vendor gets its toleration but no NVIDIA node affinity', () => {
    const r = synthChecked(
      pipelineStack((p) => {
        const detect = p.things.find((t: any) => t.name === 'object-detect');
        detect.protocol = 'https';
        detect.healthPath = '/healthz';
        detect.gpu = { count: 1, resource: 'amd.com/gpu' };
      }),
    );
    const spec = objectAt(r, `${D}/deployment-object-detect.yaml`).spec.template.spec;
    expect(spec.containers[0].readinessProbe.httpGet).toEqual({ path: '/healthz', port: 'main', scheme: 'HTTPS' });
    expect(spec.containers[0].livenessProbe.httpGet.scheme).toBe('HTTPS');
    expect(spec.affinity).toBeUndefined();
    expect(spec.tolerations).toEqual([{ key: 'amd.com/gpu', operator: 'Exists', effect: 'NoSchedule' }]);
    expect(spec.containers[0].resources.limits['amd.com/gpu']).toBe(1);
  });

  test("a thing's metrics are read as the text format when its image sends no Content-Type (Prometheus v3 fails the scrape otherwise)", () => {
    const r = synthChecked(pipelineStack((p) => (p.things.find((t: any) => t.name === 'object-detect').metricsPort = 9400)));
    const job = parse(objectAt(r, 'line-1/monitoring/configmap-prometheus-config.yaml').data['prometheus.yml']).scrape_configs.find((c: any) => c.job_name === 'iomt-object-detection-object-detect');
    expect(job.fallback_scrape_protocol).toBe('PrometheusText0.0.4');
    const kepler = parse(objectAt(r, 'line-1/monitoring/configmap-prometheus-config.yaml').data['prometheus.yml']).scrape_configs.find((c: any) => c.job_name === 'kepler-exporter');
    expect(kepler.fallback_scrape_protocol).toBeUndefined(); // exporters that set their Content-Type keep v3's strictness
    // prometheus-operator mode: the PodMonitor says the same.
    const op = pipelineStack((p, s) => {
      p.things.find((t: any) => t.name === 'object-detect').metricsPort = 9400;
      s.monitoring.mode = 'prometheus-operator';
      delete s.monitoring.receiver;
      s.monitoring.operator = { receiverURL: 'https://prometheus.factory.example/api/v1/write' };
    });
    const files = synthChecked(op).files;
    const monitor = [...files].find(([f]) => f === 'line-1/monitoring/podmonitor-iomt-object-detection-object-detect.yaml');
    expect(monitor).toBeDefined();
    expect(parse(monitor![1]).spec.fallbackScrapeProtocol).toBe('PrometheusText0.0.4');
  });
});
