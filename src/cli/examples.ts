/**
 * The examples every command's `--help` ends with, by command path. One place, so they are read
 * (and kept true) together; the CLI test checks that every command has some.
 */
export const EXAMPLES: Readonly<Record<string, readonly string[]>> = {
  validate: ['mnbatch validate job.yaml', 'mnbatch validate examples/*.yaml'],
  plan: ['mnbatch plan job.yaml', 'mnbatch plan job.yaml --nodes 8 --json'],
  submit: [
    'mnbatch submit job.yaml --wait',
    'mnbatch submit job.yaml --nodes 16 --follow',
    'mnbatch submit job.yaml --dry-run',
  ],
  status: ['mnbatch status 6b1c7d2e-…', 'mnbatch status hello-mpi --wait'],
  logs: [
    'mnbatch logs 6b1c7d2e-…',
    'mnbatch logs 6b1c7d2e-… --node 2 --follow',
    'mnbatch logs hello-mpi --node all --since 10m --timestamps',
    'mnbatch logs hello-mpi --tail 50',
    'mnbatch logs hello-mpi --node all --follow --timestamps',
  ],
  cancel: ['mnbatch cancel 6b1c7d2e-… --reason "wrong input"'],
  exec: [
    'mnbatch exec --local hello-mpi',
    'mnbatch exec --local 3f2a9c1d --node 1 -- cat /etc/hosts',
    'mnbatch exec hello-mpi --node 2',
    'mnbatch exec 6b1c7d2e-… --print -- nvidia-smi',
  ],
  list: ['mnbatch list', 'mnbatch list --status RUNNABLE --json'],
  run: [
    'mnbatch run --local examples/hello-mpi/job.yaml --nodes 4',
    'mnbatch run --local job.yaml --keep --grace 60',
    'mnbatch run --cleanup',
  ],
  image: ['mnbatch image push job.yaml'],
  'image push': ['mnbatch image push job.yaml', 'mnbatch image push job.yaml --json --profile hpc'],
  schema: ['mnbatch schema > job.schema.json'],
  ami: ['mnbatch ami bake --efs fs-0abc --no-ht --write-infra infra.yaml'],
  'ami bake': [
    'mnbatch ami bake --dry-run',
    'mnbatch ami bake --efs fs-0abc --no-ht --write-infra infra.yaml',
  ],
  infra: ['mnbatch infra up -f infra.yaml', 'mnbatch infra status --stack demo'],
  'infra up': ['mnbatch infra up -f infra.yaml --dry-run', 'mnbatch infra up -f infra.yaml --yes'],
  'infra down': ['mnbatch infra down -f infra.yaml --yes', 'mnbatch infra down --stack demo --dry-run'],
  'infra status': [
    'mnbatch infra status -f infra.yaml',
    'mnbatch --region eu-west-1 infra status --stack demo',
  ],
  'iam-policy': [
    'mnbatch iam-policy --role submit --stack demo --json',
    'mnbatch iam-policy --role infra --stack demo',
    'mnbatch iam-policy --role infra --stack demo --document --part 1 > mnbatch-demo-infra-1.json',
    'mnbatch iam-policy --role execution --stack demo --document > mnbatch-demo-execution.json',
  ],
  doctor: ['mnbatch doctor', 'mnbatch doctor -f infra.yaml job.yaml', 'mnbatch doctor -f infra.yaml --json'],
  completion: [
    'eval "$(mnbatch completion bash)"        # in ~/.bashrc',
    'eval "$(mnbatch completion zsh)"         # in ~/.zshrc',
    'mnbatch completion fish > ~/.config/fish/completions/mnbatch.fish',
  ],
};

/** The help text after a command's options: its examples, indented. */
export function examplesText(path: string): string | undefined {
  const lines = EXAMPLES[path];
  return lines ? `\nExamples:\n${lines.map((l) => `  ${l}`).join('\n')}` : undefined;
}
