#!/usr/bin/env node
/** `mnbatch-agent <command…>`: the image's ENTRYPOINT. Wires the process (argv, env, signals, exit) to runAgent. */
import { runAgent } from './agent.js';

const handlers: ((signal: NodeJS.Signals) => void)[] = [];
for (const signal of ['SIGTERM', 'SIGINT'] as const) {
  process.on(signal, () => {
    for (const h of handlers) h(signal);
  });
}

const code = await runAgent({
  env: process.env,
  argv: process.argv.slice(2),
  write: (text) => process.stderr.write(text),
  onSignal: (h) => handlers.push(h),
  // The global `performance` (no node:perf_hooks import): its time origin is the process start.
  startedAt: Math.round(performance.timeOrigin),
});
// Leftover sockets or timers must not keep a finished agent alive.
process.stderr.write('', () => process.exit(code));
