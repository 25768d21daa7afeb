/** The resource limits of the command line's worker threads (`launch.ts`, and the `--threads` pool of `threads.ts`). */

/**
 * A worker's stack, sized so that JavaScript gets as much of it as on the main thread (V8's default of
 * 984 KiB; Node keeps 192 KiB of a worker's stack for itself): a function nested deep enough to exhaust
 * the stack does so in a worker as on one thread, and the findings stay the same (the default 4 MiB let
 * workers analyse what one thread reports as an internal error).
 */
export const WORKER_STACK_MB = (984 + 192) / 1024;

/**
 * The young generation of a worker's heap, in MiB: V8 makes it three semi-spaces' worth, so 8 MiB
 * semi-spaces (node's default: 16). Every worker takes it: the command's thread (`launch.ts`) and each
 * thread of the `--threads` pool, since each of them holds the program and collects a heap of its own.
 * See README, Benchmark, for the sizes measured.
 */
export const YOUNG_GENERATION_MB = 24;
