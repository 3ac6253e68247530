import { execFileSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { infraConfigSchema } from '../../src/infra/config.js';
import {
  efaDriverScript,
  efsMountScript,
  hyperthreadingOffScript,
  mimeMultipart,
  stackUserData,
} from '../../src/infra/user-data.js';

const base = {
  stack: 's',
  vpcId: 'vpc-0abc',
  subnetId: 'subnet-0abc',
  instanceTypes: ['c5n.18xlarge'],
  maxVcpus: 72,
};

/** Syntax-checks a shell script with bash itself. */
const bashSyntax = (script: string) => execFileSync('bash', ['-n'], { input: script, encoding: 'utf8' });

describe('launch template user data', () => {
  it('is MIME multipart: header, one text/x-shellscript part per script, closing boundary', () => {
    const text = mimeMultipart(['#!/bin/bash\necho a\n', '#!/bin/bash\necho b\n']) ?? '';
    const boundary = /boundary="([^"]+)"/.exec(text)?.[1];
    expect(text.startsWith('MIME-Version: 1.0\nContent-Type: multipart/mixed; boundary="')).toBe(true);
    expect(
      text.split(`--${boundary}\nContent-Type: text/x-shellscript; charset="us-ascii"\n\n`),
    ).toHaveLength(3);
    expect(text.trimEnd().endsWith(`--${boundary}--`)).toBe(true);
  });

  it('is absent when the instances need nothing at boot', () => {
    expect(stackUserData(infraConfigSchema.parse(base), undefined)).toBeUndefined();
  });

  it('holds the hyper-threading, EFA and EFS scripts when they are asked for', () => {
    const config = infraConfigSchema.parse({
      ...base,
      hyperthreading: 'offViaUserData',
      efa: true,
      efsMountPoint: '/shared',
    });
    const text = stackUserData(config, 'fs-0123') ?? '';
    expect(text).toContain(hyperthreadingOffScript());
    expect(text).toContain(efaDriverScript());
    expect(text).toContain(efsMountScript('fs-0123', '/shared'));
  });

  it('has scripts bash accepts', () => {
    expect(() => bashSyntax(hyperthreadingOffScript())).not.toThrow();
    expect(() => bashSyntax(efsMountScript('fs-0123', '/efs'))).not.toThrow();
    expect(() => bashSyntax(efaDriverScript())).not.toThrow();
  });

  it('mounts EFS with the NFS options AWS recommends, only when nothing is mounted there yet', () => {
    const script = efsMountScript('fs-0123', '/efs');
    expect(script).toContain('if ! mountpoint -q /efs; then');
    expect(script).toContain(
      'fs-0123.efs.$region.amazonaws.com:/ /efs nfs4 nfsvers=4.1,rsize=1048576,wsize=1048576,hard,timeo=600,retrans=2,noresvport,_netdev 0 0',
    );
    expect(script).toContain('grep -q " /efs " /etc/fstab ||');
  });
});
