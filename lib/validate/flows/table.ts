import { flowEnds } from '../../core/flows';

export { flowEnds };
import { FlowVerdict } from './check';
import { counted } from '../../core/names';

/** The flow table as text: one row per flow with the gate's verdict, then why each failing flow fails. */
export function formatFlowTable(verdicts: ReadonlyArray<FlowVerdict>): string {
  const rows = verdicts.map((v) => {
    const { from, to } = flowEnds(v.flow);
    return [v.flow.purpose, from, to, v.flow.transport, v.ok ? 'ok' : `BLOCKED (${v.findings.length})`];
  });
  const head = ['PURPOSE', 'FROM', 'TO', 'TRANSPORT', 'VERDICT'];
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (r: string[]) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]))).join('  ');
  const failing = verdicts.filter((v) => !v.ok);
  const out = [line(head), ...rows.map(line)];
  out.push('', `${counted(verdicts.length, 'flow')}: ${verdicts.length - failing.length} ok, ${failing.length} blocked`);
  for (const v of failing) for (const f of v.findings) out.push(`  ${f.file}${f.pointer ? `: ${f.pointer}` : ''}: ${f.message}`);
  return `${out.join('\n')}\n`;
}

/** The flow table as JSON: each flow with `ok` and its problems. */
export function flowTableJson(stack: string | undefined, verdicts: ReadonlyArray<FlowVerdict>): string {
  return `${JSON.stringify(
    {
      ...(stack ? { stack } : {}),
      flows: verdicts.map((v) => ({ ...v.flow, ok: v.ok, problems: v.findings.map((f) => ({ file: f.file, pointer: f.pointer, message: f.message })) })),
    },
    null,
    2,
  )}\n`;
}
