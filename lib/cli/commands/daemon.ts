import { Command } from 'commander';
import { askAllDaemons, askDaemon } from '../daemon/client';
import type { DaemonState } from '../daemon/protocol';
import { CliIO } from '../io';

/**
 * `edgewatt daemon status|stop [--all]`: the synth daemon of the working folder (lib/cli/daemon), the one `edgewatt
 * synth` run here with this build and environment talks to; with --all, every daemon of this user (of other folders,
 * and those an earlier build or environment started, which exit once idle). Exit 0 either way.
 */
export function daemonCommand(io: CliIO): Command {
  const command = new Command('daemon').description('the synth daemon of this folder, which `edgewatt synth` of a large stack starts: status, stop');
  const figures = (s: DaemonState) => `pid ${s.pid}, ${s.synths} ${s.synths === 1 ? 'synth' : 'synths'} in ${s.upSeconds} s, peak RSS ${s.peakRssMiB} MiB`;
  const report = async (what: 'status' | 'stop', all: boolean): Promise<void> => {
    const verb = what === 'stop' ? 'stopped the synth daemon' : 'the synth daemon runs';
    if (all) {
      const states = await askAllDaemons(what);
      io.out(states.length === 0 ? 'no synth daemon runs\n' : states.map((s) => `${verb}: ${figures(s)}\n`).join(''));
      return;
    }
    const s = await askDaemon(what);
    io.out(s === undefined ? 'no synth daemon runs for this folder with this build and environment (--all: any of yours)\n' : `${verb}: ${figures(s)}\n`);
  };
  const all = '--all';
  const allHelp = 'every synth daemon of this user, of any folder, build or environment';
  command
    .command('status')
    .description('whether a synth daemon runs for this folder, and its figures (a daemon busy with a synth answers once it has ended)')
    .option(all, allHelp)
    .action((o: { all?: boolean }) => report('status', o.all === true));
  command
    .command('stop')
    .description('stop the synth daemon of this folder (the next `edgewatt synth` of a large stack starts another)')
    .option(all, allHelp)
    .action((o: { all?: boolean }) => report('stop', o.all === true));
  return command;
}
