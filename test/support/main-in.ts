/** Run the real `ddi-lint` command in-process in a directory, capturing its output and exit code. */
import { main } from '../../src/cli/main.js';

export async function runIn(cwd: string, args: readonly string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { stdout: { write: (s: string) => ((out += s), true) } as never, stderr: { write: (s: string) => ((err += s), true) } as never, cwd });
  return { code, out, err };
}
