/**
 * `--threads N` runs the built command (the workers load dist/src/cli/worker.js): its output is that of
 * one thread, byte for byte, on the bundled fixtures (cross-file programs included).
 */
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';

const ROOT = new URL('../..', import.meta.url).pathname;
const BIN = `${ROOT}bin/ddi-lint.js`;

function lint(...args: string[]): { code: number | null; out: string; err: string } {
  const r = spawnSync(process.execPath, [BIN, 'fixtures/', '--format', 'json', ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('--threads', () => {
  it('3 threads give the same results as 1', () => {
    const one = lint('--threads', '1');
    const three = lint('--threads', '3');
    expect(one.code).toBe(1);
    expect(three.code).toBe(one.code);
    expect(three.err).not.toContain('worker threads failed');
    expect(three.out).toBe(one.out);
    expect((JSON.parse(one.out) as { messages: unknown[] }[]).reduce((k, r) => k + r.messages.length, 0)).toBeGreaterThan(400);
  });
  it('--threads needs a positive integer', () => {
    const r = spawnSync(process.execPath, [BIN, 'fixtures/', '--threads', '0'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--threads must be at least 1');
  });
});
