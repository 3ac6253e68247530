import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import {
  assertUserDataFits,
  type BakeVariables,
  readBakeScripts,
  renderUserData,
  USER_DATA_LIMIT,
  userDataBytes,
} from '../../src/ami/user-data.js';
import { makeSandbox, runBake, type Sandbox, snapshot } from './fake-root.js';

const EVERYTHING: BakeVariables = {
  efs: {
    fileSystemId: 'fs-0123456789abcdef0',
    region: 'ap-southeast-2',
    mountPath: '/shared/project-data/efs',
    mode: 'efs-tls',
  },
  nrCpus: 96,
};

let boxes: Sandbox[] = [];
afterEach(() => {
  for (const b of boxes) b.cleanup();
  boxes = [];
});

describe('builder user data', () => {
  it('embeds every ami/ script and stays under EC2’s 16 KB user-data limit', async () => {
    const scripts = await readBakeScripts();

    const userData = renderUserData(scripts, EVERYTHING);

    expect(scripts.map((s) => s.path)).toEqual([
      'bake.sh',
      'lib/cleanup.sh',
      'lib/cmdline.sh',
      'lib/efs.sh',
      'lib/hooks.sh',
      'lib/os.sh',
    ]);
    for (const s of scripts) expect(userData).toContain(s.content);
    expect(userData.startsWith('#!/bin/sh\n')).toBe(true);
    expect(userDataBytes(userData)).toBeLessThan(USER_DATA_LIMIT);
    expect(() => assertUserDataFits(userData)).not.toThrow();
  });

  it('rejects user data over the limit', () => {
    expect(() => assertUserDataFits('x'.repeat(USER_DATA_LIMIT + 1))).toThrow(/over EC2's limit of 16384/);
  });

  it('when run, bakes exactly what ami/bake.sh run by hand with the same variables does', async () => {
    const scripts = await readBakeScripts();
    const viaUserData = makeSandbox('al2023');
    const byHand = makeSandbox('al2023');
    boxes.push(viaUserData, byHand);
    const file = join(viaUserData.dir, 'user-data');
    writeFileSync(file, renderUserData(scripts, EVERYTHING));

    const result = spawnSync('sh', [file, '--root', viaUserData.root], {
      env: {
        PATH: process.env.PATH,
        MNBATCH_HOOK: join(viaUserData.dir, 'hook.sh'),
        MNBATCH_CONSOLE: '/dev/null',
        MNBATCH_AMI_WORKDIR: join(viaUserData.dir, 'work'),
      },
      encoding: 'utf8',
      timeout: 20_000,
    });
    const manual = runBake(byHand, [
      '--efs-id',
      'fs-0123456789abcdef0',
      '--region',
      'ap-southeast-2',
      '--mount-path',
      '/shared/project-data/efs',
      '--mount-mode',
      'efs-tls',
      '--nr-cpus',
      '96',
      '--poweroff',
    ]);

    expect(result.status, result.stderr).toBe(0);
    expect(manual.code).toBe(0);
    expect(snapshot(viaUserData.root)).toEqual(snapshot(byHand.root));
  });

  it('refuses scripts that would end the embedding early', () => {
    const scripts = [
      { path: 'bake.sh', content: '#!/bin/sh\n' },
      { path: 'lib/x.sh', content: 'echo\nMNBATCH_AMI_EOF\n' },
    ];
    expect(() => renderUserData(scripts, { nrCpus: 'keep' })).toThrow(/contains the line MNBATCH_AMI_EOF/);
  });

  it('refuses a package without ami/bake.sh', () => {
    expect(() => renderUserData([{ path: 'lib/os.sh', content: '' }], { nrCpus: 4 })).toThrow(
      /ami\/bake.sh is missing/,
    );
  });
});
