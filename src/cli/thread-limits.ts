/** The resource limits of the command line's worker threads (`launch.ts`, and the `--threads` pool of `threads.ts`). */

/**
 * A worker's stack, sized so that JavaScript gets as much of it as on the main thread (V8's default of
 * 984 KiB; Node keeps 192 KiB of a worker's stack for itself): a function nested deep enough to exhaust
 * the stack does so in a worker as on one thread, and the findings stay the same (the default 4 MiB let
 * workers analyse what one thread reports as an internal error).
 */
export const WORKER_STACK_MB = (984 + 192) / 1024;
