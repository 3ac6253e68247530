#!/usr/bin/env node
import { processOutput } from '../ui/output.js';
// The only module that touches `process` for the CLI: everything else gets it passed in.
import { exec } from './cli.js';

// First Ctrl-C / SIGTERM: ask the running command to stop and clean up. Second: leave now,
// unless the command claimed the second one (run --local kills its containers first); third: leave.
const interrupt = new AbortController();
const force = new AbortController();
let forceClaimed = false;
const onSignal = (signal: NodeJS.Signals) => {
  if (force.signal.aborted || (interrupt.signal.aborted && !forceClaimed)) {
    process.exit(signal === 'SIGINT' ? 130 : 143);
  }
  if (interrupt.signal.aborted) force.abort(signal);
  else interrupt.abort(signal);
};
process.on('SIGINT', onSignal);
process.on('SIGTERM', onSignal);

// stdout closed by its reader (`mnbatch list | head -1`): nothing more is written there, and a
// command still running is asked to stop as on Ctrl-C; the run ends quietly with its status.
let stdoutClosed = false;
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code !== 'EPIPE') throw e;
  stdoutClosed = true;
  if (!interrupt.signal.aborted) interrupt.abort('SIGPIPE');
});
const output = processOutput(() => stdoutClosed);

process.exitCode = await exec(process.argv.slice(2), {
  output,
  env: process.env,
  cwd: process.cwd(),
  signal: interrupt.signal,
  interactive: Boolean(process.stdin.isTTY && process.stdout.isTTY),
  force: {
    signal: force.signal,
    claim: () => {
      forceClaimed = true;
    },
  },
});
process.off('SIGINT', onSignal);
process.off('SIGTERM', onSignal);
