/**
 * How bin/ddi-lint.js runs the command: `main` in a worker thread whose heap's young generation is capped
 * (`YOUNG_GENERATION_MB`), this thread passing the worker's output on to the process's streams.
 *
 * Why: a run allocates fast, and V8 lets the young generation of a heap grow to 48 MiB (two 16 MiB
 * semi-spaces and a large-object space), all of it resident once used, a sixth of a run's peak memory on
 * Windows-driver-samples. A worker's heap is configured when the worker starts (`resourceLimits`); the main
 * thread's only by node's own command line (`--max-semi-space-size`), which an installed command cannot
 * pass portably (npm's shims on Windows run `node <script>`), and which `v8.setFlagsFromString` cannot change
 * once the heap exists (measured). See README, Benchmark, for the memory and time of each.
 *
 * The language server (`--lsp`) reads stdin and runs for as long as the editor: it stays on this thread.
 * `DDI_LINT_NO_WORKER=1` runs any command on this thread (with node's own heap flags, for instance).
 */
import { Worker } from 'node:worker_threads';
import type { CliThreadData, FromCliThread } from './cli-thread.js';
import { WORKER_STACK_MB, YOUNG_GENERATION_MB } from './thread-limits.js';

/** Run the command line (`argv`: the arguments after the script); resolves to the exit code. */
export async function launch(argv: readonly string[]): Promise<number> {
  if (argv[0] === '--lsp' || process.env.DDI_LINT_NO_WORKER === '1') {
    // `ddi-lint ... | head`: the reader went away; stop quietly with the exit code computed so far.
    process.stdout.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
    const { main } = await import('./main.js');
    return main(argv);
  }
  // `ddi-lint ... | head`: the reader went away; the rest of the output is dropped, and the command ends
  // with its exit code once the worker gives it (it has computed it by the time it writes its report)
  let stdoutGone = false;
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code !== 'EPIPE') throw e;
    stdoutGone = true;
  });
  const written = new SharedArrayBuffer(4);
  const data: CliThreadData = {
    argv: [...argv],
    cwd: process.cwd(),
    tty: { stdout: ttyOf(process.stdout), stderr: ttyOf(process.stderr) },
    written,
  };
  /** A large write was handed to the stream (or dropped): the command's thread goes on. */
  const release = () => {
    const w = new Int32Array(written);
    Atomics.store(w, 0, 1);
    Atomics.notify(w, 0);
  };
  return new Promise<number>((resolve) => {
    let code: number | undefined;
    let failure: unknown;
    const worker = new Worker(new URL('./cli-thread.js', import.meta.url), {
      workerData: data,
      resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB, stackSizeMb: WORKER_STACK_MB },
    });
    worker.on('message', (m: FromCliThread) => {
      if (m.kind === 'exit') code = m.code;
      else {
        const stream = m.fd === 2 ? process.stderr : process.stdout;
        if (m.fd === 1 && stdoutGone) {
          if (m.wait) release();
        } else if (m.wait) stream.write(m.text, release);
        else stream.write(m.text);
      }
    });
    worker.on('error', (e) => (failure ??= e));
    worker.on('exit', () => {
      if (code !== undefined) return resolve(code);
      // (the worker stopped without an exit code: out of memory, or an error the command did not catch)
      const e = failure;
      process.stderr.write(`ddi-lint: internal error: ${e instanceof Error && e.stack ? e.stack : e !== undefined ? String(e) : 'the command thread stopped'}\n`);
      resolve(2);
    });
  });
}

/** What the command reads of a stream (the progress bar: whether it is a terminal, and its width). */
function ttyOf(s: NodeJS.WriteStream): { isTTY: boolean; columns?: number } {
  return s.isTTY ? { isTTY: true, ...(s.columns ? { columns: s.columns } : {}) } : { isTTY: false };
}
