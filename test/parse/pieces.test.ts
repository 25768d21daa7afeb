/**
 * Huge files parsed a piece at a time (src/parse/chunks.ts, `parseReleasedSteps` in
 * src/analysis/transfer.ts): the cuts fall only between top-level function definitions, and a file parsed
 * in pieces is the file parsed whole and released: the same function records, compact trees, constants,
 * annotations and findings. The thresholds are lowered here so that every fixture is cut wherever it can be.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fileConstants } from '../../src/analysis/constants.js';
import { runSteps } from '../../src/analysis/steps.js';
import { PIECES, parseReleased, parseReleasedAsync, parseReleasedSteps } from '../../src/analysis/transfer.js';
import { lintSource, lintText, lintTextAsync, prepareProject } from '../../src/lint/linter.js';
import { preprocess } from '../../src/parse/preprocess.js';
import { chunkStarts, chunkStartsAfterEdit, lastScan } from '../../src/parse/chunks.js';
import fc from 'fast-check';
import { caseInput } from '../../src/fuzz/fuzz.js';
import { isReleased, packTrees } from '../../src/parse/compact.js';
import type { SourceFile } from '../../src/parse/parser.js';
import { listSourceFiles } from '../support/expectations.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');
const saved = { ...PIECES };

/** What the analyses read of a released file. */
function contents(f: SourceFile) {
  return {
    lang: f.lang,
    parsedText: f.parsedText,
    functions: f.functions.map(({ node: _n, body: _b, ...rest }) => rest),
    trees: packTrees(f),
    constants: [...fileConstants(f)],
    annotations: f.annotations,
  };
}

/** The pieces a text is cut into at the smallest target (every possible cut). */
const cutsOf = (text: string) => chunkStarts(text, 1).map((k) => text.slice(0, k).split('\n').length);

describe('where a file is cut', () => {
  it('only on the line after a function body closed at the top level', () => {
    const text = [
      'typedef struct _S { int a; } S;', // 1
      'int f(void)', //                     2
      '{', //                               3
      '    if (x) { y(); }', //             4
      '}', //                               5
      'int g(void) { return 1; } // done', // 6
      'int h(void) { return 2; } int k;', //  7: more after the body on its line
      '#ifdef X', //                         8
      'int i(void) { return 3; }', //       9: inside an #if group
      '#endif', //                          10
      'static int t[] = { 1, 2 };', //      11: an initializer
      '/* { } */ int j(int a,', //          12
      '  int b) { return a; }', //          13
      'char *s = "}";', //                  14
      'int m(void) { return 4; }', //       15: the last line
    ].join('\n');
    // cuts after the bodies ending on lines 5, 6, 10 (the #endif line ends a group, then line 11 starts), 13
    expect(cutsOf(text)).toEqual([1, 6, 7, 14]);
  });

  it('not inside braces that are not a body, nor before a declarator that follows a brace on the next line', () => {
    const text = 'extern "C" {\nint f(void) { return 0; }\n}\ntypedef struct __declspec(align(16)) { int a; }\nS;\n';
    // no cut inside or after `extern "C" { }` (its brace follows a string); the anonymous struct's brace
    // follows `)`: a wrong cut before `S;`, which the pieces' parse errors catch (below)
    expect(cutsOf(text)).toEqual([1, 5]);
  });

  it('not inside a // comment continued by a backslash, nor between the handlers of a C++ function-try-block (found in review)', () => {
    // the compiler and tree-sitter read `int g` as part of the comment: no cut before it
    expect(cutsOf('int f(void) { return 0; } // note \\\nint g(void) { return 1; }\nint h(void) { return 2; }\n')).toEqual([1, 3]);
    // (the `#define` line is the comment's: the cut comes after it)
    expect(cutsOf('int f(void) { return 0; } // c:\\dir\\\r\n#define FLAG 4\r\nint g(void) { return FLAG; }\r\n')).toEqual([1, 3]);
    // `catch (...) { }` alone parses as a function named catch, without error
    expect(cutsOf('void f() try {\n}\ncatch (int) {\n}\ncatch (...) {\n}\nint g() { return 1; }\n')).toEqual([1, 7]);
  });

  it('pieces of at least the target length', () => {
    const fn = (k: number) => `int f${k}(void)\n{\n    return ${k};\n}\n`;
    const text = Array.from({ length: 100 }, (_, k) => fn(k)).join('');
    const starts = chunkStarts(text, 200);
    expect(starts[0]).toBe(0);
    for (let k = 1; k < starts.length; k++) expect(starts[k]! - starts[k - 1]!).toBeGreaterThanOrEqual(200);
    expect(text.length - starts[starts.length - 1]!).toBeLessThan(200 + fn(99).length);
    expect(starts.length).toBeGreaterThan(10);
  });
});

describe('the cuts after an edit (chunkStartsAfterEdit, the language server)', () => {
  const fixtures = listSourceFiles(FIXTURES).map((p) => readFileSync(p, 'utf8'));
  /** Text that moves cuts: braces, parentheses, groups, comments, literals, `catch`, line ends. */
  const snippets = ['}', '{', '}\n', ')', '(', '\n', ' ', 'x', '#if 0\n', '#endif\n', '/*', '*/', '//', '\\', '"', "'", 'catch', 'int f(void) { return 0; }\n', '\n}\ncatch (...) {}\n'];
  const edit = fc.record({ at: fc.double({ min: 0, max: 1, noNaN: true }), lineStart: fc.boolean(), cut: fc.nat(40), insert: fc.constantFrom(...snippets) });

  it('are chunkStarts of the edited text, on chains of random edits of every fixture (3,000 edits), at the smallest and a larger target', () => {
    fc.assert(
      fc.property(fc.nat(fixtures.length - 1), fc.array(edit, { minLength: 1, maxLength: 6 }), fc.constantFrom(1, 300), (index, edits, target) => {
        let text = fixtures[index]!;
        let starts = chunkStarts(text, target);
        for (const e of edits) {
          let at = Math.floor(e.at * text.length);
          if (e.lineStart) at = text.indexOf('\n', at) + 1; // where a cut is (0: the end of the text)
          const next = text.slice(0, at) + e.insert + text.slice(Math.min(text.length, at + (e.cut % 3 === 0 ? e.cut : 0)));
          starts = chunkStartsAfterEdit(text, starts, next, target);
          expect(starts).toEqual(chunkStarts(next, target));
          text = next;
        }
      }),
      { numRuns: 750, seed: 20261122 },
    );
  });

  it('are chunkStarts of a fixture mutated as the fuzzer mutates it, from the fixture\'s cuts (1,000 cases)', () => {
    const files = fixtures.map((text, k) => ({ path: String(k), text }));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 31 - 1 }), fc.nat(), (seed, index) => {
        const { text } = caseInput(seed, index, files);
        for (const base of [files[index % files.length]!.text, text.slice(0, text.length >> 1)]) {
          expect(chunkStartsAfterEdit(base, chunkStarts(base, 1), text, 1)).toEqual(chunkStarts(text, 1));
        }
      }),
      { numRuns: 1000, seed: 20261123 },
    );
  });

  it('drop a cut whose next token becomes `catch`, and make one where it stops being `catch`', () => {
    const text = 'void f(void) try {\n} catch (int) {\n}\nint x;\nint g(void) { return 0; }\n';
    const starts = chunkStarts(text, 1);
    expect(starts).toEqual([0, text.indexOf('int x')]);
    const handler = text.replace('int x;', 'catch (...) {\n}');
    expect(chunkStartsAfterEdit(text, starts, handler, 1)).toEqual(chunkStarts(handler, 1));
    expect(chunkStarts(handler, 1)).toEqual([0, handler.indexOf('int g')]);
    expect(chunkStartsAfterEdit(handler, chunkStarts(handler, 1), text, 1)).toEqual(starts);
  });

  it('scan the text around the edit only, and the same text gives the same cuts', () => {
    const fn = (k: number) => `int f${k}(void)\n{\n    return ${k};\n}\n`;
    const text = Array.from({ length: 1000 }, (_, k) => fn(k)).join('');
    const starts = chunkStarts(text, 1);
    expect(lastScan.to - lastScan.from).toBe(text.length);
    expect(chunkStartsAfterEdit(text, starts, text, 1)).toEqual(starts);
    const at = text.indexOf('return 500;');
    const edited = `${text.slice(0, at)} ${text.slice(at)}`;
    const after = chunkStartsAfterEdit(text, starts, edited, 1);
    expect(after).toEqual(chunkStarts(edited, 1));
    chunkStartsAfterEdit(text, starts, edited, 1);
    // from the cut before the function's, to the first cut after it: three functions
    expect(lastScan.from).toBe(text.indexOf('int f499('));
    expect(lastScan.to - lastScan.from).toBeLessThan(3 * fn(500).length + 2);
  });
});

describe('a file parsed in pieces', () => {
  beforeEach(() => Object.assign(PIECES, { min: 0, target: 1 }));
  afterEach(() => Object.assign(PIECES, saved));

  it('is the file parsed whole: records, compact trees, constants, annotations and findings (every fixture)', () => {
    let cut = 0;
    const files = listSourceFiles(FIXTURES);
    for (const path of files) {
      const text = readFileSync(path, 'utf8');
      const steps = parseReleasedSteps({ path, text });
      let pieces = 1;
      let r = steps.next();
      for (; !r.done; r = steps.next()) pieces++;
      const inPieces = r.value;
      const whole = parseReleased({ path, text });
      expect(isReleased(inPieces), path).toBe(true);
      expect(contents(inPieces), path).toEqual(contents(whole));
      expect(lintSource(inPieces).messages, path).toEqual(lintSource(whole).messages);
      if (pieces > 2) cut++;
    }
    // most fixtures have several functions: the comparison is of pieces, not of whole files
    expect(cut).toBeGreaterThan(files.length / 2);
  }, 120_000);

  it('is the file parsed whole where a cut was once wrong without an error (found in review)', () => {
    for (const [path, text] of [
      ['c1.c', 'int f(void) { return 0; } // note \\\nint g(void) { return 1; }\nint h(void) { return 2; }\n'],
      ['crlf.c', 'int f(void) { return 0; } // c:\\dir\\\r\n#define FLAG 4\r\nint g(void) { return FLAG; }\r\nint h(void) { return 2; }\r\n'],
      ['try.cpp', 'void f() try {\n}\ncatch (int) {\n}\ncatch (...) {\n}\nint g() { return 1; }\n'],
    ]) {
      const inPieces = runSteps(parseReleasedSteps({ path: path!, text: text! }));
      const whole = parseReleased({ path: path!, text: text! });
      expect(contents(inPieces), path).toEqual(contents(whole));
      expect(inPieces.functions.map((f) => f.name), path).toEqual(whole.functions.map((f) => f.name));
    }
  });

  it('with an error in a piece (a wrong cut, or a syntax error), is parsed whole', () => {
    for (const text of ['int f(void) { return 0; }\ntypedef struct __declspec(align(16)) { int a; }\nS;\nint g(void) { return 1; }\n', 'int f(void) { return 0; }\nint g(void) { return 1 }\nint h(void) { return 2; }\n']) {
      const steps = parseReleasedSteps({ path: 'e.c', text });
      let r = steps.next();
      let yields = 0;
      for (; !r.done; r = steps.next()) yields++;
      expect(yields).toBeLessThan(chunkStarts(text, 1).length); // stopped at the piece with the error
      expect(contents(r.value)).toEqual(contents(parseReleased({ path: 'e.c', text })));
    }
  });

  it('lintTextAsync (the command line, for a file outside the program) gives lintText\'s result', async () => {
    for (const path of listSourceFiles(FIXTURES).filter((_, k) => k % 5 === 0)) {
      const text = readFileSync(path, 'utf8');
      expect(await lintTextAsync(text, path), path).toEqual(lintText(text, path));
    }
    expect((await parseReleasedAsync({ path: 'x.c', text: 'int f(void) { return 0; }\nint g(void) { return 1; }\n' })).functions.map((f) => f.name)).toEqual(['f', 'g']);
  });
});

describe('the command on a file of more than 1 MiB', () => {
  afterEach(() => Object.assign(PIECES, saved));

  it('in worker threads, each file parsed in pieces by a worker: the findings of the file parsed whole', () => {
    const fixture = readFileSync(join(FIXTURES, 'mdl-unmatched-lock', 'loops-and-chains.c'), 'utf8').replace(/\/\/ expect:.*$/gm, '');
    const text = Array.from({ length: Math.ceil((1.1 * 1024 * 1024) / fixture.length) }, () => fixture).join('\n');
    expect(text.length).toBeGreaterThanOrEqual(PIECES.min);
    expect(chunkStarts(preprocess(text, 'c').text, PIECES.target).length).toBeGreaterThan(3);
    const dir = mkdtempSync(join(tmpdir(), 'ddi-lint-pieces-'));
    try {
      const path = join(dir, 'big.c');
      writeFileSync(path, text);
      const bin = new URL('../../bin/ddi-lint.js', import.meta.url).pathname;
      const r = spawnSync(process.execPath, [bin, path, '--threads', '2', '--format', 'json'], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, timeout: 120_000 });
      expect(r.status, r.stderr).toBe(1);
      const threads = (JSON.parse(r.stdout) as { messages: { ruleId: string; line: number; column: number; message: string }[] }[])[0]!.messages;
      // the same file parsed whole, on this thread
      PIECES.min = Infinity;
      const project = prepareProject([{ path, text }], dir);
      const whole = lintText(text, path, { project, once: true }).messages;
      const pick = (ms: readonly { ruleId: string | null; line: number; column: number; message: string }[]) => ms.map((m) => `${m.ruleId}@${m.line}:${m.column} ${m.message}`);
      expect(whole.length).toBeGreaterThan(100);
      expect(pick(threads)).toEqual(pick(whole));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 180_000);
});
