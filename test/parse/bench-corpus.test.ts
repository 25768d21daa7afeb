/**
 * The benchmark's generated corpus is deterministic, parses cleanly (so the benchmark measures the
 * analysis, not error recovery) and contains the driver idioms it claims; the parse-stats tool
 * counts functions with errors per category.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateCorpus, generateFile, sequentialIfs } from '../../src/bench/corpus.js';
import { collectParseStats, normalizeLine } from '../../src/bench/parse-stats.js';
import { parseSource } from '../../src/parse/parser.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe('generated benchmark corpus', () => {
  it('is deterministic for a seed and differs across seeds', () => {
    expect(generateFile(1, 7, 30_000).text).toBe(generateFile(1, 7, 30_000).text);
    expect(generateFile(2, 7, 30_000).text).not.toBe(generateFile(1, 7, 30_000).text);
  });

  it('parses without errors and uses the driver idioms', () => {
    let all = '';
    for (let k = 0; k < 12; k++) {
      const f = generateFile(3, k, 40_000);
      all += f.text;
      const sf = parseSource(f.name, f.text);
      expect(sf.functions.length).toBeGreaterThan(3);
      expect(sf.functions.filter((fn) => fn.node.hasError).map((fn) => fn.name)).toEqual([]);
    }
    for (const idiom of ['MmProbeAndLockPages', 'MmUnlockPages', 'IoAllocateMdl', 'Irp->MdlAddress', '__try', '__except', '__finally', '__leave', 'goto Cleanup', '_IRQL_requires_max_', 'PAGED_CODE()', '#if DBG', 'mdl->Next', 'switch (', 'try {', '#pragma alloc_text']) {
      expect(all, idiom).toContain(idiom);
    }
  });

  it('writes at least the requested size, in files of various sizes, and reuses an existing corpus', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ddi-corpus-test-'));
    dirs.push(dir);
    const c = generateCorpus(join(dir, 'c'), 5, 3 * 1024 * 1024);
    expect(c.bytes).toBeGreaterThanOrEqual(3 * 1024 * 1024);
    expect(c.files.length).toBeGreaterThan(10);
    const again = generateCorpus(join(dir, 'c'), 5, 3 * 1024 * 1024);
    expect(again.files).toEqual(c.files);
  });

  it('builds the pathological function with the requested number of sequential ifs', () => {
    const text = sequentialIfs(2000);
    const sf = parseSource('ifs.c', text);
    expect(sf.functions.length).toBe(1);
    expect(sf.functions[0]!.hasError).toBe(false);
    const ifs = sf.functions[0]!.body.namedChildren.filter((n) => n.type === 'if_statement');
    expect(ifs.length).toBe(2001); // 2,000 plus the final `if (locked)`
  });
});

describe('parse-stats', () => {
  it('normalizes erroneous lines into patterns', () => {
    expect(normalizeLine('    status = KrnlHlpr(&x->y, L"abc", 0x10);  // c')).toBe('id = id(&id->id, "S", N);');
    expect(normalizeLine('HLPR_BAIL_LABEL:')).toBe('HLPR_BAIL_LABEL:');
    expect(normalizeLine('_IRQL_requires_(DISPATCH_LEVEL)')).toBe('_IRQL_requires_(DISPATCH_LEVEL)');
  });

  it('counts functions with errors per category, raw and preprocessed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'ddi-stats-test-'));
    dirs.push(dir);
    mkdirSync(join(dir, 'sub'));
    const sal = '_IRQL_requires_max_(APC_LEVEL)\nNTSTATUS\nFn(_In_ PIRP Irp)\n{\n    return Go(Irp);\n}\n';
    writeFileSync(join(dir, 'a.c'), sal);
    writeFileSync(join(dir, 'sub', 'b.cpp'), 'class A {\npublic:\n    int f() { return 1; }\n};\n');
    writeFileSync(join(dir, 'c.h'), 'VOID Helper(VOID)\n{\n    x = 1 +;\n}\n');
    const raw = await collectParseStats(dir, 'raw');
    const pp = await collectParseStats(dir, 'pp');
    expect(raw.byCategory.c.functions).toBe(1);
    expect(raw.byCategory.c.defErrors).toBe(1);
    expect(pp.byCategory.c).toMatchObject({ files: 1, functions: 1, bodyErrors: 0, defErrors: 0 });
    expect(pp.byCategory.cpp).toMatchObject({ files: 1, functions: 1, defErrors: 0 });
    expect(pp.byCategory.h).toMatchObject({ files: 1, functions: 1, bodyErrors: 1 });
    expect(pp.bad.map((b) => [b.file, b.errorLine, b.name])).toEqual([['c.h', 3, 'Helper']]);
  });
});
