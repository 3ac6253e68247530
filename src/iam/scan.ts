/**
 * Finds the AWS API calls in source code: every `new <Name>Command(` whose class is imported
 * from an `@aws-sdk/client-*` package becomes the IAM action `<service>:<Name>`. The policy is
 * generated from this scan, and a test runs it over src/ so a new call cannot miss its action.
 */

/** IAM service prefix of each SDK client package. */
export const IAM_PREFIX: Readonly<Record<string, string>> = {
  '@aws-sdk/client-batch': 'batch',
  '@aws-sdk/client-cloudwatch-logs': 'logs',
  '@aws-sdk/client-ec2': 'ec2',
  '@aws-sdk/client-efs': 'elasticfilesystem',
  '@aws-sdk/client-iam': 'iam',
  '@aws-sdk/client-service-quotas': 'servicequotas',
  '@aws-sdk/client-ssm': 'ssm',
  '@aws-sdk/client-sts': 'sts',
  '@aws-sdk/client-ecr': 'ecr',
  '@aws-sdk/client-s3': 's3',
};

/** One API call found in a file. */
export interface FoundCall {
  readonly file: string;
  /** e.g. `batch:SubmitJob`. */
  readonly action: string;
  /** Set when the command's package has no known IAM prefix (the test fails on it). */
  readonly unknownPackage?: string;
  /** In an adapter (src/aws): the adapter method that sends it, e.g. `submitJob`. */
  readonly method?: string;
}

const IMPORT = /import\s+(type\s+)?(\{[^}]*\}|\*\s+as\s+\w+)\s+from\s+['"](@aws-sdk\/client-[\w-]+)['"]/g;
const NEW_CALL = /new\s+(?:(\w+)\.)?(\w+)\s*\(/g;
/** A method of an adapter's returned object: `    name(`, `    async name(` or `    name: (`. */
const METHOD = /^ {4}(?:async\s+)?(\w+)(?:\s*\(|:\s*(?:async\s*)?\()/gm;

/** The adapter method whose body holds offset `at` (the last method head before it). */
function methodAt(text: string, at: number): string | undefined {
  let name: string | undefined;
  for (const m of text.matchAll(METHOD)) {
    if ((m.index ?? 0) > at) break;
    name = m[1];
  }
  return name;
}

/** Which SDK package each imported name (or namespace) comes from. */
function importedFrom(text: string): {
  names: Map<string, { pkg: string; original: string }>;
  namespaces: Map<string, string>;
} {
  const names = new Map<string, { pkg: string; original: string }>();
  const namespaces = new Map<string, string>();
  for (const m of text.matchAll(IMPORT)) {
    const [, typeOnly, clause = '', pkg = ''] = m;
    if (typeOnly) continue;
    if (clause.startsWith('*')) {
      namespaces.set(clause.split(/\s+/).at(-1) ?? '', pkg);
      continue;
    }
    for (const part of clause.slice(1, -1).split(',')) {
      const spec = part.trim();
      if (!spec || spec.startsWith('type ')) continue;
      const [orig = '', alias] = spec.split(/\s+as\s+/);
      names.set((alias ?? orig).trim(), { pkg, original: orig.trim() });
    }
  }
  return { names, namespaces };
}

/** An SDK adapter (src/aws): its calls count only where other code calls the method that sends them. */
export function isAdapterFile(file: string): boolean {
  return /(^|\/)src\/aws\//.test(file);
}

/** The API calls of one source file. */
export function callsInSource(file: string, text: string): FoundCall[] {
  const { names, namespaces } = importedFrom(text);
  const out: FoundCall[] = [];
  for (const m of text.matchAll(NEW_CALL)) {
    const [, ns, local = ''] = m;
    const imported = ns ? { pkg: namespaces.get(ns), original: local } : names.get(local);
    const pkg = imported?.pkg;
    if (!pkg || !imported.original.endsWith('Command')) continue;
    const base = imported.original.slice(0, -'Command'.length);
    const prefix = IAM_PREFIX[pkg];
    const call: FoundCall = prefix
      ? { file, action: `${prefix}:${base}` }
      : { file, action: `?:${base}`, unknownPackage: pkg };
    const method = isAdapterFile(file) ? methodAt(text, m.index ?? 0) : undefined;
    out.push(method ? { ...call, method } : call);
  }
  return out;
}
