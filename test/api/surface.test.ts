import * as fs from 'fs';
import * as path from 'path';
import * as ts from 'typescript';

/**
 * The public surface of the package is lib/index.ts. Its names are listed in api/public-api.txt (checked in,
 * so a change to the surface is a visible diff), and the declarations a user's compiler reads from it must
 * reach no other package than constructs and cdk8s (no zod, no grafana-foundation-sdk, no generated k8s classes
 * deep-imported from cdk8s-plus-27/lib/imports/k8s).
 */
const ROOT = path.join(__dirname, '../..');
const LIST = path.join(ROOT, 'api/public-api.txt');

function compile(): { names: string[]; dts: Map<string, string> } {
  const options: ts.CompilerOptions = {
    ...ts.parseJsonConfigFileContent(JSON.parse(fs.readFileSync(path.join(ROOT, 'tsconfig.json'), 'utf8')), ts.sys, ROOT).options,
    declaration: true,
    emitDeclarationOnly: true,
    noEmit: false,
    outDir: '/virtual',
  };
  const program = ts.createProgram([path.join(ROOT, 'lib/index.ts')], options);
  const checker = program.getTypeChecker();
  const index = program.getSourceFile(path.join(ROOT, 'lib/index.ts'))!;
  const names = checker
    .getExportsOfModule(checker.getSymbolAtLocation(index)!)
    .map((s) => {
      const target = s.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(s) : s;
      const f = target.flags;
      const kind =
        f & ts.SymbolFlags.Class ? 'class' : f & ts.SymbolFlags.Function ? 'function' : f & ts.SymbolFlags.Interface ? 'interface' : f & ts.SymbolFlags.TypeAlias ? 'type' : f & ts.SymbolFlags.Variable ? 'const' : 'other';
      return `${kind} ${s.name}`;
    })
    .sort((a, b) => (a.split(' ')[1] < b.split(' ')[1] ? -1 : 1));
  const dts = new Map<string, string>();
  program.emit(undefined, (file, text) => dts.set(path.resolve(file), text));
  return { names, dts };
}

describe('public API (lib/index.ts)', () => {
  const { names, dts } = compile();

  test('is exactly the names of api/public-api.txt (update the list with the change that alters the surface)', () => {
    const listed = fs.readFileSync(LIST, 'utf8').split('\n').filter((l) => l !== '' && !l.startsWith('#'));
    expect(names).toEqual(listed);
  });

  test('its declarations reach no package but constructs and cdk8s', () => {
    const seen = new Set<string>();
    const external = new Set<string>();
    const visit = (file: string) => {
      if (seen.has(file)) return;
      seen.add(file);
      const text = dts.get(file);
      if (text === undefined) throw new Error(`no declaration emitted for ${file}`);
      for (const m of text.matchAll(/(?:from|import\()\s*['"]([^'"]+)['"]/g)) {
        if (!m[1].startsWith('.')) external.add(m[1]);
        else {
          const base = path.resolve(path.dirname(file), m[1]);
          visit(dts.has(`${base}.d.ts`) ? `${base}.d.ts` : path.join(base, 'index.d.ts'));
        }
      }
    };
    visit('/virtual/lib/index.d.ts');
    expect([...external].filter((e) => e !== 'constructs' && e !== 'cdk8s')).toEqual([]);
    expect([...seen].map((f) => path.relative('/virtual', f)).sort()).toEqual([
      'lib/api/functions.d.ts',
      'lib/api/stack-props.d.ts',
      'lib/core/errors.d.ts',
      'lib/core/flows.d.ts',
      'lib/index.d.ts',
      'lib/stack.d.ts',
    ]);
  });
});

if (process.env.EDGEWATT_WRITE_API === '1') {
  fs.mkdirSync(path.dirname(LIST), { recursive: true });
  fs.writeFileSync(LIST, `# The public names of edgewatt (lib/index.ts), checked by test/api/surface.test.ts.\n${compile().names.join('\n')}\n`);
}
