/**
 * `--shard I/N` and `ddi-lint merge`: the merged output of N shards is the output of one shard of one,
 * whatever N (each shard reads the whole program; the cross-file analysis sees the same files).
 */
import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runIn } from '../support/main-in.js';
import { shardOf } from '../../src/cli/run.js';

const ROOT = new URL('../../fixtures', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'ddi-lint-shard-'));
// two fixture programs with cross-file callers (a helper in one file, its DPC caller in another)
cpSync(join(ROOT, 'irql-wait-at-dispatch'), join(dir, 'waits'), { recursive: true });
cpSync(join(ROOT, 'irql-not-restored'), join(dir, 'restore'), { recursive: true });
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) => runIn(dir, args);

async function sharded(n: number, format: string, extra: string[] = [], paths = ['waits', 'restore']): Promise<{ code: number; out: string }> {
  const files: string[] = [];
  for (let i = 1; i <= n; i++) {
    const r = await run([...paths, '--shard', `${i}/${n}`, '-o', `shards${n}/s${i}.json`, ...extra]);
    expect(r.code === 0 || r.code === 1).toBe(true);
    files.push(`shards${n}/s${i}.json`);
  }
  return run(['merge', ...files, '--format', format]);
}

describe('--shard and merge', () => {
  it('files are spread over the shards by a stable hash of their path', () => {
    const picks = ['a.c', 'b.c', 'dir/c.c', 'dir/d.cpp'].map((f) => shardOf('/r', `/r/${f}`, 3));
    expect(picks).toEqual(['a.c', 'b.c', 'dir/c.c', 'dir/d.cpp'].map((f) => shardOf('/r', `/r/${f}`, 3)));
    expect(picks.every((p) => p >= 1 && p <= 3)).toBe(true);
  });

  it('N = 1 and N = 3 give identical merged output (json and sarif), equal to an unsharded run', async () => {
    const one = await sharded(1, 'json');
    const three = await sharded(3, 'json');
    expect(three.out).toBe(one.out);
    expect(three.code).toBe(one.code);
    const plain = await run(['waits', 'restore', '--format', 'json']);
    const byPath = (out: string) => (JSON.parse(out) as { filePath: string; messages: unknown[] }[]).sort((a, b) => (a.filePath < b.filePath ? -1 : 1));
    expect(byPath(three.out)).toEqual(byPath(plain.out));
    const findings = byPath(three.out).reduce((k, r) => k + r.messages.length, 0);
    expect(findings).toBeGreaterThan(40);
    const s1 = await sharded(1, 'sarif');
    const s3 = await sharded(3, 'sarif');
    const log = (out: string) => {
      const l = JSON.parse(out);
      delete l.runs[0].invocations[0].commandLine; // names the shard files
      return l;
    };
    expect(log(s3.out).runs).toHaveLength(1);
    expect(log(s3.out)).toEqual(log(s1.out));
    expect(log(s3.out).runs[0].results.length).toBe(findings);
  });

  it('the summary pre-pass: shards reading one summaries file (written in another checkout) merge to the same output', async () => {
    // MDL helpers called across files (the summaries are those of MDL helpers)
    cpSync(join(ROOT, 'mdl-unmatched-lock'), join(dir, 'locks'), { recursive: true });
    const paths = ['waits', 'restore', 'locks'];
    // written from a copy of the sources elsewhere: paths in the file are relative to the checkout
    const other = mkdtempSync(join(tmpdir(), 'ddi-lint-shard-other-'));
    try {
      for (const p of paths) cpSync(join(dir, p), join(other, p), { recursive: true });
      const w = await runIn(other, ['summarize', ...paths, '--out', join(dir, 'summaries.json')]);
      expect(w.code).toBe(0);
      expect(w.err).toMatch(/ [1-9]\d* helper summaries \([1-9]\d* computed, 0 reused\), written to /);
    } finally {
      rmSync(other, { recursive: true, force: true });
    }
    const plain = await sharded(1, 'json', [], paths);
    const one = await sharded(1, 'json', ['--summaries', 'summaries.json'], paths);
    const three = await sharded(3, 'json', ['--summaries', 'summaries.json'], paths);
    expect(one.out).toBe(plain.out);
    expect(three.out).toBe(plain.out);
    // every summary came from the file
    const r = await run([...paths, '--summaries', 'summaries.json', '--format', 'json']);
    expect(r.err).toMatch(/--summaries summaries\.json: [1-9]\d* helper summaries reused, 0 computed/);
    // a file that is not one: a usage error naming it
    const bad = await run(['waits', '--summaries', 'waits/dpc-waits.c']);
    expect(bad.code).toBe(2);
    expect(bad.err).toMatch(/^ddi-lint: --summaries waits\/dpc-waits\.c: not JSON/m);
    rmSync(join(dir, 'locks'), { recursive: true, force: true });
  });

  it('a summaries file keeps the ranges of a case (bounded by infinities), and the findings behind its calls', async () => {
    // `if (Locked)` of a parameter: cases over `x != 0`, whose range JSON would write with null bounds (read
    // back, no caller took such a case and the paths through its calls were lost)
    cpSync(join(ROOT, 'mdl-free-while-locked'), join(dir, 'frees'), { recursive: true });
    writeFileSync(
      join(dir, 'frees', 'flag-parameter.c'),
      `#include <ntddk.h>
VOID ReleaseFlagged(PMDL Mdl, BOOLEAN Locked)
{
    if (Locked) {
        MmUnlockPages(Mdl);
    }
    IoFreeMdl(Mdl);
}
NTSTATUS UnlockAfterRelease(PVOID Buf, ULONG Len)
{
    BOOLEAN locked = FALSE;
    PMDL mdl = IoAllocateMdl(Buf, Len, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        locked = TRUE;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        return GetExceptionCode();
    }
    ReleaseFlagged(mdl, locked);
    MmUnlockPages(mdl);
    return STATUS_SUCCESS;
}
`,
    );
    const w = await run(['summarize', 'frees', '--out', 'frees.json']);
    expect(w.code).toBe(0);
    const plain = await run(['frees', '--format', 'json']);
    const reused = await run(['frees', '--summaries', 'frees.json', '--format', 'json']);
    expect(reused.err).toMatch(/--summaries frees\.json: [1-9]\d* helper summaries reused, 0 computed/);
    expect(reused.out).toBe(plain.out);
    const lines = (out: string, file: string) => (JSON.parse(out) as { filePath: string; messages: { line: number; ruleId: string }[] }[]).filter((r) => r.filePath.endsWith(file)).flatMap((r) => r.messages.map((m) => `${m.line} ${m.ruleId}`));
    expect(lines(reused.out, 'flag-parameter.c')).toEqual(['21 mdl-use-after-free']);
    // (and the fixtures' findings, as without the file)
    expect(lines(reused.out, 'helpers.c').length).toBeGreaterThan(0);
    rmSync(join(dir, 'frees'), { recursive: true, force: true });
  });

  it('merge applies --max-warnings and --quiet once, and refuses shards of different runs', async () => {
    await run(['waits', '--shard', '1/2', '-o', 'x/a.json']);
    await run(['waits', '--shard', '1/3', '-o', 'x/b.json']);
    const bad = await run(['merge', 'x/a.json', 'x/b.json']);
    expect(bad.code).toBe(2);
    expect(bad.err).toContain('different runs');
    const missing = await run(['merge', 'x/a.json', '--format', 'json']);
    expect(missing.code).toBe(2);
    expect(missing.err).toContain('shard 2/2 missing');
    const notShard = await run(['merge', 'waits/dpc-waits.c']);
    expect(notShard.code).toBe(2);
  });
});
