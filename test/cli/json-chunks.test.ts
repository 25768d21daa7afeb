import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { batched, jsonChunks, writeFileInPieces } from '../../src/report/json-chunks.js';

/** Values of the shapes the outputs hold, and the corners of JSON.stringify (undefined, toJSON, holes). */
const odd = fc.oneof(
  fc.constant(undefined),
  fc.constant(() => 1),
  fc.constant(Symbol('s')),
  fc.constant(new Date(0)),
  fc.constant({ toJSON: (k: string) => `key ${k}` }),
  fc.constant(NaN),
  fc.constant(-0),
  // eslint-disable-next-line no-sparse-arrays
  fc.constant([1, , 3]),
  fc.string({ unit: 'binary' }),
);
const value = fc.letrec((tie) => ({
  v: fc.oneof({ depthSize: 'small' }, fc.jsonValue({ maxDepth: 2 }), odd, fc.array(tie('v'), { maxLength: 4 }), fc.dictionary(fc.string(), tie('v'), { maxKeys: 4 })),
})).v;

describe('jsonChunks', () => {
  it('joins to JSON.stringify(value, null, space) at every depth of splitting', () => {
    fc.assert(
      fc.property(value, fc.constantFrom(0, 2, 4, 12), fc.integer({ min: 0, max: 5 }), (v, space, levels) => {
        const expected = JSON.stringify(v, null, space || undefined) as string | undefined;
        const got = [...jsonChunks(v, space, levels)];
        if (expected === undefined) expect(got).toEqual([]);
        else expect(got.join('')).toBe(expected);
      }),
      { numRuns: 2000 },
    );
  });

  it('splits the outer levels: no piece holds two elements of a split array', () => {
    const results = Array.from({ length: 50 }, (_, i) => ({ filePath: `f${i}.c`, source: 'x'.repeat(1000), messages: [{ line: i }] }));
    const pieces = [...jsonChunks(results, 0, 1)];
    expect(pieces.join('')).toBe(JSON.stringify(results));
    expect(Math.max(...pieces.map((p) => p.length))).toBeLessThan(1100);
    const sarif = { version: '2.1.0', runs: [{ results }] };
    const indented = [...jsonChunks(sarif, 2, 4)];
    expect(indented.join('')).toBe(JSON.stringify(sarif, null, 2));
    expect(Math.max(...indented.map((p) => p.length))).toBeLessThan(1200);
  });

  it('batches pieces into writes and writes a file byte for byte', () => {
    const pieces = Array.from({ length: 1000 }, (_, i) => `é${i},`);
    const batches = [...batched(pieces, 100)];
    expect(batches.join('')).toBe(pieces.join(''));
    expect(batches.length).toBeGreaterThan(10);
    expect(batches.slice(0, -1).every((b) => b.length >= 100 && b.length < 110)).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'ddi-json-'));
    try {
      const f = join(dir, 'out.json');
      writeFileInPieces(f, jsonChunks({ a: pieces }, 2, 2));
      expect(readFileSync(f, 'utf8')).toBe(JSON.stringify({ a: pieces }, null, 2));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
