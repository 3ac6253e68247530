import { withJsonOutput } from '../output-format.js';
import type { RegisterCommand } from '../register.js';
import { action } from '../register.js';

/** `mnbatch schema`: prints the JSON Schema of job.yaml (the committed job.schema.json). */
export const register: RegisterCommand = (program, ctx) => {
  withJsonOutput(
    program.command('schema').description('print the JSON Schema of job.yaml (for editors)'),
    'the schema (its only form)',
  ).action(
    action(ctx, async () => {
      const { jobSchemaText } = await import('../../spec/json-schema.js');
      ctx.output.out(jobSchemaText().trimEnd());
      return 0;
    }),
  );
};
