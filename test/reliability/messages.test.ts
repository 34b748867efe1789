import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { tmpDir } from '../support/tmp';
import { child, cli, gitopsStack, lsnap, stackFile } from './support';

async function withTree(): Promise<{ dir: string; dist: string; file: (name: string, text: string | Buffer) => string }> {
  const dir = tmpDir();
  const dist = path.join(dir, 'dist');
  expect((await cli('synth', '-c', stackFile(dir, 'ok', gitopsStack('lab')), '-o', dist)).code).toBe(0);
  return {
    dir,
    dist,
    file: (name, text) => {
      const f = path.join(dir, name);
      fs.writeFileSync(f, text);
      return f;
    },
  };
}

describe('item 14: messages for hostile numbers, encodings and nesting', () => {
  test.each([
    ['.nan', 'must be a finite number, not NaN (not a number)'],
    ['.inf', 'must be a finite number, not infinity (.inf, or a number too large such as 1e400)'],
    ['1e400', 'must be a finite number, not infinity (.inf, or a number too large such as 1e400)'],
    ['-.inf', 'must be a finite number, not -infinity (.inf, or a number too large such as 1e400)'],
  ])('monitoring.carbonIntensity: %s', async (value, said) => {
    const { dir, dist, file } = await withTree();
    const before = lsnap(dir);
    const f = file('n.yaml', `name: lab\nclusters:\n  - name: edge\nmonitoring:\n  carbonIntensity: ${value}\n`);
    const r = await cli('synth', '-c', f, '-o', dist);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`monitoring.carbonIntensity: ${said}`);
    fs.rmSync(f);
    expect(lsnap(dir)).toEqual(before);
  });

  test.each([
    ['utf16le', (t: string) => Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(t, 'utf16le')]), 'is UTF-16 encoded (it starts with a UTF-16 byte-order mark): save it as UTF-8'],
    ['utf16be', (t: string) => Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(t, 'utf16le').swap16()]), 'is UTF-16 encoded (it starts with a UTF-16 byte-order mark): save it as UTF-8'],
    ['utf16le without a byte-order mark', (t: string) => Buffer.from(t, 'utf16le'), 'is UTF-16 little-endian encoded (NUL bytes after each character): save it as UTF-8'],
  ])('a stack saved as %s', async (_n, encode, said) => {
    const { dir, dist, file } = await withTree();
    const before = lsnap(dir);
    const f = file('u.yaml', encode('name: lab\nclusters:\n  - name: edge\n'));
    const r = await cli('synth', '-c', f, '-o', dist);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${f}: ${said}`);
    fs.rmSync(f);
    expect(lsnap(dir)).toEqual(before);
  });

  test.each([
    ['5,000 levels of flow lists', 'x: ' + '['.repeat(5000) + ']'.repeat(5000)],
    ['5,000 levels of block mappings', Array.from({ length: 5000 }, (_, i) => `${' '.repeat(i)}k:`).join('\n') + ' 1'],
  ])('%s: a clear error, not a stack overflow', async (_n, body) => {
    const { dir, dist, file } = await withTree();
    const before = lsnap(dir);
    const f = file('d.yaml', `name: lab\nclusters:\n  - name: edge\n${body}\n`);
    const r = await cli('synth', '-c', f, '-o', dist);
    expect(r.code).toBe(2);
    expect(r.err).toContain(`${f}: nests mappings or lists more than 64 levels deep`);
    expect(r.err).not.toContain('Maximum call stack');
    fs.rmSync(f);
    expect(lsnap(dir)).toEqual(before);
  });

  test('-c /dev/zero ends with the size limit, not an ever-growing read', async () => {
    const { dir, dist } = await withTree();
    const before = lsnap(dir);
    const r = await cli('synth', '-c', '/dev/zero', '-o', dist);
    expect(r.code).toBe(2);
    expect(r.err).toContain('/dev/zero: is over the limit of 16777216 bytes');
    expect(lsnap(dir)).toEqual(before);
  });

  test('plan --nodes-per-cluster 1e308 is refused, not printed as Infinity', async () => {
    const { file } = await withTree();
    const f = file('p.yaml', 'name: lab\nclusters:\n  - name: edge\nmonitoring: {}\n');
    const r = await cli('plan', '-c', f, '--nodes-per-cluster', '1e308');
    expect(r.code).toBe(2);
    expect(r.err).toContain('must be at most 100000');
    expect(r.out + r.err).not.toContain('Infinity');
  });
});

describe('item 12: apply --dry-run against a server that answers 500 to everything', () => {
  test('is exit 5 (the cluster failed), not exit 1 with every object "rejected"', async () => {
    const { dir, dist } = await withTree();
    const server = http.createServer((_req, res) => {
      res.writeHead(500, { 'Content-Type': 'application/json' });
      res.end(JSON.stringify({ kind: 'Status', apiVersion: 'v1', status: 'Failure', reason: 'InternalError', message: 'etcdserver: request timed out', code: 500 }));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    try {
      const port = (server.address() as AddressInfo).port;
      const kc = path.join(dir, 'kubeconfig');
      fs.writeFileSync(kc, `apiVersion: v1\nkind: Config\ncurrent-context: s\nclusters:\n- name: s\n  cluster:\n    server: http://127.0.0.1:${port}\n    insecure-skip-tls-verify: true\nusers:\n- name: s\n  user:\n    token: t\ncontexts:\n- name: s\n  context:\n    cluster: s\n    user: s\n`);
      // As a child process: @kubernetes/client-node is an ES module that jest's sandbox cannot import.
      const r = await child(['apply', '--dry-run', path.join(dist, 'edge'), '--kubeconfig', kc, '--request-timeout', '5s']);
      expect(r.code).toBe(5);
      expect(r.err).toMatch(/failed \(HTTP 500 InternalError\): .*etcdserver: request timed out: the API server is not answering requests/);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
