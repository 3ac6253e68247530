import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { exec } from '../../src/cli/cli.js';
import { memoryOutput } from '../../src/ui/output.js';

describe('mnbatch schema', () => {
  it('prints the committed job.schema.json', async () => {
    const output = memoryOutput();
    const code = await exec(['schema'], { output });
    expect(code).toBe(0);
    const committed = readFileSync(join(import.meta.dirname, '../../job.schema.json'), 'utf8');
    expect(`${output.stdout.join('\n')}\n`).toBe(committed);
    expect(JSON.parse(committed).properties.nodes).toMatchObject({
      type: 'integer',
      minimum: 2,
      maximum: 1000,
    });
  });
});
