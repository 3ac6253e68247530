import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGENT_DEFAULTS, AGENT_ENV } from '../../src/contract/agent-env.js';

const AGENT_DOC = readFileSync(resolve(import.meta.dirname, '../../docs/agent.md'), 'utf8');

/** The row of docs/agent.md's variable table that starts with `name`. */
function docRow(name: string): string {
  const row = AGENT_DOC.split('\n').find((line) => line.startsWith(`| \`${name}\``));
  if (!row) throw new Error(`docs/agent.md has no row for ${name}`);
  return row;
}

describe('AGENT_DEFAULTS: one home for the agent defaults, the same in the docs', () => {
  it.each([
    [AGENT_ENV.rendezvousPort, AGENT_DEFAULTS.rendezvousPort],
    [AGENT_ENV.rendezvousTimeout, AGENT_DEFAULTS.rendezvousTimeoutSeconds],
    [AGENT_ENV.sshPort, AGENT_DEFAULTS.sshPort],
    [AGENT_ENV.protocol, AGENT_DEFAULTS.protocol],
    [AGENT_ENV.slots, AGENT_DEFAULTS.slots],
  ])('given docs/agent.md, then %s is documented with default %s', (name, value) => {
    const cells = docRow(name).split(' | ');
    expect(cells.at(-1)).toContain(`\`${value}\``);
  });

  it('given the spec defaults, then the rendezvous and sshd ports differ (a job with defaults validates)', () => {
    expect(AGENT_DEFAULTS.rendezvousPort).not.toBe(AGENT_DEFAULTS.sshPort);
  });
});
