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
cli.main(process.argv.slice(2)).then((code) => {
  process.exitCode = code;
});
