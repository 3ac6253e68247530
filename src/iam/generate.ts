/**
 * Renders the shipped policy files (registered in scripts/generate.ts) after checking the grants
 * against the code and AWS's reference data: it fails when the code calls an action no grant
 * allows, when a grant allows an action the code never calls, or when an action, resource or
 * condition key is not in the reference. Output goes through Biome so the files pass
 * `biome check` as committed.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { infraGrants } from './grants-infra.js';
import { submitGrants } from './grants-submit.js';
import { grantProblems, neededActions } from './needed.js';
import { allReferenceProblems } from './reference.js';
import { managedPolicies, policyView, ROLE_NAMES, type RoleName, roleProperties } from './roles.js';
import { callsInSource, type FoundCall } from './scan.js';
import { DEFAULT_SCOPE } from './scope.js';

/** The generated file of each role, relative to the repository root. */
export const POLICY_FILES: Readonly<Record<RoleName, string>> = {
  submit: 'iam/submit-policy.json',
  infra: 'iam/infra-policy.json',
  job: 'iam/job-role.json',
  instance: 'iam/instance-role.json',
  execution: 'iam/execution-role.json',
};

function tsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = join(dir, e.name);
    if (e.isDirectory()) return tsFiles(p);
    return e.name.endsWith('.ts') && !e.name.endsWith('.generated.ts') ? [p] : [];
  });
}

/** Every file of `<root>/src` (paths relative to `root`) with its text. */
export function sourceTree(root: string): Map<string, string> {
  return new Map(
    tsFiles(join(root, 'src')).map((file) => [
      relative(root, file).split('\\').join('/'),
      readFileSync(file, 'utf8'),
    ]),
  );
}

/** Every AWS call in `<root>/src`, with paths relative to `root`. */
export function scanSourceTree(root: string): FoundCall[] {
  return [...sourceTree(root)].flatMap(([file, text]) => callsInSource(file, text));
}

/** Everything wrong with the grants for the code under `root` (empty when the policies hold). */
export async function policyProblems(root: string): Promise<string[]> {
  const sources = sourceTree(root);
  const calls = [...sources].flatMap(([file, text]) => callsInSource(file, text));
  const needed = neededActions(calls, sources);
  const unknown = calls
    .filter((c) => c.unknownPackage)
    .map((c) => `${c.file}: ${c.unknownPackage} has no IAM prefix in src/iam/scan.ts`);
  const statements = ROLE_NAMES.flatMap((r) => [
    ...policyView(r, DEFAULT_SCOPE).grants,
    ...policyView(r, { stack: 'x', passRoles: [] }).grants,
  ]);
  return [
    ...unknown,
    ...grantProblems('submit', submitGrants(DEFAULT_SCOPE), needed.submit),
    ...grantProblems('infra', infraGrants(DEFAULT_SCOPE), needed.infra),
    ...(await allReferenceProblems(statements)),
  ];
}

/** `text` formatted as Biome would format the file at `path` (so generated files pass `biome check`). */
export function biomeFormat(root: string, path: string, text: string): string {
  return execFileSync(join(root, 'node_modules/.bin/biome'), ['format', `--stdin-file-path=${path}`], {
    input: text,
    encoding: 'utf8',
    cwd: root,
  });
}

/** Content of each generated policy file, keyed by path; throws when the grants do not hold. */
export async function renderPolicyFiles(root: string): Promise<Record<string, string>> {
  const problems = await policyProblems(root);
  if (problems.length > 0) throw new Error(`IAM policies do not hold:\n  ${problems.join('\n  ')}`);
  const files: Record<string, string> = {};
  for (const name of ROLE_NAMES) {
    const view = policyView(name, DEFAULT_SCOPE);
    const content = view.kind === 'user' ? managedPolicies([view], DEFAULT_SCOPE) : roleProperties(view);
    files[POLICY_FILES[name]] = biomeFormat(
      root,
      POLICY_FILES[name],
      `${JSON.stringify(content, null, 2)}\n`,
    );
  }
  return files;
}
