/**
 * A released file's text kept as a patch over its preprocessed text (src/parse/source-text.ts): read
 * whole or in slices, it is the text as read, character for character, whatever its line ends, encoding
 * or annotations, and whichever files are read in between; and the findings, their positions and the
 * source a report shows are those of a program whose files keep their texts whole.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parseSource, type SourceFile } from '../../src/parse/parser.js';
import { keepTextAsPatch, ownCopy, setAsideTexts, sourceSlice, textKeptAsPatch } from '../../src/parse/source-text.js';
import { storedStats } from '../../src/parse/stored-text.js';
import { releaseParsed } from '../../src/analysis/transfer.js';
import { decodeBytes } from '../../src/parse/decode.js';
import { lintText, prepareProject, prepareProjectAsync } from '../../src/lint/linter.js';
import { listSourceFiles } from '../support/expectations.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');

/** A driver source with annotations (blanked by the preprocessor), macros, a finding, non-ASCII comments. */
const DRIVER = [
  '// Gerät – pilote (UTF-16 and non-Latin-1 characters: “quotes”, 😀)',
  '#include <ntddk.h>',
  '_IRQL_requires_max_(DISPATCH_LEVEL)',
  '_IRQL_raises_(DISPATCH_LEVEL)',
  'VOID Raise(_Out_ PKIRQL Old) { KeRaiseIrql(DISPATCH_LEVEL, Old); }',
  '',
  '_Dispatch_type_(IRP_MJ_CREATE) DRIVER_DISPATCH DispatchCreate;',
  'NTSTATUS DispatchCreate(_In_ PDEVICE_OBJECT D, _Inout_ PIRP Irp) {',
  '    KIRQL old; UNREFERENCED_PARAMETER(D);',
  '    Raise(&old);',
  '    /* “é” */ KeDelayExecutionThread(KernelMode, FALSE, NULL);',
  '    KeLowerIrql(old);',
  '    return STATUS_SUCCESS;',
  '}',
  '',
].join('\n');

function released(path: string, text: string): SourceFile {
  const f = releaseParsed(parseSource(path, text));
  keepTextAsPatch(f);
  return f;
}

/** Ranges to read: every kind of bound `slice` takes. */
function ranges(n: number, seed: number): [number, number][] {
  let x = seed;
  const rnd = (k: number) => ((x = (x * 1103515245 + 12345) >>> 0) % Math.max(1, k));
  const out: [number, number][] = [[0, n], [0, 0], [n, n], [-5, n], [3, -2], [n - 1, n + 10], [-n - 5, 4], [10, 3]];
  for (let k = 0; k < 40; k++) {
    const a = rnd(n + 1);
    out.push([a, a + rnd(400)]);
  }
  return out;
}

describe('a text kept as a patch', () => {
  it('is the text as read, whole and in slices, for every fixture file, with \\n and \\r\\n line ends', () => {
    let patched = 0;
    for (const path of listSourceFiles(FIXTURES)) {
      const lf = readFileSync(path, 'utf8').replace(/\r\n/g, '\n');
      for (const text of [lf, lf.replace(/\n/g, '\r\n')]) {
        const f = released(path, text);
        if (textKeptAsPatch(f)) patched++;
        expect(f.text === text, path).toBe(true);
        for (const [s, e] of ranges(text.length, text.length)) expect(sourceSlice(f, s, e), `${path} [${s}, ${e})`).toBe(text.slice(s, e));
      }
    }
    expect(patched).toBeGreaterThan(100);
  });

  it('reads each file right when files are read in turn (slices of one, whole texts of others)', () => {
    const texts = [DRIVER, DRIVER.replace(/\n/g, '\r\n'), DRIVER.replace('Raise', 'RaiseTo'), `${DRIVER}\nint trailing;`];
    const files = texts.map((t, k) => released(`/t/f${k}.c`, t));
    for (let round = 0; round < 3; round++) {
      for (let k = 0; k < files.length; k++) {
        const j = (k * 3 + round) % files.length;
        expect(sourceSlice(files[j]!, 40, 160)).toBe(texts[j]!.slice(40, 160));
        expect(files[k]!.text).toBe(texts[k]);
        expect(sourceSlice(files[k]!, 5, 90)).toBe(texts[k]!.slice(5, 90));
      }
    }
  });

  it('is exact for a UTF-16 file with characters outside Latin-1', () => {
    const bytes = Buffer.from(`\ufeff${DRIVER.replace(/\n/g, '\r\n')}`, 'utf16le');
    const decoded = decodeBytes(bytes);
    expect(decoded.ok).toBe(true);
    const text = decoded.ok ? decoded.text : '';
    const f = released('/t/utf16.c', text);
    expect(textKeptAsPatch(f)).toBe(true);
    expect(f.text).toBe(text);
    for (const [s, e] of ranges(text.length, 7)) expect(sourceSlice(f, s, e)).toBe(text.slice(s, e));
  });

  it('is the preprocessed text itself when the two are equal, and is replaced by a text set later', () => {
    const plain = 'int add(int a, int b) { return a + b; }\n';
    const f = released('/t/plain.c', plain);
    expect(textKeptAsPatch(f)).toBe(false);
    expect(f.text).toBe(plain);
    const g = released('/t/g.c', DRIVER);
    expect(textKeptAsPatch(g)).toBe(true);
    g.text = 'replaced';
    expect(textKeptAsPatch(g)).toBe(false);
    expect(g.text).toBe('replaced');
    expect(sourceSlice(g, 0, 3)).toBe('rep');
  });

  it('ownCopy gives an equal string, short or long, whatever its characters', () => {
    const long = `${DRIVER}\ud800 lone surrogate`;
    for (const s of ['', 'short', 'DispatchCreate_', long, long.slice(20, 70), '12345678901234567890']) expect(ownCopy(s)).toBe(s);
  });
});

describe('a program whose files keep their texts as patches (the command line)', () => {
  const inputs = [
    { path: '/w/helper.c', text: DRIVER.replace('DispatchCreate', 'Unused').replace(/\n/g, '\r\n') },
    { path: '/w/main.c', text: DRIVER.replace('Raise(&old);', 'Raise(&old); Raise(&old);') },
    { path: '/w/utf16.c', text: DRIVER.replace('Raise', 'RaiseTwo') },
  ];

  it('hands each text over (`onHeld`), and lints as a program whose files keep their texts whole', async () => {
    const held = new Map<string, () => string>();
    const patched = await prepareProjectAsync(inputs, '/w', { onHeld: (path, text) => held.set(path, text) });
    const whole = prepareProject(inputs, '/w');
    expect([...held.keys()].sort()).toEqual(inputs.map((i) => i.path).sort());
    for (const i of inputs) {
      expect(held.get(i.path)!()).toBe(i.text);
      expect(textKeptAsPatch(patched.sourceFor(i.path, i.text)!)).toBe(true);
      expect(textKeptAsPatch(whole.sourceFor(i.path, i.text)!)).toBe(false);
    }
    let findings = 0;
    for (const i of inputs) {
      const a = lintText(i.text, i.path, { project: patched });
      const b = lintText(i.text, i.path, { project: whole });
      expect(a).toEqual(b);
      findings += a.messages.length;
    }
    expect(findings).toBeGreaterThan(0);
  });

  it("reads every file's text for the whole-program passes while it is at hand: linting one file inflates a few texts, not every file's", async () => {
    // every fixture as one program, as the command line builds it, each text then let go (as once linted)
    const all = listSourceFiles(FIXTURES).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
    const project = await prepareProjectAsync(all, FIXTURES, { onHeld: () => {} });
    const files = project.allFiles();
    for (const f of files) setAsideTexts(f);
    const one = all.find((i) => i.path.endsWith(join('irql-too-high', 'spinlocks.c')))!;
    const before = storedStats.textInflated;
    const result = lintText(one.text, one.path, { project });
    expect(result.messages.length).toBeGreaterThan(0);
    // (the IRQL analysis's annotation, role, registration and pageable-section indexes, and its program-wide
    // flags, read every file: before they were read while held, this was one inflation per file of the program)
    expect(files.length).toBeGreaterThan(100);
    expect(storedStats.textInflated - before).toBeLessThan(10);
  });
});
