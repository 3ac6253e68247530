/** The bodies of `mnbatch plan` and `mnbatch validate`: job files in, lines out, no AWS call. */
import { EXIT } from '../contract/exit-codes.js';
import type { CliContext } from '../ui/context.js';
import { loadJobFile, type PlanFlags } from './job-file.js';
import { formatPlan } from './print-plan.js';

/** Prints the plan of `file` (what `plan` and `submit --dry-run` show); calls no AWS API. */
export async function printPlan(
  file: string,
  flags: PlanFlags & { readonly push?: boolean },
  ctx: CliContext,
): Promise<number> {
  const { cachedKnowledge } = await import('./instance-knowledge.js');
  const { plan, spec, dir } = await loadJobFile(file, flags, ctx, { instances: cachedKnowledge(ctx) });
  for (const line of formatPlan(plan, { json: flags.json ?? false })) ctx.output.out(line);
  for (const note of plan.unresolved) ctx.output.err(`note: ${note}`);
  if (flags.json) return 0;
  const [{ describeImages }, { jobImageOf }] = await Promise.all([
    import('../image/describe.js'),
    import('../image/pin.js'),
  ]);
  const images = (plan.registerJobDefinition.nodeProperties?.nodeRangeProperties ?? []).map(
    (r) => r.container?.image ?? '',
  );
  ctx.output.out('');
  ctx.output.out('Images');
  for (const line of describeImages(jobImageOf(spec, dir, flags.push ?? true), images)) ctx.output.out(line);
  return 0;
}

/** One line per valid file, one line per problem of the others; 0 only when all are valid. */
export async function validateFiles(files: readonly string[], ctx: CliContext): Promise<number> {
  const [{ isMnbatchError }, { cachedKnowledge }] = await Promise.all([
    import('../errors.js'),
    import('./instance-knowledge.js'),
  ]);
  const instances = cachedKnowledge(ctx);
  let invalid = 0;
  for (const file of files) {
    try {
      const { spec, plan } = await loadJobFile(file, {}, ctx, { requireQueue: false, instances });
      const nodes = `${spec.nodes} nodes × ${spec.instanceType ?? 'any instance type'}`;
      ctx.output.out(`${file}: ok — ${nodes}, ${spec.mpi.implementation}, launch ${spec.launch}`);
      for (const note of plan.unresolved) ctx.output.out(`${file}: note: ${note}`);
    } catch (e) {
      if (!isMnbatchError(e)) throw e;
      invalid++;
      if (e.details.length > 0) for (const line of e.details) ctx.output.out(line);
      else ctx.output.out(e.message);
    }
  }
  if (files.length > 1 && invalid > 0) ctx.output.err(`${invalid} of ${files.length} files invalid`);
  return invalid > 0 ? EXIT.invalidInput : EXIT.success;
}
