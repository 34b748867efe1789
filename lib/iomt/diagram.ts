import { PipelineModel, StackModel } from '../model/types';

/**
 * A node id of the pipelines diagram (in the generated READMEs): each part's `-` written `_`, parts joined by `__`; a
 * part with `--` in it is written as graphId writes it (upper-case X, no `_`), so "a--b" never meets "a" and "b" and
 * every other id stays as it was.
 */
function id(...parts: string[]): string {
  return parts.map((p) => (p.includes('--') ? escaped(p) : p.replace(/[^a-zA-Z0-9]/g, '_'))).join('__');
}

/** A name with each character other than a-z and 0-9 written X<hex>X: no `_`, and upper case only in the escapes. */
function escaped(name: string): string {
  return name.replace(/[^a-z0-9]/g, (ch) => `X${ch.charCodeAt(0).toString(16)}X`);
}

/**
 * A node id of the whole-stack graph, one for each node: each part's characters other than a-z and 0-9 written as
 * X<hex>X (names are lower-case, so no part holds `_` or an upper-case letter) and a kind word in upper case, so a
 * component never meets a thing (a pipeline named "component") and "a--b" never meets "a" and "b".
 */
function graphId(kind: 'Cluster' | 'Component' | 'Pipeline' | 'Thing', ...parts: string[]): string {
  return [kind, ...parts.map(escaped)].join('__');
}

function thingLabel(t: PipelineModel['things'][number]): string {
  const where = t.device ? ` · device ${t.device}` : '';
  const gpu = t.gpu !== undefined ? ' · GPU' : '';
  return `${t.name}<br/>${t.kind}${where}${gpu}`;
}

/** A Mermaid flowchart of pipelines (all, or those of one cluster), things and links. */
export function pipelinesMermaid(model: StackModel, cluster?: string): string {
  const pipelines = (model.iomt?.pipelines ?? []).filter((p) => !cluster || p.cluster === cluster);
  const lines = ['flowchart LR'];
  for (const p of pipelines) {
    lines.push(`  subgraph ${id(p.cluster, p.name)}["${p.name} (${p.namespace})"]`);
    for (const t of p.things) lines.push(`    ${id(p.cluster, p.name, t.name)}["${thingLabel(t)}"]`);
    lines.push('  end');
    for (const l of p.links) lines.push(`  ${id(p.cluster, p.name, l.from)} --> ${id(p.cluster, p.name, l.to)}`);
  }
  return `${lines.join('\n')}\n`;
}

/** A Mermaid flowchart of the whole stack: each cluster, its components, and its pipelines. */
export function stackMermaid(model: StackModel, components: (cluster: string) => ReadonlyArray<string>): string {
  const lines = ['flowchart LR'];
  for (const c of model.clusters) {
    lines.push(`  subgraph ${graphId('Cluster', c.name)}["cluster ${c.name} (${c.platform})"]`);
    for (const comp of components(c.name)) lines.push(`    ${graphId('Component', c.name, comp)}(["${comp}"])`);
    for (const p of (model.iomt?.pipelines ?? []).filter((x) => x.cluster === c.name)) {
      lines.push(`    subgraph ${graphId('Pipeline', c.name, p.name)}["${p.name} (${p.namespace})"]`);
      for (const t of p.things) lines.push(`      ${graphId('Thing', c.name, p.name, t.name)}["${thingLabel(t)}"]`);
      lines.push('    end');
    }
    lines.push('  end');
  }
  for (const p of model.iomt?.pipelines ?? []) for (const l of p.links) lines.push(`  ${graphId('Thing', p.cluster, p.name, l.from)} --> ${graphId('Thing', p.cluster, p.name, l.to)}`);
  return `${lines.join('\n')}\n`;
}

function dotString(s: string): string {
  return `"${s.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

/** The same picture in Graphviz DOT, for SVG. */
export function stackDot(model: StackModel, components: (cluster: string) => ReadonlyArray<string>): string {
  const lines = ['digraph edgewatt {', '  rankdir=LR;', '  node [fontname="Helvetica", fontsize=11];', '  graph [fontname="Helvetica", fontsize=12];'];
  for (const c of model.clusters) {
    lines.push(`  subgraph ${dotString(`cluster_${graphId('Cluster', c.name)}`)} {`, `    label=${dotString(`cluster ${c.name} (${c.platform})`)};`, '    style=rounded;');
    for (const comp of components(c.name)) lines.push(`    ${dotString(graphId('Component', c.name, comp))} [label=${dotString(comp)}, shape=box, style="rounded,filled", fillcolor="#eef3fb"];`);
    for (const p of (model.iomt?.pipelines ?? []).filter((x) => x.cluster === c.name)) {
      lines.push(`    subgraph ${dotString(`cluster_${graphId('Pipeline', c.name, p.name)}`)} {`, `      label=${dotString(`${p.name} (${p.namespace})`)};`, '      style=dashed;');
      for (const t of p.things) lines.push(`      ${dotString(graphId('Thing', c.name, p.name, t.name))} [label=${dotString(thingLabel(t).replace('<br/>', '\n'))}, shape=box];`);
      lines.push('    }');
    }
    lines.push('  }');
  }
  for (const p of model.iomt?.pipelines ?? []) for (const l of p.links) lines.push(`  ${dotString(graphId('Thing', p.cluster, p.name, l.from))} -> ${dotString(graphId('Thing', p.cluster, p.name, l.to))};`);
  lines.push('}');
  return `${lines.join('\n')}\n`;
}

/** Renders DOT to SVG with Graphviz compiled to WebAssembly (loaded only when asked for). */
export async function renderSvg(dot: string): Promise<string> {
  // Loaded on demand, through its CommonJS build, so synth never pays for the WebAssembly module.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { instance } = require('@viz-js/viz') as typeof import('@viz-js/viz', { with: { 'resolution-mode': 'import' } });
  const viz = await instance();
  return viz.renderString(dot, { format: 'svg' });
}

/** dist/<cluster>/iomt/README.md: the cluster's pipelines as a Mermaid diagram Git hosts render. */
export function iomtReadme(model: StackModel, cluster: string): string {
  const pipelines = (model.iomt?.pipelines ?? []).filter((p) => p.cluster === cluster);
  const rows = pipelines.flatMap((p) => p.things.map((t) => `| ${p.name} | ${t.name} | ${t.kind} | \`${t.name}.${p.namespace}.svc.cluster.local:${t.port}\` | ${t.device ?? 'cluster'} |`));
  return [
    `<!-- Generated by edgewatt from stack "${model.name}". Do not edit: change the stack and run \`edgewatt synth\`. -->`,
    `# IoMT pipelines on cluster ${cluster}`,
    '',
    '```mermaid',
    pipelinesMermaid(model, cluster).trimEnd(),
    '```',
    '',
    '| pipeline | thing | kind | address | runs on |',
    '| --- | --- | --- | --- | --- |',
    ...rows,
    '',
  ].join('\n');
}
