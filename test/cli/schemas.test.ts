import * as fs from 'fs';
import * as http from 'http';
import { AddressInfo } from 'net';
import * as path from 'path';
import { runCli } from '../../lib/internal';
import { SCHEMA_PINS } from '../../lib/core/schema-pins';
import { ROOT, sharedPath } from '../support/shared';
import { captureIO, tmpDir } from '../support/tmp';

async function run(...argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const c = captureIO();
  const code = await runCli(argv, c.io);
  return { code, out: c.out(), err: c.err() };
}

/** A loopback server that serves ../shared, with per-path overrides (tampered bytes, a cut-off body). */
function serve(overrides: Record<string, 'tamper' | 'truncate'> = {}): Promise<{ url: string; close: () => Promise<void>; hits: string[] }> {
  const base = sharedPath();
  const hits: string[] = [];
  const server = http.createServer((req, res) => {
    const rel = decodeURIComponent((req.url ?? '/').slice(1));
    hits.push(rel);
    const file = path.join(base, rel);
    if (!file.startsWith(base) || !fs.existsSync(file)) {
      res.writeHead(404).end();
      return;
    }
    const data = fs.readFileSync(file);
    if (overrides[rel] === 'tamper') {
      res.writeHead(200).end(Buffer.concat([data, Buffer.from('\n# tampered\n')]));
    } else if (overrides[rel] === 'truncate') {
      res.writeHead(200, { 'content-length': String(data.length) });
      res.write(data.subarray(0, Math.floor(data.length / 2)));
      setTimeout(() => res.destroy(), 20);
    } else res.writeHead(200).end(data);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () =>
      resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, hits, close: () => new Promise((r) => server.close(() => r())) }),
    ),
  );
}

describe('edgewatt schemas pull', () => {
  test('fetches every pinned file from a mirror URL, checks sha256, and validate uses the cache by default', async () => {
    const srv = await serve();
    try {
      const cache = path.join(tmpDir(), 'cache');
      const r = await run('schemas', 'pull', '--cache', cache, '--schemas-from', srv.url, '-o', 'json');
      expect(r.code).toBe(0);
      expect(JSON.parse(r.out)).toEqual({ command: 'schemas pull', ok: true, exitCode: 0, problems: [], cache, files: SCHEMA_PINS.length });
      expect(srv.hits.sort()).toEqual(SCHEMA_PINS.map((p) => p.path).sort());
      expect(fs.existsSync(path.join(cache, 'schemas/kubernetes/swagger-v1.35.0.json'))).toBe(true);
      const saved = { c: process.env.EDGEWATT_SCHEMA_CACHE, k: process.env.EDGEWATT_K8S_OPENAPI };
      process.env.EDGEWATT_SCHEMA_CACHE = cache;
      delete process.env.EDGEWATT_K8S_OPENAPI;
      try {
        const v = await run('validate', path.join(ROOT, 'dist'));
        expect(v.err).toBe('');
        expect(v.code).toBe(0);
        // The cached schemas are really used: a field unknown to the pinned OpenAPI document fails.
        const tree = path.join(tmpDir(), 'tree');
        fs.cpSync(path.join(ROOT, 'dist'), tree, { recursive: true });
        const f = path.join(tree, 'hub/platform/namespace-fleet.yaml');
        fs.writeFileSync(f, fs.readFileSync(f, 'utf8').replace('spec: {}', 'spec: { bogus: 1 }'));
        const bad = await run('validate', tree);
        expect(bad.code).toBe(1);
        expect(bad.err).toContain('namespace-fleet.yaml: /spec/bogus: unknown field');
      } finally {
        if (saved.c === undefined) delete process.env.EDGEWATT_SCHEMA_CACHE;
        else process.env.EDGEWATT_SCHEMA_CACHE = saved.c;
        if (saved.k !== undefined) process.env.EDGEWATT_K8S_OPENAPI = saved.k;
      }
    } finally {
      await srv.close();
    }
  });

  test('a checksum mismatch or a cut-off download is rejected, all in one run, and the cache is left as it was', async () => {
    const tampered = SCHEMA_PINS[1].path;
    const cut = SCHEMA_PINS[0].path;
    const srv = await serve({ [tampered]: 'tamper', [cut]: 'truncate' });
    try {
      const cache = path.join(tmpDir(), 'cache');
      const r = await run('schemas', 'pull', '--cache', cache, '--schemas-from', srv.url, '--timeout', '10');
      expect(r.code).toBe(2);
      expect(r.err).toContain(`${tampered}: sha256 `);
      expect(r.err).toContain('is not the pinned');
      expect(r.err).toMatch(new RegExp(`${cut.replace(/\./g, '\\.')}: (could not be fetched|sha256 )`));
      expect(fs.existsSync(cache)).toBe(false);
      expect(fs.readdirSync(path.dirname(cache)).filter((n) => n.includes('partial'))).toEqual([]);
    } finally {
      await srv.close();
    }
  });

  test('--schemas-from a folder (an air-gapped mirror laid out like ../shared) works the same', async () => {
    const cache = path.join(tmpDir(), 'cache');
    const r = await run('schemas', 'pull', '--cache', cache, '--schemas-from', sharedPath());
    expect(r).toEqual({ code: 0, out: `${SCHEMA_PINS.length} schema files (${SCHEMA_PINS.reduce((n, p) => n + fs.statSync(sharedPath(p.path)).size, 0)} bytes) pinned by sha256 in ${cache}\n`, err: '' });
  });
});
