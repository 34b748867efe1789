#!/usr/bin/env node
'use strict';
let cli;
try {
  cli = require('../build/lib/cli/main.js');
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
cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
