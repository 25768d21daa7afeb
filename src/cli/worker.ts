/**
 * A lint worker (`--threads`): prepares the whole program, as every thread must for the cross-file
 * analysis to see the same files (with the helper summaries the main thread computed, so that only the
 * parsing is repeated), and lints the files it is given. Results are posted back in order.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { engine } from './main.js';
import type { IrqlContract } from '../ddi/irql.js';
import type { Severity } from '../lint/types.js';

export interface WorkerJob {
  path: string;
  rules: Record<string, { severity: Severity; options?: Record<string, unknown> }>;
}
export interface WorkerData {
  inputs: { path: string; text: string }[];
  cwd: string;
  irqlContracts: Record<string, IrqlContract>;
  jobs: WorkerJob[];
  /** The helper summaries the main thread computed (`LintEngine.summaries.write`). */
  summaries?: string;
}

const data = workerData as WorkerData;
const hasContracts = Object.keys(data.irqlContracts).length > 0;
let project: unknown;
try {
  const summaries = data.summaries !== undefined ? engine.summaries?.read(data.summaries, data.cwd) : undefined;
  project = await engine.prepare?.(data.inputs, data.cwd, summaries !== undefined ? { irqlContracts: data.irqlContracts, summaries } : { irqlContracts: data.irqlContracts });
} catch {
  project = undefined; // as in a single thread: each file on its own
}
const texts = new Map(data.inputs.map((i) => [i.path, i.text]));
const out = data.jobs.map((j) => {
  try {
    const options = project !== undefined ? { rules: j.rules, project } : hasContracts ? { rules: j.rules, irqlContracts: data.irqlContracts } : { rules: j.rules };
    return { path: j.path, result: engine.lintText(texts.get(j.path)!, j.path, options) };
  } catch (e) {
    return { path: j.path, error: (e as Error)?.stack ?? String(e) };
  }
});
parentPort!.postMessage(out);
