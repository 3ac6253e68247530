import type { DoctorDeps, DoctorFlags } from '../../doctor/command.js';
import { withJsonOutput } from '../output-format.js';
import type { RegisterCommand } from '../register.js';
import { action } from '../register.js';
import { withAwsOptions } from './submit.js';

/** `mnbatch doctor [-f infra.yaml] [job.yaml]`, with test overrides (services) when given. */
export function registerDoctor(overrides: Pick<DoctorDeps, 'services'> = {}): RegisterCommand {
  return (program, ctx) => {
    withJsonOutput(
      withAwsOptions(
        program
          .command('doctor')
          .description(
            'check, read-only, everything a job needs before it is submitted; every problem with its fix',
          )
          .argument('[job]', 'job file: also check that its queue can run it')
          .option(
            '-f, --file <infra.yaml>',
            'stack settings: also check the network, quota, instance types and stack',
          ),
      ),
      'the checks',
    ).action(
      action(ctx, async (job: string | undefined, flags: DoctorFlags) => {
        const [{ doctorCommand }, { planFile }] = await Promise.all([
          import('../../doctor/command.js'),
          import('../../jobs/job-file.js'),
        ]);
        return doctorCommand(ctx, job, flags, {
          ...overrides,
          planJob: async (file) => ({ file, ...(await planFile(file, {}, ctx)) }),
        });
      }),
    );
  };
}

/** `mnbatch doctor`. */
export const register: RegisterCommand = registerDoctor();
