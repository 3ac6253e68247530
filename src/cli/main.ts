#!/usr/bin/env node
// The only module that touches `process` for the CLI: everything else gets it passed in.
import { exec } from './cli.js';
import { processOutput } from './output.js';

// First Ctrl-C / SIGTERM: ask the running command to stop and clean up. Second: leave now.
const interrupt = new AbortController();
const onSignal = (signal: NodeJS.Signals) => {
  if (interrupt.signal.aborted) process.exit(signal === 'SIGINT' ? 130 : 143);
  interrupt.abort(signal);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

process.exitCode = await exec(process.argv.slice(2), {
  output: processOutput(),
  env: process.env,
  cwd: process.cwd(),
  signal: interrupt.signal,
});
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);
