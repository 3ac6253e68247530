/**
 * Writes the files generated from code (JSON Schema of job.yaml, IAM policies, ...), or with
 * `--check` fails when a committed one differs from what the code generates now.
 */
import { readFileSync, writeFileSync } from 'node:fs';

/** One generated file: its path from the repository root and how to make its content. */
export interface Generated {
  readonly path: string;
  readonly render: () => Promise<string>;
}

const generated: Generated[] = [
  {
    path: 'job.schema.json',
    render: async () => (await import('../src/spec/json-schema.js')).jobSchemaText(),
  },
  ...[
    'iam/submit-policy.json',
    'iam/infra-policy.json',
    'iam/job-role.json',
    'iam/instance-role.json',
    'iam/execution-role.json',
  ].map((path) => ({
    path,
    render: async () => (await (await import('../src/iam/generate.js')).renderPolicyFiles('.'))[path] ?? '',
  })),
  {
    path: 'templates/compute-environment.json',
    render: async () =>
      (await import('../src/iam/generate.js')).biomeFormat(
        '.',
        'templates/compute-environment.json',
        `${JSON.stringify((await import('../src/infra/request-templates.js')).computeEnvironmentTemplate(), null, 2)}\n`,
      ),
  },
  {
    path: 'templates/job-queue.json',
    render: async () =>
      (await import('../src/iam/generate.js')).biomeFormat(
        '.',
        'templates/job-queue.json',
        `${JSON.stringify((await import('../src/infra/request-templates.js')).jobQueueTemplate(), null, 2)}\n`,
      ),
  },
];

const check = process.argv.includes('--check');
let stale = 0;
for (const g of generated) {
  const want = await g.render();
  let have: string | undefined;
  try {
    have = readFileSync(g.path, 'utf8');
  } catch {
    have = undefined;
  }
  if (have === want) continue;
  if (check) {
    process.stderr.write(`${g.path} is not current: run 'npm run generate' and commit it\n`);
    stale++;
  } else {
    writeFileSync(g.path, want);
    process.stderr.write(`wrote ${g.path}\n`);
  }
}
process.exitCode = stale > 0 ? 1 : 0;
