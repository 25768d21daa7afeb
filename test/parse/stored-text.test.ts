/**
 * Texts and compact trees held compressed (src/parse/stored-text.ts, `CompactTrees.freeze`): read back, a
 * text is the text, character for character (Latin-1, UTF-16 with surrogates, lone surrogates), whole and in
 * slices; a frozen file's functions materialize to the trees they were, whichever files were read between
 * (the uncompressed copies are let go beyond a budget and inflated again); the cache lets go of the least
 * recently used; and a file's parsed text and trees, once the file is released and kept, hold a fraction of
 * their size. A compressed copy inflates into one allocation of its own (the copies read again and again
 * are freed only by the collector).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it, vi } from 'vitest';
import { StoredText, Thawed, compress, inflate, inflateOwn, storedStats } from '../../src/parse/stored-text.js';
import { compactSize, functionTree, setAsideTrees } from '../../src/parse/compact.js';
import { parseSource, type SourceFile } from '../../src/parse/parser.js';
import { keepTextAsPatch, parsedSlice, setAsideTexts } from '../../src/parse/source-text.js';
import { releaseParsed } from '../../src/analysis/transfer.js';
import type { LiteNode } from '../../src/parse/lite.js';
import { listSourceFiles } from '../support/expectations.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');

/** A tree as text: types, fields, offsets and flags of every node. */
function dump(n: LiteNode): string {
  const out: string[] = [];
  const walk = (x: LiteNode, field: string | null, depth: number) => {
    out.push(`${' '.repeat(depth)}${field ?? ''}:${x.type}${x.isNamed ? '' : '!'}${x.isMissing ? '?' : ''}${x.hasError ? 'E' : ''} ${x.startIndex}-${x.endIndex} ${x.startPosition.row}:${x.startPosition.column}`);
    x.children.forEach((c, k) => walk(c, x.fields[k] ?? null, depth + 1));
  };
  walk(n, null, 0);
  return out.join('\n');
}

describe('a stored text', () => {
  const texts = [
    '',
    'VOID F(VOID) { KeLowerIrql(Old); }\r\n',
    'é à ü: Latin-1 only, one byte a character\n'.repeat(50),
    '// “quotes” – 😀 and a lone surrogate \ud800 here, \udc00 there\nint x;\n'.repeat(20),
  ];

  it('reads back whole and in slices, character for character', () => {
    for (const t of texts) {
      const s = new StoredText(t);
      expect(s.length).toBe(t.length);
      expect(s.whole()).toBe(t);
      for (const [a, b] of [[0, t.length], [0, 0], [3, 40], [t.length - 5, t.length], [7, 7 + 13], [1, 12]] as const) {
        const from = Math.max(0, Math.min(a, t.length));
        const to = Math.max(from, Math.min(b, t.length));
        expect(s.slice(from, to)).toBe(t.slice(from, to));
      }
      s.release();
      expect(s.whole()).toBe(t); // (built again from the compressed copy)
    }
  });

  it('holds a fraction of an ordinary source', () => {
    const src = readFileSync(join(FIXTURES, 'mdl-unmatched-lock', 'goto-cleanup.c'), 'latin1').repeat(4);
    const s = new StoredText(src);
    expect(s.byteLength).toBeLessThan(src.length / 3);
  });
});

describe('inflating a compressed copy', () => {
  const sample = (n: number) => Uint8Array.from({ length: n }, (_, k) => (k * 7919) % 251 ^ (k >> 9));

  it('gives the bytes back in a buffer sized to them, not in chunks concatenated into another', () => {
    for (const n of [0, 1, 100, 4095, 4096, 16 * 1024, 16 * 1024 + 1, 300_000]) {
      const bytes = sample(n);
      const out = inflate(compress(bytes), n);
      expect(Buffer.compare(out, Buffer.from(bytes))).toBe(0);
      if (n > 4096) expect(out.buffer.byteLength).toBeLessThanOrEqual(n + 64);
    }
    // (zlib's default chunks are 16 KiB: 300,000 bytes would take 19 of them, then a 20th for their concatenation)
    const packed = compress(sample(300_000));
    const spy = vi.spyOn(Buffer, 'allocUnsafe');
    try {
      inflate(packed, 300_000);
      expect(spy.mock.calls.map(([size]) => size)).toEqual([300_064]);
    } finally {
      spy.mockRestore();
    }
  });

  it('as an aligned ArrayBuffer of its own, large or small', () => {
    for (const n of [12, 120, 1200, 12_000, 120_000]) {
      const bytes = sample(n);
      const buf = inflateOwn(compress(bytes), n);
      expect(buf.byteLength).toBeLessThanOrEqual(n + 64);
      expect(Buffer.compare(Buffer.from(buf, 0, n), Buffer.from(bytes))).toBe(0);
      expect(new Uint32Array(buf, 0, n >> 2).length).toBe(n >> 2);
    }
  });

  it('refuses a copy of another size than expected', () => {
    expect(() => inflateOwn(compress(sample(1000)), 999)).toThrow(/1000 bytes, expected 999/);
  });
});

describe('the cache of uncompressed copies', () => {
  it('lets the least recently used go once past its budget, never the one used last', () => {
    const dropped: string[] = [];
    const t = new Thawed<string>(10, (x) => dropped.push(x));
    t.use('a', 4);
    t.use('b', 4);
    t.use('a', 4); // a is now the most recent
    t.use('c', 4); // 12 > 10: b goes
    expect(dropped).toEqual(['b']);
    t.use('d', 20); // past the budget alone: everything else goes, d stays
    expect(dropped).toEqual(['b', 'a', 'c']);
    t.forget('d');
    t.use('e', 4);
    expect(dropped).toEqual(['b', 'a', 'c']);
  });
});

describe('frozen compact trees', () => {
  /** Every fixture file, parsed, and its functions' trees before the file is released. */
  const files: { file: SourceFile; before: string[] }[] = [];
  for (const path of listSourceFiles(FIXTURES)) {
    const f = parseSource(path, readFileSync(path, 'utf8'));
    const before = f.functions.map((fn) => dump(functionTree(f, fn)));
    releaseParsed(f);
    keepTextAsPatch(f);
    files.push({ file: f, before });
  }

  it('materialize as they were, read in any order, after their copies were let go and inflated again', () => {
    const inflatedBefore = storedStats.treeInflated;
    for (let round = 0; round < 2; round++) {
      for (const { file, before } of round === 0 ? files : [...files].reverse()) {
        file.functions.forEach((fn, k) => expect(dump(functionTree(file, fn))).toBe(before[k]));
        setAsideTrees(file);
        setAsideTexts(file);
      }
    }
    // (each file let go after it was read: read again, it was inflated again)
    expect(storedStats.treeInflated - inflatedBefore).toBeGreaterThanOrEqual(2 * files.filter((f) => f.file.functions.length > 0).length);
  });

  it('and their texts read back as parsed, once set aside', () => {
    for (const { file } of files) {
      const parsed = parseSource(file.path, readFileSync(file.path, 'utf8')).parsedText;
      expect(file.parsedText).toBe(parsed);
      for (const fn of file.functions) expect(parsedSlice(file, fn.bodyStart, fn.bodyEnd)).toBe(parsed.slice(fn.bodyStart, fn.bodyEnd));
    }
  });

  it('hold a fraction of their arrays while let go', () => {
    const big = files.reduce((a, b) => (b.file.functions.length > a.file.functions.length ? b : a));
    functionTree(big.file, big.file.functions[0]!);
    const { nodes, bytes: held } = compactSize(big.file);
    setAsideTrees(big.file);
    expect(compactSize(big.file).bytes).toBeLessThan(held / 2);
    expect(compactSize(big.file).nodes).toBe(nodes);
  });
});
