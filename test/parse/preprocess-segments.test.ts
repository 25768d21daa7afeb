/**
 * The language server's preprocessing by pieces (src/parse/preprocess-segments.ts): the result is
 * `preprocess`'s, on every fixture in both languages and on fixtures mutated as the fuzzer mutates them
 * (garbled braces, cut files, inserted tokens), and an edit inside one function preprocesses that
 * function's piece only.
 */
import { readFileSync } from 'node:fs';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { caseInput, corpus } from '../../src/fuzz/fuzz.js';
import { reparseSource, parseSource } from '../../src/parse/parser.js';
import { preprocess } from '../../src/parse/preprocess.js';
import { SegmentedPreprocessor } from '../../src/parse/preprocess-segments.js';
import { chunkStarts } from '../../src/parse/chunks.js';
import { listSourceFiles } from '../support/expectations.js';

const FIXTURES = new URL('../../fixtures', import.meta.url).pathname;
const files = corpus(FIXTURES);

describe('preprocessing by pieces', () => {
  it('gives preprocess\'s text and annotations for every fixture, as C and as C++', () => {
    let pieces = 0;
    for (const path of listSourceFiles(FIXTURES)) {
      const text = readFileSync(path, 'utf8');
      for (const lang of ['c', 'cpp'] as const) {
        const s = new SegmentedPreprocessor(lang);
        expect(s.run(text), `${path} (${lang})`).toEqual(preprocess(text, lang));
        pieces += s.last.preprocessed;
      }
    }
    expect(pieces).toBeGreaterThan(1000); // pieces, not whole files
  });

  it('gives preprocess\'s result where a comment continued by a backslash runs past a body\'s end (found in review)', () => {
    const text = 'int f(void) { return 0; } // note \\\n_In_ int g(_In_ int x) { return x; }\nint h(void) { return 2; }\n';
    expect(new SegmentedPreprocessor('c').run(text)).toEqual(preprocess(text, 'c'));
  });

  it('gives preprocess\'s result where a `)` that closes nothing comes before a body\'s end (found by random edits of Windows-driver-samples: no cut after it)', () => {
    const text = '    Size);\nint f(void) {\n    if (g(x)) {\n    }\n}\n    p = (PVOID)(q;\n#ifndef FOO\n    if (a) {\n    }\n#endif\n';
    expect(new SegmentedPreprocessor('c').run(text)).toEqual(preprocess(text, 'c'));
    expect(chunkStarts(text, 1)).toEqual([0]);
    expect(chunkStarts(text.replace('Size);', 'Size;'), 1)).toEqual([0, text.indexOf('    p =') - 1]);
  });

  it('gives preprocess\'s result on mutated fixtures (1,000 cases)', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.nat(), fc.constantFrom('c' as const, 'cpp' as const), (seed, index, lang) => {
        const { text } = caseInput(seed, index, files);
        expect(new SegmentedPreprocessor(lang).run(text)).toEqual(preprocess(text, lang));
      }),
      { numRuns: 1000, seed: 20261122 },
    );
  });

  it('gives preprocess\'s result after each edit of a chain of random edits of a fixture (2,000 edits: each run reuses the pieces of the run before)', () => {
    const snippets = ['}', '{', '}\n', ')', '(', '\n', ' ', 'x', '#if 0\n', '#endif\n', '/*', '*/', '//', '"', 'catch', '_In_ ', 'int f(void) { return 0; }\n'];
    const edit = fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), cut: fc.nat(30), insert: fc.constantFrom(...snippets) });
    fc.assert(
      fc.property(fc.nat(files.length - 1), fc.array(edit, { minLength: 1, maxLength: 8 }), fc.constantFrom('c' as const, 'cpp' as const), (index, edits, lang) => {
        let text = files[index]!.text;
        const s = new SegmentedPreprocessor(lang);
        s.run(text);
        for (const e of edits) {
          const at = Math.floor(e.at * text.length);
          text = text.slice(0, at) + e.insert + text.slice(Math.min(text.length, at + (e.cut % 2 === 0 ? e.cut : 0)));
          expect(s.run(text)).toEqual(preprocess(text, lang));
        }
      }),
      { numRuns: 400, seed: 20261124 },
    );
  });

  it('after an edit inside a function, preprocesses that function only; the others are reused', () => {
    const text = files.find((f) => f.path.endsWith('goto-cleanup.c'))!.text;
    const s = new SegmentedPreprocessor('c');
    s.run(text);
    const total = s.last.preprocessed;
    expect(total).toBeGreaterThan(5);
    const at = text.indexOf('\n{\n') + 3; // inside the first function body written with its brace on a line of its own
    const edited = `${text.slice(0, at)} x${text.slice(at)}`;
    expect(s.run(edited)).toEqual(preprocess(edited, 'c'));
    expect(s.last).toEqual({ preprocessed: 1, reused: total - 1 });
    // and the language server's reparse uses it: the same file as a full parse
    let file = parseSource('goto-cleanup.c', text);
    file = reparseSource(file, edited);
    const full = parseSource('goto-cleanup.c', edited);
    expect(file.parsedText).toBe(full.parsedText);
    expect(file.annotations).toEqual(full.annotations);
    expect(file.tree.rootNode.toString()).toBe(full.tree.rootNode.toString());
  });
});
