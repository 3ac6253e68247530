/**
 * Shell completion scripts for `mnbatch completion bash|zsh|fish` (pure): made from the command
 * tree commander already has, so a new command or option completes without anyone editing this.
 */
import type { Command } from 'commander';

/** One command: its name, its options (long and short forms), its subcommands. */
export interface CommandTree {
  readonly name: string;
  readonly options: readonly string[];
  readonly subcommands: readonly CommandTree[];
}

export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];

/** The tree of `command`: global options on the root, each subcommand's own below it. */
export function commandTree(command: Command): CommandTree {
  const options = command.options.flatMap((o) => [o.long, o.short].filter((f): f is string => Boolean(f)));
  return {
    name: command.name(),
    options: [...options, '--help'],
    subcommands: command.commands.filter((c) => c.name() !== 'help').map(commandTree),
  };
}

/** Every command of the tree with its path of subcommand names (the root's path is ''). */
function walk(tree: CommandTree, path: readonly string[] = []): { path: string; node: CommandTree }[] {
  return [
    { path: path.join(' '), node: tree },
    ...tree.subcommands.flatMap((s) => walk(s, [...path, s.name])),
  ];
}

const words = (list: readonly string[]) => list.join(' ');

function bash(tree: CommandTree): string {
  const all = walk(tree);
  const cases = (pick: (n: CommandTree) => readonly string[]) =>
    all
      .filter(({ node }) => pick(node).length > 0)
      .map(({ path, node }) => `    "${path}") echo "${words(pick(node))}" ;;`)
      .join('\n');
  return `# mnbatch completion for bash: eval "$(mnbatch completion bash)" (e.g. in ~/.bashrc)
_mnbatch_subcommands() {
  case "$1" in
${cases((n) => n.subcommands.map((s) => s.name))}
  esac
}
_mnbatch_options() {
  case "$1" in
${cases((n) => n.options)}
  esac
}
_mnbatch() {
  local cur=\${COMP_WORDS[COMP_CWORD]} path="" word i
  for ((i = 1; i < COMP_CWORD; i++)); do
    word=\${COMP_WORDS[i]}
    case " $(_mnbatch_subcommands "$path") " in
      *" $word "*) path="\${path:+$path }$word" ;;
    esac
  done
  if [[ $cur == -* ]]; then
    COMPREPLY=($(compgen -W "$(_mnbatch_options "$path") $(_mnbatch_options "")" -- "$cur"))
    return
  fi
  local subs
  subs=$(_mnbatch_subcommands "$path")
  if [[ -n $subs ]]; then
    COMPREPLY=($(compgen -W "$subs" -- "$cur"))
  else
    COMPREPLY=($(compgen -f -- "$cur"))
  fi
}
complete -o default -F _mnbatch ${tree.name}
`;
}

function zsh(tree: CommandTree): string {
  return `#compdef ${tree.name}
# mnbatch completion for zsh: eval "$(mnbatch completion zsh)" (e.g. in ~/.zshrc), through zsh's
# bash completion layer.
autoload -U +X compinit && compinit
autoload -U +X bashcompinit && bashcompinit
${bash(tree).split('\n').slice(1).join('\n')}`;
}

function fish(tree: CommandTree): string {
  const lines = [
    '# mnbatch completion for fish: mnbatch completion fish > ~/.config/fish/completions/mnbatch.fish',
  ];
  const cmd = tree.name;
  const flag = (o: string) => (o.startsWith('--') ? `-l ${o.slice(2)}` : `-s ${o.slice(1)}`);
  const top = tree.subcommands.map((s) => s.name);
  lines.push(`complete -c ${cmd} -n '__fish_use_subcommand' -f -a '${words(top)}'`);
  for (const o of tree.options) lines.push(`complete -c ${cmd} ${flag(o)}`);
  for (const sub of tree.subcommands) {
    const seen = `__fish_seen_subcommand_from ${sub.name}`;
    if (sub.subcommands.length > 0)
      lines.push(`complete -c ${cmd} -n '${seen}' -f -a '${words(sub.subcommands.map((s) => s.name))}'`);
    for (const o of sub.options) lines.push(`complete -c ${cmd} -n '${seen}' ${flag(o)}`);
    for (const leaf of sub.subcommands)
      for (const o of leaf.options)
        lines.push(
          `complete -c ${cmd} -n '${seen}; and __fish_seen_subcommand_from ${leaf.name}' ${flag(o)}`,
        );
  }
  return `${lines.join('\n')}\n`;
}

/** The completion script of `shell` for the command tree. */
export function completionScript(shell: Shell, tree: CommandTree): string {
  switch (shell) {
    case 'bash':
      return bash(tree);
    case 'zsh':
      return zsh(tree);
    case 'fish':
      return fish(tree);
  }
}
