import { Command } from 'commander';
import { askDaemon } from '../daemon/client';
import { CliIO } from '../io';

/**
 * `edgewatt daemon status|stop`: the synth daemon of the working folder (lib/cli/daemon), the one `edgewatt synth`
 * run here with this build and environment talks to. Exit 0 either way; `status` says whether one runs.
 */
export function daemonCommand(io: CliIO): Command {
  const command = new Command('daemon').description('the synth daemon of this folder, which `edgewatt synth` of a large stack starts: status, stop');
  const report = async (what: 'status' | 'stop'): Promise<void> => {
    const s = await askDaemon(what);
    if (s === undefined) {
      io.out('no synth daemon runs for this folder\n');
      return;
    }
    const verb = what === 'stop' ? 'stopped the synth daemon' : 'the synth daemon runs';
    io.out(`${verb}: pid ${s.pid}, ${s.synths} ${s.synths === 1 ? 'synth' : 'synths'} in ${s.upSeconds} s, peak RSS ${s.peakRssMiB} MiB\n`);
  };
  command.command('status').description('whether a synth daemon runs for this folder, and its figures').action(() => report('status'));
  command.command('stop').description('stop the synth daemon of this folder (the next `edgewatt synth` of a large stack starts another)').action(() => report('stop'));
  return command;
}
