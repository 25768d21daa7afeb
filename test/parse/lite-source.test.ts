/**
 * LiteSource, the one line table of the code base (syntax-tree positions, the parser's incremental edits,
 * pragma lines, IRQL facts): rows, columns and line texts of LF and CRLF texts, with and without a final
 * newline.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { LiteSource } from '../../src/parse/lite.js';
import { pointAt } from '../../src/parse/parser.js';

describe('LiteSource', () => {
  it('maps offsets to rows and columns, and 1-based lines', () => {
    const s = new LiteSource('ab\ncd\r\n\nef');
    expect([0, 1, 2, 3, 5, 6, 7, 8, 9, 10].map((o) => s.position(o))).toEqual([
      { row: 0, column: 0 },
      { row: 0, column: 1 },
      { row: 0, column: 2 },
      { row: 1, column: 0 },
      { row: 1, column: 2 },
      { row: 1, column: 3 },
      { row: 2, column: 0 },
      { row: 3, column: 0 },
      { row: 3, column: 1 },
      { row: 3, column: 2 },
    ]);
    expect(s.lineOf(4)).toBe(2);
    expect(s.lineCount).toBe(4);
    expect([1, 2, 3, 4].map((l) => s.lineStart(l))).toEqual([0, 3, 7, 8]);
  });
  it('gives each line its text without the line break', () => {
    const s = new LiteSource('#pragma warning(disable: 28167)\r\nint a;\n\nlast');
    expect([1, 2, 3, 4].map((l) => s.lineText(l))).toEqual(['#pragma warning(disable: 28167)', 'int a;', '', 'last']);
    const t = new LiteSource('x\n');
    expect(t.lineCount).toBe(2);
    expect(t.lineText(2)).toBe('');
    expect(new LiteSource('').lineCount).toBe(1);
    expect(new LiteSource('').position(0)).toEqual({ row: 0, column: 0 });
  });
  it('gives the reparse\'s points (pointAt, counted from an earlier offset) as its table does', () => {
    fc.assert(
      fc.property(fc.array(fc.constantFrom('a', 'b', '\n', '\r\n', ' ', '\u00e9', '\ud83d\ude00'), { maxLength: 60 }), fc.nat(), fc.nat(), (parts, x, y) => {
        const text = parts.join('');
        const s = new LiteSource(text);
        const [from, to] = [x % (text.length + 1), y % (text.length + 1)].sort((a, b) => a - b) as [number, number];
        expect(pointAt(text, from, 0, 0)).toEqual(s.position(from));
        expect(pointAt(text, to, from, s.position(from).row)).toEqual(s.position(to));
      }),
      { numRuns: 2000, seed: 20261126 },
    );
  });
});
