/**
 * The progress bar of long runs (issue 7): files done, files per second and the time left, on stderr.
 * Shown on a terminal once a run has taken a second, never in CI logs (a `CI` environment variable, or
 * stderr not a terminal) unless `--progress` asks for it; `--no-progress` turns it off.
 */
export interface ProgressSink {
  write(s: string): unknown;
  isTTY?: boolean;
  columns?: number;
}

export class Progress {
  private readonly t0: number;
  private last = Number.NEGATIVE_INFINITY;
  private shown = false;

  constructor(
    private readonly out: ProgressSink,
    private readonly total: number,
    /** `--progress` (true), `--no-progress` (false), or the default (undefined). */
    private readonly forced: boolean | undefined,
    private readonly env: NodeJS.ProcessEnv = process.env,
    private readonly clock: () => number = Date.now,
  ) {
    this.t0 = clock();
  }

  /** Whether this run may show a bar at all. */
  get enabled(): boolean {
    if (this.forced !== undefined) return this.forced;
    return this.out.isTTY === true && !this.env.CI;
  }

  update(done: number): void {
    if (!this.enabled || this.total === 0) return;
    const now = this.clock();
    const elapsed = now - this.t0;
    // on a terminal only after a second, and at most ten times a second
    if (!this.forced && elapsed < 1000) return;
    if (now - this.last < 100 && done < this.total) return;
    this.last = now;
    this.shown = true;
    const rate = done / Math.max(elapsed / 1000, 0.001);
    const eta = rate > 0 ? Math.ceil((this.total - done) / rate) : 0;
    const width = 24;
    const fill = Math.round((done / this.total) * width);
    const line = `[${'#'.repeat(fill)}${'.'.repeat(width - fill)}] ${done}/${this.total} files, ${rate.toFixed(rate < 10 ? 1 : 0)} files/s, ETA ${eta} s`;
    // a terminal redraws the line; a log (--progress without a terminal) gets one line per update
    this.out.write(this.out.isTTY ? `\r${line}\x1b[K` : `${line}\n`);
  }

  /** Clear the bar from the terminal line before the report is printed. */
  done(): void {
    if (this.shown && this.out.isTTY) this.out.write('\r\x1b[K');
  }
}
