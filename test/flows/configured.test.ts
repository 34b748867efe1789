import { sameAddress, valueAt } from '../../lib/validate/flows/configured';

describe('where a URL is configured', () => {
  const deployment = {
    spec: {
      template: {
        spec: {
          containers: [
            { name: 'a', args: ['--web.listen-address=:9090', '--remote', 'http://x:1'], env: [{ name: 'URL', value: 'http://svc.ns.svc.cluster.local:80' }] },
          ],
        },
      },
    },
  };
  test('env:, arg: (--flag=value and --flag value), data:, data:<key>#pointer and JSON pointers', () => {
    expect(valueAt(deployment, 'env:URL')).toBe('http://svc.ns.svc.cluster.local:80');
    expect(valueAt(deployment, 'env:MISSING')).toBeUndefined();
    expect(valueAt(deployment, 'arg:--web.listen-address')).toBe(':9090');
    expect(valueAt(deployment, 'arg:--remote')).toBe('http://x:1');
    expect(valueAt(deployment, '/spec/template/spec/containers/0/name')).toBe('a');
    const cm = { data: { 'prometheus.yml': 'remote_write:\n  - url: http://h:9090/api/v1/write\n', 'a/b': 'v' } };
    expect(valueAt(cm, 'data:prometheus.yml#/remote_write/0/url')).toBe('http://h:9090/api/v1/write');
    expect(valueAt(cm, 'data:a/b')).toBe('v');
    expect(valueAt(cm, 'data:prometheus.yml#/remote_write/1/url')).toBeUndefined();
  });
  test('a scheme-less value is compared with the URL\'s host:port only when the URL has a port and no path', () => {
    expect(sameAddress('am.monitoring.svc.cluster.local:9093', 'http://am.monitoring.svc.cluster.local:9093')).toBe(true);
    expect(sameAddress('am.monitoring.svc.cluster.local:9093', 'http://am.monitoring.svc.cluster.local:9093/x')).toBe(false);
    expect(sameAddress('am.monitoring.svc.cluster.local', 'http://am.monitoring.svc.cluster.local')).toBe(false);
    expect(sameAddress('https://a:1', 'http://a:1')).toBe(false);
  });
});
