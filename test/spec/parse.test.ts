import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { AGENT_DEFAULTS } from '../../src/contract/agent-env.js';
import { jobJsonSchema, loadJobSpec, parseJobSpec } from '../../src/spec/index.js';
import { jobSchemaText } from '../../src/spec/json-schema.js';
import { closest, editDistance } from '../../src/spec/suggest.js';

const MINIMAL = 'name: demo\nimage: demo:1\nnodes: 4\nresources: { vcpus: 2, memory: 2GiB }\n';

describe('parseJobSpec', () => {
  it('applies the documented defaults', () => {
    // Given the smallest valid job / When it is parsed
    const spec = parseJobSpec(MINIMAL, 'job.yaml');

    // Then every optional part has its default
    expect(spec).toEqual({
      name: 'demo',
      image: 'demo:1',
      nodes: 4,
      mainNode: 0,
      resources: { vcpus: 2, memory: 2048, gpus: 0 },
      environment: {},
      mpi: { implementation: 'auto', slotsPerNode: 'auto', args: [], env: {} },
      launch: 'mpirun',
      exec: false,
      volumes: [],
      efa: 'off',
      ulimits: {},
      retries: { attempts: 1, on: 'infrastructure' },
      tags: {},
      propagateTags: false,
      rendezvous: { timeout: AGENT_DEFAULTS.rendezvousTimeoutSeconds, port: AGENT_DEFAULTS.rendezvousPort },
      ssh: { port: AGENT_DEFAULTS.sshPort },
    });
  });

  it('normalizes commands, scalars, durations, sizes and EFS defaults', () => {
    const spec = parseJobSpec(
      `${MINIMAL}command: echo hi && hostname\nenvironment: { N: 3, B: true }\ntimeout: 2h\nsharedMemory: 1GiB\nefs: { fileSystemId: fs-12345678 }\nbuild: {}\n`,
      'job.yaml',
    );
    expect(spec.command).toEqual(['/bin/sh', '-c', 'echo hi && hostname']);
    expect(spec.environment).toEqual({ N: '3', B: 'true' });
    expect(spec.timeout).toBe(7200);
    expect(spec.sharedMemory).toBe(1024);
    expect(spec.efs).toEqual({ fileSystemId: 'fs-12345678', mountPath: '/efs' });
    expect(spec.build).toEqual({ context: '.', args: {} });
  });

  it('throws SPEC_INVALID with one detail line per problem, sorted by position', () => {
    const text = 'name: demo\nimage: demo:1\nnodes: 1\nresources: { vcpus: 0, memory: 2GiB }\nlaunch: all\n';
    expect(() => parseJobSpec(text, 'bad.yaml')).toThrow(
      expect.objectContaining({
        code: 'SPEC_INVALID',
        message: 'bad.yaml: 3 problems',
        details: [
          'bad.yaml:3:8: nodes: must be at least 2',
          'bad.yaml:4:21: resources.vcpus: must be at least 1',
          'bad.yaml:5:9: launch: must be one of: mpirun, each, main (got "all")',
        ],
      }),
    );
  });
  it.each(['my_stack', '1stack', `s${'x'.repeat(40)}`])(
    'refuses stack: %s, a name infra up and the CloudFormation template would refuse',
    (name) => {
      expect(() => parseJobSpec(`${MINIMAL}stack: ${name}\n`, 'job.yaml')).toThrow(
        expect.objectContaining({
          details: [
            'job.yaml:5:8: stack: must be a stack name: must start with a letter and have at most 40 letters, digits and hyphens',
          ],
        }),
      );
    },
  );

  it('takes a stack name of 40 characters', () => {
    expect(parseJobSpec(`${MINIMAL}stack: s${'x'.repeat(39)}\n`, 'job.yaml').stack).toBe(
      `s${'x'.repeat(39)}`,
    );
  });
});

describe('loadJobSpec', () => {
  it('reads the file and gives its folder for build.context', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mnbatch-spec-'));
    const file = join(dir, 'job.yaml');
    writeFileSync(file, MINIMAL);
    const loaded = await loadJobSpec(file);
    expect(loaded).toMatchObject({ file, dir, spec: { name: 'demo' } });
  });

  it('says clearly when the file does not exist', async () => {
    await expect(loadJobSpec('/nonexistent/job.yaml')).rejects.toThrow(
      '/nonexistent/job.yaml: cannot read: no such file',
    );
  });
});

describe('suggestions', () => {
  it('measures edit distance case-insensitively', () => {
    expect(editDistance('instancetype', 'instanceType')).toBe(0);
    expect(editDistance('slotPerNode', 'slotsPerNode')).toBe(1);
    expect(editDistance('', 'abc')).toBe(3);
  });

  it('suggests only close keys', () => {
    expect(closest('memroy', ['vcpus', 'memory', 'gpus'])).toBe('memory');
    expect(closest('zzzzzz', ['port'])).toBeUndefined();
  });
});

describe('JSON Schema', () => {
  it('is the committed job.schema.json, with descriptions and no unknown keys', () => {
    const committed = readFileSync(join(import.meta.dirname, '../../job.schema.json'), 'utf8');
    expect(jobSchemaText()).toBe(committed);
    const schema = jobJsonSchema() as {
      additionalProperties: boolean;
      required: string[];
      properties: Record<string, { description?: string }>;
    };
    expect(schema.additionalProperties).toBe(false);
    expect(schema.required).toEqual(expect.arrayContaining(['name', 'image', 'nodes', 'resources']));
    for (const [key, prop] of Object.entries(schema.properties)) expect(prop.description, key).toBeTruthy();
  });
});
