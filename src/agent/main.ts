#!/usr/bin/env node
/** `mnbatch-agent <command…>`: the image's ENTRYPOINT. Wires the process (argv, env, signals, exit) to runAgent. */
import { SECRET_AGENT_ENV } from '../contract/agent-env.js';
import { runAgent } from './agent.js';
import { createSignalRelay } from './signals.js';

// Handling SIGTERM turns off Node's default exit: a signal that comes before the agent's handlers
// must reach them once they register, or a TerminateJob that early would be ignored until SIGKILL.
const signals = createSignalRelay();
for (const signal of ['SIGTERM', 'SIGINT'] as const) process.on(signal, () => signals.emit(signal));

// The agent reads the token (or the stack's key) from its copy; sshd and every other process it
// starts inherit process.env, which must not carry the rendezvous secret to the job's programs.
const env = { ...process.env };
for (const name of SECRET_AGENT_ENV) delete process.env[name];

const code = await runAgent({
  env,
  argv: process.argv.slice(2),
  write: (text) => process.stderr.write(text),
  onSignal: (h) => signals.onSignal(h),
  // The global `performance` (no node:perf_hooks import): its time origin is the process start.
  startedAt: Math.round(performance.timeOrigin),
});
// Leftover sockets or timers must not keep a finished agent alive.
process.stderr.write('', () => process.exit(code));
