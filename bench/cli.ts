/**
 * `edgewatt synth` of a bench stack written as stack.yaml, in a process of its own as a user runs it:
 * `node build/bench/cli.js <stack.yaml> <out folder> <k8s-openapi> <crds>`. Prints one JSON line: the wall clock
 * from this process's start (module loading, reading stack.yaml, the synth, the write), the peak RSS, and how many
 * charts and flow verdicts the synth reused (a process of its own reuses only what the output folder's charts.json and
 * flows.json hold).
 */
import * as path from 'path';
import { CliIO } from '../lib/cli/io';
import { main } from '../lib/cli/main';
import { chartReuseStats } from '../lib/synth/chart-reuse';
import { flowReuseStats } from '../lib/validate/flows/reuse';

const [stack, out, k8s, crds] = process.argv.slice(2);
const quiet: CliIO = { out: () => undefined, err: (s) => void process.stderr.write(s) };
void main(['synth', '-c', stack, '-o', out, '--k8s-openapi', k8s, '--crds', crds], quiet).then((code) => {
  const wallSeconds = performance.now() / 1000;
  console.log(JSON.stringify({ code, wallSeconds: +wallSeconds.toFixed(2), peakRssMiB: Math.round(process.resourceUsage().maxRSS / 1024), chartsReused: chartReuseStats().reused, flowsReused: flowReuseStats().reused, stack: path.basename(stack) }));
  process.exitCode = code;
});
