/**
 * The names a text calls, found piece by piece after an edit (`CallPieces` in src/analysis/project.ts, the
 * language server's typed character): the names of the whole text, in the same order, on chains of random
 * edits of every fixture; a text where a call runs over a cut is scanned whole.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { CALL, CallPieces } from '../../src/analysis/project.js';
import { listSourceFiles } from '../support/expectations.js';

const FIXTURES = new URL('../../fixtures', import.meta.url).pathname;
const fixtures = listSourceFiles(FIXTURES).map((p) => readFileSync(p, 'utf8'));

/** The scan of the whole text, as `textFacts` makes it without pieces. */
const whole = (text: string) => [...new Set([...text.matchAll(CALL)].map((m) => m[1]!))];

describe('calls found by pieces', () => {
  it('are the whole text\'s, in order, after each edit of chains of random edits of every fixture (3,000 edits)', () => {
    const snippets = ['}', '{', '}\n', ')', '(', '<', '\n', ' ', 'Foo', 'Bar(', '// Baz\n', '/*', '*/', '#if 0\n', '#endif\n', '"', 'int f(void) { return g(); }\n', '}\n(x);\n'];
    const edit = fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), lineStart: fc.boolean(), cut: fc.nat(30), insert: fc.constantFrom(...snippets) });
    let byPieces = 0;
    let scanned = 0;
    fc.assert(
      fc.property(fc.nat(fixtures.length - 1), fc.array(edit, { minLength: 1, maxLength: 6 }), (index, edits) => {
        let text = fixtures[index]!;
        let pieces = CallPieces.of(text);
        for (const e of edits) {
          let at = Math.floor(e.at * text.length);
          if (e.lineStart) at = text.indexOf('\n', at) + 1;
          text = text.slice(0, at) + e.insert + text.slice(Math.min(text.length, at + (e.cut % 2 === 0 ? e.cut : 0)));
          pieces = CallPieces.of(text, pieces);
          const calls = pieces.calls();
          if (calls) {
            byPieces++;
            expect([...calls]).toEqual(whole(text));
          } else scanned++;
        }
      }),
      { numRuns: 800, seed: 20261125 },
    );
    // most edits are answered by pieces
    expect(byPieces).toBeGreaterThan(10 * scanned);
  });

  it('are left to a scan of the whole text where a call runs over a cut', () => {
    const text = 'int f(void) {\n    return 0;\n} // Bar\n(x);\nint g(void) { return h(); }\n';
    expect(whole(text)).toEqual(['f', 'Bar', 'g', 'h']);
    expect(CallPieces.of(text).calls()).toBeUndefined();
    const edited = text.replace('(x);', 'int x;');
    expect([...CallPieces.of(edited, CallPieces.of(text)).calls()!]).toEqual(whole(edited));
  });
});
