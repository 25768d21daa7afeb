/**
 * `--threads N` runs the built command (the workers load dist/src/cli/worker.js): its output is that of
 * one thread, byte for byte, on the bundled fixtures (cross-file programs included).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateCorpus } from '../../src/bench/corpus.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const BIN = `${ROOT}bin/ddi-lint.js`;

function lint(...args: string[]): { code: number | null; out: string; err: string } {
  const target = args[0]?.startsWith('/') ? args.shift()! : 'fixtures/';
  const r = spawnSync(process.execPath, [BIN, target, '--format', 'json', ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

describe('--threads', () => {
  it('3 threads give the same results as 1', () => {
    const one = lint('--threads', '1');
    const three = lint('--threads', '3');
    expect(one.code).toBe(1);
    expect(three.code).toBe(one.code);
    expect(three.err).not.toContain('worker threads');
    expect(three.out).toBe(one.out);
    expect((JSON.parse(one.out) as { messages: unknown[] }[]).reduce((k, r) => k + r.messages.length, 0)).toBeGreaterThan(400);
  });
  it('2 threads give the same results as 1 on a generated 3 MB driver tree (cross-file helpers and callers)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ddi-lint-threads-'));
    try {
      generateCorpus(dir, 1, 3 * 1024 * 1024);
      const one = lint(dir, '--threads', '1');
      const two = lint(dir, '--threads', '2');
      expect(two.err).not.toContain('worker threads');
      expect(two.out).toBe(one.out);
      expect((JSON.parse(one.out) as { messages: unknown[] }[]).reduce((k, r) => k + r.messages.length, 0)).toBeGreaterThan(20);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120000);
  it('2 threads give the same results as 1 when a helper and its callers are parsed by different threads', () => {
    // each file of the fixtures' cross-file programs in a directory of its own: the pool shares
    // directories out whole, so the helpers and their callers land on different threads, which hand
    // their files to each other (src/analysis/transfer.ts)
    const dir = mkdtempSync(join(tmpdir(), 'ddi-lint-threads-'));
    try {
      let k = 0;
      for (const rule of readdirSync(`${ROOT}fixtures`)) {
        for (const f of readdirSync(`${ROOT}fixtures/${rule}`)) {
          if (!/^(cross-file-|helpers)/.test(f)) continue;
          const sub = join(dir, `d${k++}`);
          mkdirSync(sub);
          copyFileSync(`${ROOT}fixtures/${rule}/${f}`, join(sub, `${rule}-${f}`));
        }
      }
      expect(k).toBeGreaterThan(8);
      const one = lint(dir, '--threads', '1');
      const two = lint(dir, '--threads', '2');
      expect(two.err).not.toContain('worker threads');
      expect(two.out).toBe(one.out);
      const found = JSON.parse(one.out) as { filePath: string; messages: { ruleId: string }[] }[];
      // findings that need the other file: the callers' files have them
      expect(found.filter((r) => /callers|dpc/.test(r.filePath)).reduce((n, r) => n + r.messages.length, 0)).toBeGreaterThan(5);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60000);
  it('--threads needs a positive integer', () => {
    const r = spawnSync(process.execPath, [BIN, 'fixtures/', '--threads', '0'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--threads must be at least 1');
  });
});
