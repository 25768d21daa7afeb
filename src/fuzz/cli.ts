/**
 * `npm run fuzz -- [--count N] [--seed S] [--out DIR] [--timeout MS] [--no-sim]`: a fuzzing campaign over
 * the bundled fixtures (see fuzz.ts). Every input that makes the linter or the simulator throw, or take
 * longer than the time bound, is saved to DIR as a reproducer with its seed and index; the exit code is 1
 * when there is one.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { caseInput, corpus, runCase } from './fuzz.js';

function arg(name: string, def: string): string {
  const i = process.argv.indexOf(name);
  return i > 0 && process.argv[i + 1] !== undefined ? process.argv[i + 1]! : def;
}

const count = Number(arg('--count', '1000'));
const seed = Number(arg('--seed', '1'));
const out = resolve(arg('--out', 'fuzz-out'));
const timeout = Number(arg('--timeout', '10000'));
const sim = !process.argv.includes('--no-sim');
const root = new URL('../../../fixtures', import.meta.url).pathname;

const files = corpus(root);
let failures = 0;
let slowest = { ms: 0, index: -1 };
let findings = 0;
let internal = 0;
const t0 = performance.now();
for (let i = 0; i < count; i++) {
  // let the event loop turn: the native tree-sitter binding frees the trees of earlier cases only then
  // (without it a long campaign grows by a few hundred kilobytes per case)
  await new Promise<void>((r) => setImmediate(r));
  const input = caseInput(seed, i, files);
  const r = runCase(input.text, 'fuzz.c', sim);
  const ms = r.lintMs + r.simMs;
  if (ms > slowest.ms) slowest = { ms, index: i };
  findings += r.findings;
  internal += r.internalErrors;
  const problem = r.error ?? (ms > timeout ? `took ${ms.toFixed(0)} ms (bound ${timeout} ms): lint ${r.lintMs.toFixed(0)} ms, simulate ${r.simMs.toFixed(0)} ms` : undefined);
  if (problem) {
    failures++;
    mkdirSync(out, { recursive: true });
    const file = join(out, `fuzz-s${seed}-i${i}.c`);
    writeFileSync(file, `/* ddi-lint fuzz reproducer: seed ${seed}, index ${i}, from ${input.from} (${input.kinds.join(', ')})\n${problem.replace(/\*\//g, '* /')}\n*/\n${input.text}`);
    process.stderr.write(`case ${i}: ${problem.split('\n')[0]} -> ${file}\n`);
  }
  if ((i + 1) % 1000 === 0) process.stderr.write(`${i + 1} cases, ${failures} failing, ${((performance.now() - t0) / 1000).toFixed(0)} s\n`);
}
const secs = (performance.now() - t0) / 1000;
process.stdout.write(
  `${count} cases (seed ${seed}, ${files.length} fixture files mutated and random token streams, ${sim ? 'lint + simulate' : 'lint only'}) in ${secs.toFixed(1)} s: ` +
    `${failures} failing, slowest case ${slowest.ms.toFixed(0)} ms (index ${slowest.index}), ${findings} findings, ${internal} internal-error diagnostics\n`,
);
process.exit(failures ? 1 : 0);
