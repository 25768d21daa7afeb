/** The progress bar: on a terminal after a second, never in CI or in a pipe unless --progress. */
import { describe, expect, it } from 'vitest';
import { Progress } from '../../src/cli/progress.js';

function sink(isTTY: boolean) {
  const out: string[] = [];
  return { out, s: { isTTY, write: (x: string) => out.push(x) } };
}

describe('progress bar', () => {
  it('on a terminal: nothing during the first second, then files done, files/s and ETA, redrawn in place, cleared at the end', () => {
    let t = 0;
    const { out, s } = sink(true);
    const p = new Progress(s, 100, undefined, {}, () => t);
    t = 500;
    p.update(10);
    expect(out).toEqual([]);
    t = 2000;
    p.update(40);
    expect(out[0]).toMatch(/^\r\[#{10}\.{14}\] 40\/100 files, 20 files\/s, ETA 3 s/);
    p.done();
    expect(out[out.length - 1]).toBe('\r\x1b[K');
  });

  it('not in CI logs, not in a pipe, not with --no-progress', () => {
    for (const [tty, env, forced] of [
      [true, { CI: 'true' }, undefined],
      [false, {}, undefined],
      [true, {}, false],
    ] as const) {
      let t = 0;
      const { out, s } = sink(tty);
      const p = new Progress(s, 10, forced, env, () => t);
      t = 5000;
      p.update(5);
      p.done();
      expect(out).toEqual([]);
    }
  });

  it('--progress in a pipe: one line per update, from the start', () => {
    let t = 0;
    const { out, s } = sink(false);
    const p = new Progress(s, 4, true, { CI: '1' }, () => t);
    p.update(0);
    t = 200;
    p.update(2);
    t = 400;
    p.update(4);
    expect(out).toHaveLength(3);
    expect(out[2]).toBe('[########################] 4/4 files, 10 files/s, ETA 0 s\n');
  });
});
