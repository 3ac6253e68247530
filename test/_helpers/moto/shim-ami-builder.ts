/**
 * The `mnbatch ami bake` builder as EC2 runs it. moto starts no machine: an instance never runs
 * its user data, so it never powers itself off, and GetConsoleOutput always answers the same
 * canned kernel log. On EC2 the builder boots, cloud-init runs the user data (the bake script),
 * the script writes its result marker to the console and powers off, and with
 * InstanceInitiatedShutdownBehavior=stop the instance becomes `stopped`.
 *
 * This correction plays that part for instances whose user data is mnbatch's bake script: at
 * the first DescribeInstances after launch it runs the real user data (ami/ scripts and all)
 * against a sandbox root that looks like an ECS-optimized builder (test/ami/fake-root.ts), with
 * the hooks (package install, grubby, poweroff) recorded instead of run. When the script called
 * the poweroff hook the instance is stopped in moto; GetConsoleOutput of the instance then answers
 * what the script wrote to its console. Tests choose the builder's OS (an unsupported one makes
 * the script fail) or make it hang (`hooks.builder`).
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { makeSandbox, type OsKind } from '../../ami/fake-root.js';
import type { Correction, CorrectionContext, ShimAnswer } from './shim.js';

/** How the simulated builder behaves (`shim.hooks.builder`); default: Amazon Linux 2023, runs to the end. */
export interface BuilderBehaviour {
  /** The OS the builder boots (its /etc/os-release). */
  readonly os?: OsKind;
  /** The user data never finishes: the instance stays running and the console shows no result. */
  readonly hang?: boolean;
}

/** One builder the shim saw launched. */
export interface SimulatedBuilder {
  readonly instanceId: string;
  readonly userData: string;
  /** undefined until it "booted"; then what it wrote to its console and the hooks it called. */
  ran?: {
    readonly console: string;
    readonly hooks: readonly string[];
    readonly code: number | null;
    /** The builder's /etc/fstab after the script. */
    readonly fstab: string;
  };
}

const USER_DATA_MARK = '# mnbatch ami bake: builder user data';
const XMLNS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

/** Runs `userData` as cloud-init would (`sh`), against a sandbox root of `os`. */
function runUserData(userData: string, os: OsKind): NonNullable<SimulatedBuilder['ran']> {
  const box = makeSandbox(os);
  const work = mkdtempSync(join(tmpdir(), 'mnbatch-builder-'));
  try {
    const script = join(work, 'user-data.sh');
    const consoleLog = join(work, 'console.log');
    writeFileSync(script, userData);
    writeFileSync(consoleLog, '');
    // The user data passes "$@" to bake.sh: --root points it at the sandbox instead of /.
    const result = spawnSync('sh', [script, '--root', box.root], {
      env: {
        PATH: process.env.PATH,
        MNBATCH_AMI_WORKDIR: join(work, 'run'),
        MNBATCH_HOOK: join(box.dir, 'hook.sh'),
        MNBATCH_CONSOLE: consoleLog,
      },
      encoding: 'utf8',
      timeout: 30_000,
    });
    let hooks: string[] = [];
    try {
      hooks = readFileSync(join(box.dir, 'hooks.log'), 'utf8').split('\n').filter(Boolean);
    } catch {
      // no hook was called
    }
    return {
      console: readFileSync(consoleLog, 'utf8'),
      hooks,
      code: result.status,
      fstab: readFileSync(join(box.root, 'etc/fstab'), 'utf8'),
    };
  } finally {
    box.cleanup();
    rmSync(work, { recursive: true, force: true });
  }
}

function consoleAnswer(instanceId: string, text: string): ShimAnswer {
  const output = text ? `<output>${Buffer.from(text).toString('base64')}</output>` : '';
  return {
    status: 200,
    contentType: 'text/xml',
    body: `<?xml version="1.0" encoding="UTF-8"?><GetConsoleOutputResponse xmlns="${XMLNS}"><requestId>builder-console</requestId><instanceId>${instanceId}</instanceId><timestamp>${new Date().toISOString()}</timestamp>${output}</GetConsoleOutputResponse>`,
  };
}

async function stopInMoto(ctx: CorrectionContext, instanceId: string): Promise<void> {
  await ctx.moto('ec2', {
    form: { Action: 'StopInstances', Version: '2016-11-15', 'InstanceId.1': instanceId },
  });
}

/** The correction; `builders` lists every builder seen (tests look at what the script did). */
export function amiBuilders(
  behaviour: () => BuilderBehaviour | undefined,
  builders: Map<string, SimulatedBuilder> = new Map(),
): Correction {
  return async (call, ctx) => {
    if (call.service !== 'ec2') return undefined;
    const params = call.params;
    if (call.operation === 'RunInstances') {
      const userData = Buffer.from(String(params.UserData ?? ''), 'base64').toString('utf8');
      if (!userData.includes(USER_DATA_MARK)) return undefined;
      return {
        reply: (answer) => {
          for (const m of answer.body.matchAll(/<instanceId>(i-[0-9a-f]+)<\/instanceId>/g)) {
            const instanceId = m[1] ?? '';
            if (!builders.has(instanceId)) builders.set(instanceId, { instanceId, userData });
          }
          return answer;
        },
      };
    }
    if (call.operation === 'DescribeInstances') {
      for (const [key, id] of Object.entries(params)) {
        const builder = key.startsWith('InstanceId.') ? builders.get(String(id)) : undefined;
        if (!builder || builder.ran) continue;
        const how = behaviour() ?? {};
        if (how.hang) continue;
        builder.ran = runUserData(builder.userData, how.os ?? 'al2023');
        if (builder.ran.hooks.some((h) => h.startsWith('poweroff')))
          await stopInMoto(ctx, builder.instanceId);
      }
      return undefined;
    }
    if (call.operation === 'GetConsoleOutput') {
      const builder = builders.get(String(params.InstanceId ?? ''));
      if (!builder) return undefined;
      return { answer: consoleAnswer(builder.instanceId, builder.ran?.console ?? '') };
    }
    return undefined;
  };
}
