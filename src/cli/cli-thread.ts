/**
 * The worker thread the command line runs in (see `launch.ts`): `main` with the process's arguments,
 * its output posted to the main thread, which writes it (in order, stdout and stderr alike) to the
 * process's streams, then the exit code.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { main } from './main.js';

export interface CliThreadData {
  argv: string[];
  cwd: string;
  /** Whether the process's streams are terminals, and their width (the progress bar reads them). */
  tty: { stdout: { isTTY: boolean; columns?: number }; stderr: { isTTY: boolean; columns?: number } };
  /** Set to 1 by the main thread once it has written a write posted with `wait` (an Int32Array's one element). */
  written: SharedArrayBuffer;
}
export type FromCliThread = { kind: 'write'; fd: 1 | 2; text: string; wait?: boolean } | { kind: 'exit'; code: number };

/**
 * A write of at least this many characters waits until the main thread has written it: the output of a
 * large run (a JSON or SARIF report, written a batch at a time) would otherwise pile up in the thread's
 * message queue and in the main thread's heap, a copy of the whole report at once.
 */
export const WAIT_FOR_WRITES_OF = 64 * 1024;

const data = workerData as CliThreadData;
const port = parentPort!;
const written = new Int32Array(data.written);

/** A stream of the process, as the command writes it: each write is posted to the main thread. */
function stream(fd: 1 | 2, tty: { isTTY: boolean; columns?: number }): { write(s: string): boolean; isTTY: boolean; columns?: number } {
  return {
    write(text: string): boolean {
      if (text.length < WAIT_FOR_WRITES_OF) {
        port.postMessage({ kind: 'write', fd, text } satisfies FromCliThread);
        return true;
      }
      Atomics.store(written, 0, 0);
      port.postMessage({ kind: 'write', fd, text, wait: true } satisfies FromCliThread);
      Atomics.wait(written, 0, 0);
      return true;
    },
    ...tty,
  };
}

let code: number;
try {
  code = await main(data.argv, { stdout: stream(1, data.tty.stdout), stderr: stream(2, data.tty.stderr), cwd: data.cwd });
} catch (e) {
  port.postMessage({ kind: 'write', fd: 2, text: `ddi-lint: internal error: ${e instanceof Error && e.stack ? e.stack : String(e)}\n` } satisfies FromCliThread);
  code = 2;
}
port.postMessage({ kind: 'exit', code } satisfies FromCliThread);
