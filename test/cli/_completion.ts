import { exec } from '../../src/cli/cli.js';
import { memoryOutput } from '../../src/ui/output.js';

/** The script `mnbatch completion <shell>` prints, its exit code and what went to stderr. */
export async function completionOf(shell: string): Promise<{ code: number; text: string; stderr: string }> {
  const output = memoryOutput();
  const code = await exec(['completion', shell], { output });
  return { code, text: `${output.stdout.join('\n')}\n`, stderr: output.stderr.join('\n') };
}
