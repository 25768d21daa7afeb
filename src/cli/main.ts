/**
 * Entry point of the `ddi-lint` command (bin/ddi-lint.js calls `main`): binds the command line to
 * the real linter and rule set.
 */
import { allRules } from '../../rules/index.js';
import type { Project } from '../analysis/project.js';
import { lintText, prepareProject } from '../lint/linter.js';
import { runCli, type CliIO, type LintEngine } from './run.js';

export type { CliIO } from './run.js';

export const engine: LintEngine = {
  rules: allRules,
  lintText: (text, filePath, options) => lintText(text, filePath, { rules: options.rules, project: options.project as Project | undefined }),
  prepare: (inputs, root) => prepareProject(inputs, root),
};

/** Run `ddi-lint` with the given arguments; resolves to the exit code. */
export async function main(argv: readonly string[], io?: Partial<CliIO>): Promise<number> {
  return runCli(argv, { stdout: io?.stdout ?? process.stdout, stderr: io?.stderr ?? process.stderr, cwd: io?.cwd ?? process.cwd() }, engine);
}
