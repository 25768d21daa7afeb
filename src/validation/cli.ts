#!/usr/bin/env node
/**
 * `npm run validate -- [--count N] [--seed S] [--out DIR] [--no-shrink] [--json]`
 *
 * Generates N driver-like functions from seed S, lints and simulates each, prints the per-rule
 * table (TP / FP / FN, precision, recall) and writes each disagreement as a shrunk reproducer under DIR.
 * Part of the validation harness (it imports the linter); the simulator proper does not.
 */
import { formatTable, runDifferential } from './differential.js';

const USAGE = `Usage: npm run validate -- [--count N] [--seed S] [--out DIR] [--no-shrink] [--json]
  --count N     programs to generate (default 1000)
  --seed S      generator seed (default 1)
  --out DIR     directory for reproducers (default validation-out)
  --no-shrink   write reproducers unshrunk (faster)
  --json        print the report as JSON
Exit status: 0 when every disagreement is an accepted imprecision, 1 otherwise (open linter bugs or
unclassified disagreements), 2 on usage errors.
`;

export function main(argv: string[]): number {
  let count = 1000;
  let seed = 1;
  let outDir = 'validation-out';
  let doShrink = true;
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const num = () => {
      const v = Number(argv[++i]);
      if (!Number.isInteger(v) || v < 0) throw new Error(`${a} needs a non-negative integer`);
      return v;
    };
    try {
      if (a === '--count') count = num();
      else if (a === '--seed') seed = num();
      else if (a === '--out') outDir = argv[++i] ?? outDir;
      else if (a === '--no-shrink') doShrink = false;
      else if (a === '--json') json = true;
      else if (a === '-h' || a === '--help') {
        process.stdout.write(USAGE);
        return 0;
      } else throw new Error(`unknown argument ${a}`);
    } catch (e) {
      process.stderr.write(`validate: ${(e as Error).message}\n${USAGE}`);
      return 2;
    }
  }
  let last = 0;
  const report = runDifferential({
    count,
    seed,
    outDir,
    shrink: doShrink,
    onProgress: (n) => {
      if (!json && process.stderr.isTTY && n - last >= 100) {
        last = n;
        process.stderr.write(`\r${n}/${count}`);
      }
    },
  });
  if (!json && process.stderr.isTTY) process.stderr.write('\r');
  const unknown = report.disagreements.filter((d) => !d.known);
  const open = report.disagreements.filter((d) => d.known?.status === 'open-linter-bug');
  if (json) {
    process.stdout.write(JSON.stringify(report, null, 2) + '\n');
  } else {
    process.stdout.write(formatTable(report));
    if (report.disagreements.length) {
      process.stdout.write(
        `\n${report.disagreements.length} disagreement(s): ${report.disagreements.length - open.length - unknown.length} accepted imprecisions, ` +
          `${open.length} open linter bugs, ${unknown.length} unclassified; reproducers in ${outDir}/\n`,
      );
      const byId = new Map<string, number>();
      for (const d of report.disagreements) byId.set(d.known?.id ?? 'UNCLASSIFIED', (byId.get(d.known?.id ?? 'UNCLASSIFIED') ?? 0) + 1);
      for (const [id, n] of [...byId].sort((a, b) => b[1] - a[1])) process.stdout.write(`  ${String(n).padStart(5)}  ${id}\n`);
      for (const d of report.disagreements.slice(0, 40)) {
        process.stdout.write(
          `  ${d.direction.toUpperCase()} ${d.rule} ${d.program}:${d.line}${d.known ? ` [${d.known.status === 'accepted' ? 'accepted' : 'open linter bug'}: ${d.known.id}]` : ' [UNCLASSIFIED]'}${d.reproducer ? ` -> ${d.reproducer}` : ''}\n`,
        );
      }
      if (report.disagreements.length > 40) process.stdout.write(`  ... ${report.disagreements.length - 40} more\n`);
    } else process.stdout.write('\nno disagreement\n');
  }
  return unknown.length || open.length ? 1 : 0;
}

// A closed pipe (`npm run validate | head`) is not an error.
process.stdout.on('error', (e: NodeJS.ErrnoException) => {
  if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw e;
});
process.exitCode = main(process.argv.slice(2));
