/**
 * Golden plans of every example: the printed requests are compared with
 * test/_fixtures/plan/<example>.json (regenerate with UPDATE_GOLDEN=1), and every request is
 * checked against the official AWS Batch service model. Instance facts come from a fixed set of
 * real DescribeInstanceTypes answers (test/_helpers/instance-types.ts), as submit gets them.
 */
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { planJobText, RENDEZVOUS_PLACEHOLDER } from '../../src/plan/index.js';
import { assertValidRequest } from '../_helpers/aws-model.js';
import { fixtureInstances } from '../_helpers/instance-types.js';

const root = join(import.meta.dirname, '../..');
const goldenDir = join(import.meta.dirname, '../_fixtures/plan');
const update = process.env.UPDATE_GOLDEN === '1';

/** Job files in examples/*.yaml and examples/<dir>/job.yaml, named by file or folder. */
function examples(): { name: string; file: string }[] {
  const dir = join(root, 'examples');
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => {
      if (e.isFile() && e.name.endsWith('.yaml')) {
        return [{ name: e.name.replace(/\.yaml$/, ''), file: `examples/${e.name}` }];
      }
      if (e.isDirectory() && existsSync(join(dir, e.name, 'job.yaml'))) {
        return [{ name: e.name, file: `examples/${e.name}/job.yaml` }];
      }
      return [];
    })
    .sort((a, b) => a.name.localeCompare(b.name));
}

describe('example plans', () => {
  it('covers the examples the issue asks for', () => {
    expect(examples().map((e) => e.name)).toEqual(
      expect.arrayContaining(['hello-mpi', 'efs-efa', 'gpu', 'torchrun-each']),
    );
  });

  it.each(examples())(
    '$name plans as its golden file says and as the Batch API accepts',
    ({ name, file }) => {
      // Given an example job file
      const text = readFileSync(join(root, file), 'utf8');

      // When it is planned the way `mnbatch plan` prints it, with EC2's facts of its instance type
      const { plan } = planJobText(
        text,
        file,
        { rendezvous: RENDEZVOUS_PLACEHOLDER, version: '0.0.0-golden', instances: fixtureInstances() },
        false,
      );
      expect(plan.unresolved).toEqual([]);
      const printed = `${JSON.stringify({ registerJobDefinition: plan.registerJobDefinition, submitJob: plan.submitJob }, null, 2)}\n`;

      // Then both requests are valid Batch requests
      assertValidRequest('batch', 'RegisterJobDefinition', plan.registerJobDefinition);
      assertValidRequest('batch', 'SubmitJob', plan.submitJob);
      // And they are what the golden file holds
      const golden = join(goldenDir, `${name}.json`);
      if (update || !existsSync(golden)) {
        expect(
          update,
          `${golden} is missing: run UPDATE_GOLDEN=1 npx vitest run test/plan/examples-golden.test.ts`,
        ).toBe(true);
        writeFileSync(golden, printed);
      }
      expect(printed).toBe(readFileSync(golden, 'utf8'));
    },
  );
});
