#!/usr/bin/env node
'use strict';
let address;
try {
  address = require('../build/lib/cli/daemon/address.js');
} catch (e) {
  if (e && e.code === 'MODULE_NOT_FOUND') {
    process.stderr.write('edgewatt is not built: run `npm run build` (or `npm ci`, which builds it).\n');
    process.exit(3);
  }
  throw e;
}
// A reader that stops early (`edgewatt schema | head`) closes the pipe: the rest of the output is dropped quietly, as
// Unix tools do, and the command's own exit code stands; any other error of the stream is thrown as before.
for (const stream of [process.stdout, process.stderr]) {
  stream.on('error', (e) => {
    if (!e || (e.code !== 'EPIPE' && e.code !== 'ERR_STREAM_DESTROYED')) throw e;
  });
}
const argv = process.argv.slice(2);
const here = () =>
  require('../build/lib/cli/main.js')
    .main(argv)
    .then((code) => {
      process.exitCode = code;
    });
// `edgewatt synth` of a large stack goes through the synth daemon of this folder (README, CLI, "The synth daemon"),
// which loads nothing of this process's: only its address is worked out here. undefined: none could serve.
let daemon = false;
try {
  daemon = address.wantsDaemon(argv);
} catch {
  // a working folder removed under us, say: the synth in this process reports it
}
if (daemon) {
  require('../build/lib/cli/daemon/client.js')
    .synthThroughDaemon(argv)
    .catch(() => undefined)
    .then((code) => (code === undefined ? here() : (process.exitCode = code)));
} else {
  here();
}
