#!/usr/bin/env node
// The only module that touches `process` for the CLI: everything else gets it passed in.
import { exec } from './cli.js';
import { processOutput } from './output.js';

process.exitCode = await exec(process.argv.slice(2), {
  output: processOutput(),
  env: process.env,
  cwd: process.cwd(),
});
