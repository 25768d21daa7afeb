/**
 * The language server's incremental linting equals a full lint of the same program: random edit
 * sequences on fixture files (typing in a body, deleting or duplicating lines, new lines, edits between
 * functions, renamed calls), after each edit the findings of the edited document (and of another open
 * document of the same program) are compared with `lintText` over a freshly prepared project.
 * Also: `reparseSource` gives the tree a full parse gives.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { fileConstants } from '../../src/analysis/constants.js';
import { lintText, prepareProject } from '../../src/lint/linter.js';
import type { LintResult } from '../../src/lint/types.js';
import { parseSource, reparseSource } from '../../src/parse/parser.js';
import { DocumentLinter, Program } from '../../src/lsp/program.js';

const FIXTURES = new URL('../../fixtures/', import.meta.url).pathname;

function dirInputs(dir: string): { path: string; text: string }[] {
  return readdirSync(join(FIXTURES, dir))
    .filter((f) => /\.(c|cpp|h)$/.test(f))
    .sort()
    .map((f) => ({ path: join(FIXTURES, dir, f), text: readFileSync(join(FIXTURES, dir, f), 'utf8') }));
}

const view = (r: LintResult | undefined) =>
  [...(r?.messages ?? []), ...(r?.suppressedMessages ?? [])].map((m) => `${m.line}:${m.column} ${m.ruleId} ${m.messageId} ${m.message}`).sort();

type Edit = { kind: 'type' | 'delete-line' | 'dup-line' | 'newline' | 'delete-char' | 'gap' | 'rename-call'; at: number; ch: string };

function applyEdit(text: string, e: Edit): string {
  const lines = text.split('\n');
  const pos = Math.floor(e.at * text.length);
  const line = Math.floor(e.at * lines.length);
  switch (e.kind) {
    case 'type':
      return text.slice(0, pos) + e.ch + text.slice(pos);
    case 'delete-char':
      return text.slice(0, pos) + text.slice(pos + 1);
    case 'newline':
      return `${text.slice(0, pos)}\n${text.slice(pos)}`;
    case 'delete-line':
      lines.splice(line, 1);
      return lines.join('\n');
    case 'dup-line':
      lines.splice(line, 0, lines[line] ?? '');
      return lines.join('\n');
    case 'gap':
      return `${text}\n/* ${e.ch} */\n`;
    case 'rename-call': {
      // swap one MDL or IRQL call for another: changes summaries and contexts
      const swaps: [RegExp, string][] = [
        [/\bMmUnlockPages\b/, 'IoFreeMdl'],
        [/\bKeReleaseSpinLock\b/, 'KeLowerIrql'],
        [/\bIoFreeMdl\b/, 'MmUnlockPages'],
        [/\bExFreePool\b/, 'KeDelayExecutionThread'],
      ];
      const [re, to] = swaps[Math.floor(e.at * swaps.length)]!;
      return text.replace(re, to);
    }
  }
}

const editArb = fc.record({
  kind: fc.constantFrom<Edit['kind']>('type', 'type', 'type', 'delete-char', 'newline', 'delete-line', 'dup-line', 'gap', 'rename-call'),
  at: fc.double({ min: 0, max: 0.999, noNaN: true }),
  ch: fc.constantFrom('x', ';', '{', '}', ' ', '(', 'if (a) ', 'return 0;', 'MmUnlockPages(Mdl);', 'KeRaiseIrql(DISPATCH_LEVEL, &old);'),
});

describe('reparseSource', () => {
  it('gives the same tree and functions as a full parse after random edits', () => {
    const inputs = dirInputs('mdl-unmatched-lock');
    fc.assert(
      fc.property(fc.integer({ min: 0, max: inputs.length - 1 }), fc.array(editArb, { minLength: 1, maxLength: 6 }), (k, edits) => {
        const input = inputs[k]!;
        let file = parseSource(input.path, input.text);
        let text = input.text;
        for (const e of edits) {
          text = applyEdit(text, e);
          file = reparseSource(file, text);
          const full = parseSource(input.path, text);
          expect(file.tree.rootNode.toString()).toBe(full.tree.rootNode.toString());
          expect(file.functions.map((f) => `${f.name}@${f.start}-${f.bodyEnd}`)).toEqual(full.functions.map((f) => `${f.name}@${f.start}-${f.bodyEnd}`));
        }
      }),
      { numRuns: 40, seed: 7 },
    );
  });
});

describe('incremental linting', () => {
  for (const dir of ['mdl-unmatched-lock', 'irql-not-restored', 'spinlock-unbalanced', 'mdl-probe-outside-try', 'irql-too-high']) {
    it(`equals a full lint after random edits (${dir})`, () => {
      const inputs = dirInputs(dir);
      fc.assert(
        fc.property(fc.integer({ min: 0, max: inputs.length - 1 }), fc.array(editArb, { minLength: 1, maxLength: 5 }), (k, edits) => {
          const program = new Program({ root: FIXTURES });
          for (const i of inputs) program.setText(i.path, i.text);
          const edited = inputs[k]!;
          const other = inputs[(k + 1) % inputs.length]!;
          const doc = new DocumentLinter(edited.path);
          const otherDoc = new DocumentLinter(other.path);
          doc.lint(program, {});
          otherDoc.lint(program, {});
          const texts = new Map(inputs.map((i) => [i.path, i.text]));
          for (const e of edits) {
            const text = applyEdit(texts.get(edited.path)!, e);
            texts.set(edited.path, text);
            program.setText(edited.path, text);
            const project = prepareProject([...texts].map(([path, t]) => ({ path, text: t })), FIXTURES);
            expect(view(doc.lint(program, {}))).toEqual(view(lintText(text, edited.path, { project })));
            if (other.path !== edited.path) expect(view(otherDoc.lint(program, {}))).toEqual(view(lintText(texts.get(other.path)!, other.path, { project })));
          }
        }),
        { numRuns: 25, seed: 11 },
      );
    });
  }

  it('re-lints only the edited function when an edit inside a body touches no other function', () => {
    const inputs = dirInputs('mdl-unmatched-lock');
    const input = inputs.find((i) => i.path.endsWith('goto-cleanup.c'))!;
    const program = new Program({ root: FIXTURES });
    program.setText(input.path, input.text);
    const doc = new DocumentLinter(input.path);
    doc.lint(program, {});
    const file = program.sourceOf(input.path)!;
    expect(file.functions.length).toBeGreaterThan(3);
    // type a space inside the last function's body
    const fn = file.functions[file.functions.length - 1]!;
    const at = fn.bodyStart + 1;
    program.setText(input.path, input.text.slice(0, at) + ' ' + input.text.slice(at));
    doc.lint(program, {});
    expect(doc.last.relinted).toBe(1);
    expect(doc.last.reused).toBe(file.functions.length - 1);
  });
});

describe('a rule that throws', () => {
  it('gives an internal-error message for each function it fails on; the other findings and functions stay', async () => {
    const { vi } = await import('vitest');
    const { rulesById } = await import('../../rules/index.js');
    const inputs = dirInputs('mdl-unmatched-lock');
    const input = inputs.find((i) => i.path.endsWith('goto-cleanup.c'))!;
    const program = new Program({ root: FIXTURES });
    program.setText(input.path, input.text);
    const doc = new DocumentLinter(input.path);
    const before = doc.lint(program, {})!;
    const rule = rulesById.get('mdl-free-while-locked')!;
    const spy = vi.spyOn(rule, 'check').mockImplementation(() => {
      throw new Error('boom');
    });
    try {
      program.setText(input.path, `${input.text}\n`);
      const after = doc.lint(program, {})!;
      const internal = after.messages.filter((m) => m.ruleId === null);
      expect(internal.length).toBeGreaterThan(0);
      expect(internal.every((m) => /internal error in rule 'mdl-free-while-locked' on function '\w+': boom/.test(m.message))).toBe(true);
      // every other rule's findings are unchanged
      const others = (r: typeof before) => r.messages.filter((m) => m.ruleId && m.ruleId !== 'mdl-free-while-locked').map((m) => `${m.line}:${m.column} ${m.ruleId}`);
      expect(others(after)).toEqual(others(before));
    } finally {
      spy.mockRestore();
    }
  });
});

describe('constants', () => {
  it('a changed #define outside the edited function changes the helper summary and the findings it drives', () => {
    const h = (v: number) => `#define DO_LOCK ${v}\nVOID LockIt(PMDL m)\n{\n    if (DO_LOCK) {\n        __try {\n            MmProbeAndLockPages(m, UserMode, IoReadAccess);\n        } __except (EXCEPTION_EXECUTE_HANDLER) {\n            return;\n        }\n    }\n}\n`;
    const main = `VOID UseIt(PVOID b, ULONG n)\n{\n    PMDL mdl = IoAllocateMdl(b, n, FALSE, FALSE, NULL);\n    if (mdl == NULL) {\n        return;\n    }\n    LockIt(mdl);\n    IoFreeMdl(mdl);\n}\n`;
    const program = new Program({ root: '/w' });
    program.setText('/w/h.c', h(1));
    program.setText('/w/main.c', main);
    const doc = new DocumentLinter('/w/main.c');
    const full = (v: number) => view(lintText(main, '/w/main.c', { project: prepareProject([{ path: '/w/h.c', text: h(v) }, { path: '/w/main.c', text: main }], '/w') }));
    expect(view(doc.lint(program, {}))).toEqual(full(1));
    expect(full(1).length).toBeGreaterThan(0);
    for (const v of [0, 1, 0]) {
      program.setText('/w/h.c', h(v));
      expect(view(doc.lint(program, {}))).toEqual(full(v));
    }
    // a #define inside a function body
    const inBody = (v: number) => `VOID Other(VOID)\n{\n#define DO_LOCK ${v}\n}\n${h(1).split('\n').slice(1).join('\n')}`;
    for (const v of [1, 0]) {
      program.setText('/w/h.c', inBody(v));
      const expected = view(lintText(main, '/w/main.c', { project: prepareProject([{ path: '/w/h.c', text: inBody(v) }, { path: '/w/main.c', text: main }], '/w') }));
      expect(view(doc.lint(program, {}))).toEqual(expected);
    }
  });
});

describe('constants after an edit', () => {
  it('are the earlier version\'s when no text changed outside the function definitions, and read again otherwise', () => {
    const text = (v: number, body: string) => `#define FLAG ${v}\nenum { A = FLAG + 1 };\nint f(int x)\n{\n    return x & FLAG;${body}\n}\n`;
    const program = new Program({ root: '/w' });
    program.setText('/w/c.c', text(2, ''));
    program.current();
    const first = program.sourceOf('/w/c.c')!;
    expect([...fileConstants(first)]).toEqual([['FLAG', 2], ['A', 3]]);
    program.setText('/w/c.c', text(2, ' '));
    const typed = program.sourceOf('/w/c.c')!;
    expect(fileConstants(typed)).toBe(fileConstants(first)); // shared, not read again
    program.setText('/w/c.c', text(4, ' '));
    const redefined = program.sourceOf('/w/c.c')!;
    expect([...fileConstants(redefined)]).toEqual([['FLAG', 4], ['A', 5]]);
    // and a version with a syntax error is read from its own tree
    program.setText('/w/c.c', text(4, ' (') );
    const broken = program.sourceOf('/w/c.c')!;
    expect(fileConstants(broken)).not.toBe(fileConstants(redefined));
    expect(fileConstants(broken).get('FLAG')).toBe(4);
  });
});

describe('edits that change another function\'s findings', () => {
  const check = (files: Record<string, string>, edits: [string, string, string][], open: string) => {
    const program = new Program({ root: '/w' });
    for (const [p, t] of Object.entries(files)) program.setText(`/w/${p}`, t);
    const doc = new DocumentLinter(`/w/${open}`);
    const full = () => {
      const project = prepareProject(program.paths().map((p) => ({ path: p, text: program.textOf(p)! })), '/w');
      return view(lintText(program.textOf(`/w/${open}`)!, `/w/${open}`, { project }));
    };
    expect(view(doc.lint(program, {}))).toEqual(full());
    const seen = new Set<string>();
    for (const [p, from, to] of edits) {
      program.setText(`/w/${p}`, program.textOf(`/w/${p}`)!.replace(from, to));
      const expected = full();
      seen.add(JSON.stringify(expected));
      expect(view(doc.lint(program, {}))).toEqual(expected);
    }
    expect(seen.size).toBeGreaterThan(1); // the edits did change the open document's findings
  };

  it('a helper body edited in another file: the caller\'s finding comes and goes (summary upwards)', () => {
    check(
      {
        'h.c': 'VOID LockIt(PMDL m)\n{\n    __try {\n        MmProbeAndLockPages(m, UserMode, IoReadAccess);\n    } __except (EXCEPTION_EXECUTE_HANDLER) {\n        return;\n    }\n}\n',
        'main.c': 'VOID UseIt(PVOID b, ULONG n)\n{\n    PMDL mdl = IoAllocateMdl(b, n, FALSE, FALSE, NULL);\n    if (mdl == NULL) {\n        return;\n    }\n    LockIt(mdl);\n    IoFreeMdl(mdl);\n}\n',
      },
      [
        // the helper stays a helper with MDL effects; what it leaves the MDL in changes
        ['h.c', '        return;\n    }\n}', '        return;\n    }\n    MmUnlockPages(m);\n}'],
        ['h.c', '    MmUnlockPages(m);\n}', '}'],
        ['h.c', 'MmProbeAndLockPages(m, UserMode, IoReadAccess);', 'KeStallExecutionProcessor(1);'],
        ['h.c', 'KeStallExecutionProcessor(1);', 'MmProbeAndLockPages(m, UserMode, IoReadAccess);'],
      ],
      'main.c',
    );
  });

  it('a caller edited in another file: the helper\'s IRQL finding comes and goes (context downwards)', () => {
    check(
      {
        'caller.c': 'VOID Caller(PKEVENT e)\n{\n    KIRQL old;\n    KeRaiseIrql(DISPATCH_LEVEL, &old);\n    WaitHelper(e);\n    KeLowerIrql(old);\n}\n',
        'helper.c': 'VOID WaitHelper(PKEVENT e)\n{\n    KeWaitForSingleObject(e, Executive, KernelMode, FALSE, NULL);\n}\n',
      },
      [
        ['caller.c', 'KeRaiseIrql(DISPATCH_LEVEL, &old);', 'old = KeGetCurrentIrql();'],
        ['caller.c', 'old = KeGetCurrentIrql();', 'KeRaiseIrql(DISPATCH_LEVEL, &old);'],
      ],
      'helper.c',
    );
  });
});
