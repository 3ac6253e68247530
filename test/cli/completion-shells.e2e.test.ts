/** `mnbatch completion zsh|fish` in the real shells (Debian's zsh and fish, installed by setup.sh). */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { completionOf as script } from './_completion.js';

const dir = mkdtempSync(join(tmpdir(), 'mnbatch-completion-shells-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('mnbatch completion in zsh and fish', () => {
  it('zsh: registers mnbatch with the completion system and offers its words', async () => {
    const file = join(dir, 'mnbatch.zsh');
    writeFileSync(file, (await script('zsh')).text);
    // zsh filters the candidates by the typed prefix itself; bash functions run with ksharrays.
    const out = execFileSync(
      'zsh',
      [
        '-c',
        `source '${file}'; print -r -- "$_comps[mnbatch]"; setopt ksharrays; COMP_WORDS=(mnbatch infra u); COMP_CWORD=2; _mnbatch; print -r -- "\${COMPREPLY[*]}"`,
      ],
      { encoding: 'utf8', env: { ...process.env, HOME: dir } },
    ).split('\n');
    expect(out[0]).toBe('_bash_complete -o default -F _mnbatch');
    expect(out[1]).toBe('up down status');
  });

  it('fish: completes commands, subcommands and options', async () => {
    const file = join(dir, 'mnbatch.fish');
    writeFileSync(file, (await script('fish')).text);
    const complete = (line: string) =>
      execFileSync('fish', ['--no-config', '-c', `source '${file}'; complete -C '${line}'`], {
        encoding: 'utf8',
      })
        .split('\n')
        .filter(Boolean)
        .map((l) => l.split('\t')[0]);
    expect(complete('mnbatch inf')).toEqual(['infra']);
    expect(complete('mnbatch infra u')).toEqual(['up']);
    expect(complete('mnbatch infra up --ye')).toEqual(['--yes']);
    expect(complete('mnbatch submit --wa')).toEqual(['--wait']);
  });
});
