/**
 * Runs every check that the given files allow, all of them even when some fail, so one run
 * names every problem. A check whose call is not allowed is skipped with a note; one whose call
 * fails otherwise fails with AWS's message. Without working credentials only the checks that
 * need no AWS call run.
 */
import { AWS_ERROR, isAwsError } from '../aws/errors.js';
import { isMnbatchError } from '../errors.js';
import {
  executionPolicyCheck,
  identityCheck,
  permissionsCheck,
  regionCheck,
  serviceLinkedRoleCheck,
} from './checks-account.js';
import { amiCheck, architectureCheck, efaCheck, offeringsCheck, quotaCheck } from './checks-compute.js';
import { routeCheck, subnetCheck } from './checks-network.js';
import { jobCheck, plannedJobNeeds, stackCheck } from './checks-stack.js';
import { type DoctorFacts, type DoctorInput, doctorFacts } from './input.js';
import { type CheckResult, fail, skip } from './report.js';
import type { DoctorServices } from './services.js';

/** A check by name, and how to run it. */
interface NamedCheck {
  readonly name: string;
  readonly run: () => Promise<CheckResult>;
}

/** The result of `check`, or what its error says. */
async function settle(check: NamedCheck): Promise<CheckResult> {
  try {
    return await check.run();
  } catch (e) {
    // One line: SDK messages can carry a second line of advice for SDK users.
    const message = (e instanceof Error ? e.message : String(e)).split('\n')[0] ?? '';
    if (isAwsError(e, AWS_ERROR.accessDenied))
      return skip(
        check.name,
        `not checked: ${message}`,
        'allow the action to run this check (`mnbatch iam-policy --infra`)',
      );
    const why = isMnbatchError(e) && e.details.length > 0 ? ` (${e.details.join('; ')})` : '';
    const fix = isAwsError(e, AWS_ERROR.credentials)
      ? 'log in again, or choose other credentials with --profile / AWS_PROFILE'
      : isAwsError(e, AWS_ERROR.throttled)
        ? 'wait a minute and run doctor again'
        : 'AWS answered with this error: check the service in this region, then run doctor again';
    return fail(check.name, `${message}${why}`, fix);
  }
}

/** The checks of `input`, in report order. */
function awsChecksOf(services: DoctorServices, input: DoctorInput, facts: DoctorFacts): NamedCheck[] {
  const { infra, job } = input;
  const checks: NamedCheck[] = [
    { name: 'permissions', run: () => permissionsCheck(services, input, facts) },
    { name: 'service-linked-role', run: () => serviceLinkedRoleCheck(services) },
  ];
  if (infra) {
    const jobVcpus = job ? plannedJobNeeds(job).totalVcpus : undefined;
    checks.push(
      { name: 'subnet', run: () => subnetCheck(services, infra, facts) },
      { name: 'route', run: async () => routeCheck(services, infra, await facts.subnet()) },
      { name: 'quota', run: () => quotaCheck(services, infra, jobVcpus) },
      { name: 'instance-types', run: async () => offeringsCheck(services, infra, await facts.subnet()) },
      { name: 'efa', run: () => efaCheck(infra, facts) },
      { name: 'architecture', run: () => architectureCheck(facts) },
      { name: 'ami', run: () => amiCheck(services, infra, facts) },
      { name: 'stack', run: () => stackCheck(services, infra.stack, input.infraFile ?? 'infra.yaml') },
    );
    if (infra.roles.create)
      checks.push({ name: 'execution-policy', run: () => executionPolicyCheck(services, infra, facts) });
  }
  if (job) checks.push({ name: 'job', run: () => jobCheck(services, job) });
  return checks;
}

/** Every check's result in report order; without a working identity the AWS checks are skipped. */
export async function runChecks(services: DoctorServices, input: DoctorInput): Promise<CheckResult[]> {
  const facts = doctorFacts(services, input);
  const identity = await settle({ name: 'identity', run: () => identityCheck(input, facts) });
  const results: CheckResult[] = [identity, regionCheck(services, input)];
  const working = await facts.identity().then(
    () => true,
    () => false,
  );
  for (const check of awsChecksOf(services, input, facts))
    results.push(
      working
        ? await settle(check)
        : skip(check.name, 'not checked: no working AWS credentials (see identity)'),
    );
  return results;
}
