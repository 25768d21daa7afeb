/**
 * The rule pages under docs/rules/ are tested like code (in the spirit of typescript-eslint's docs
 * test): every C/C++ example is linted with the real linter and must behave as the page says.
 *
 * Contract for a page docs/rules/<rule-id>.md:
 *
 * - Every fenced block tagged `c` or `cpp` (```c / ```cpp) is an example, and the nearest heading
 *   above it says which kind. Blocks in other languages (json, sh, xml...) are not linted. A C/C++
 *   block under any other heading fails the test, so no example escapes checking.
 *     - Heading text starting with "Incorrect": the block must yield at least one finding of the
 *       page's rule, and exactly the findings its markers announce. A marker is a trailing line
 *       comment `// ← messageId` (several: `// ← idA, idB`) on the line the finding is reported
 *       at; the set of (line, messageId) findings of the page's rule must equal the set of markers.
 *       The block must yield no finding of any other rule (an example shows one defect at a time).
 *     - Heading text starting with "Correct": no finding of any rule, and no markers.
 *     - Heading text starting with "Suppressed": no reported finding, and at least one finding of
 *       the page's rule in `suppressedMessages` (the suppression directive shown really works).
 * - Every block must parse cleanly: at least one function, no function with parse errors (the
 *   analysis skips those, which would make a "Correct" example pass for the wrong reason), and no
 *   internal error.
 * - Every messageId of the rule is demonstrated by at least one marker in an "Incorrect" block and
 *   named on the page in backticks; the page has at least one Incorrect and one Correct example;
 *   it cites every bug check the rule's meta lists (`meta.simulator.bugChecks`) and every Code
 *   Analysis warning (`meta.caWarnings`, as C28125); it has "Options" and "When not to use it"
 *   sections; its title is the rule id.
 * - Every ```text block on a page that quotes a finding (it contains "(path: ") is, word for word,
 *   the message of a finding of one of the page's Incorrect examples.
 * - Every page belongs to a rule (the inventory test checks the converse).
 *
 * The README is checked too: the finding lines of the Quick start excerpt are real output for the
 * file they are listed under, and every ```json block of the README and the rule pages that looks
 * like a configuration (it has "rules", "ignorePatterns" or "root") is a valid ddi-lint.config.json.
 *
 * Examples are linted with the default configuration (every rule at its default severity), under
 * the file name `example.c` or `example.cpp`, which picks the grammar.
 *
 * The runtime simulator (src/sim, which shares nothing with the linter's analysis) is the second
 * judge: for a rule whose `meta.simulator` says its findings are faults, every function of an
 * Incorrect example must fault exactly on the marked lines (faults mapped to rules and placed as in the
 * fixture validation: `rulesForFault(kind, fault)` of src/validation/mapping.ts, which uses the fault's
 * context, so a NULL dereference counts for mdl-unchecked-system-address only when the NULL is a failed
 * system-address mapping; `attributeFault` of src/validation/fixtures.ts, so a fault a helper shows only
 * when called in a given state is placed at the caller's call), and a Correct example must have no
 * faulting path.
 * Suppressed examples are not simulated: a suppression records a judgement the code alone does not
 * show.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigValidator } from '../src/lint/config.js';
import { allRules, lintText } from '../src/lint/linter.js';
import type { LintResult } from '../src/lint/types.js';
import { parseSource } from '../src/parse/parser.js';
import { SimProgram, simulateFunction, type FunctionSimResult } from '../src/sim/simulate.js';
import { attributeFault } from '../src/validation/fixtures.js';
import { rulesForFault } from '../src/validation/mapping.js';

const ROOT = new URL('..', import.meta.url).pathname;
const DOCS = join(ROOT, 'docs', 'rules');

export type ExampleKind = 'incorrect' | 'correct' | 'suppressed';

export interface Heading {
  level: number;
  text: string;
  line: number; // 1-based line in the page
}

export interface CodeBlock {
  lang: string;
  code: string;
  /** 1-based page line of the block's first code line. */
  line: number;
  heading: Heading | undefined;
}

/** Headings and fenced code blocks of a Markdown page (CommonMark fences: ``` or ~~~, 3 or more). */
export function parseMarkdown(text: string): { headings: Heading[]; blocks: CodeBlock[] } {
  const headings: Heading[] = [];
  const blocks: CodeBlock[] = [];
  const lines = text.split(/\r?\n/);
  let fence: { marker: string; lang: string; start: number; body: string[]; heading: Heading | undefined } | null = null;
  lines.forEach((l, i) => {
    if (fence) {
      const close = /^ {0,3}(`{3,}|~{3,})\s*$/.exec(l);
      if (close && close[1]![0] === fence.marker[0] && close[1]!.length >= fence.marker.length) {
        blocks.push({ lang: fence.lang, code: fence.body.join('\n') + '\n', line: fence.start + 1, heading: fence.heading });
        fence = null;
      } else fence.body.push(l);
      return;
    }
    const open = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/.exec(l);
    if (open) {
      fence = { marker: open[1]!, lang: open[2]!.toLowerCase(), start: i + 1, body: [], heading: headings[headings.length - 1] };
      return;
    }
    const h = /^ {0,3}(#{1,6})\s+(.*?)\s*#*\s*$/.exec(l);
    if (h) headings.push({ level: h[1]!.length, text: h[2]!, line: i + 1 });
  });
  if (fence) throw new Error(`unclosed code fence opened at line ${(fence as { start: number }).start}`);
  return { headings, blocks };
}

const C_LANGS: Record<string, string> = { c: 'example.c', cpp: 'example.cpp', 'c++': 'example.cpp' };

export function exampleKind(heading: Heading | undefined): ExampleKind | undefined {
  if (!heading) return undefined;
  if (/^Incorrect\b/.test(heading.text)) return 'incorrect';
  if (/^Correct\b/.test(heading.text)) return 'correct';
  if (/^Suppressed\b/.test(heading.text)) return 'suppressed';
  return undefined;
}

const MARKER = /\/\/\s*←\s*([A-Za-z_][A-Za-z0-9_]*(?:\s*,\s*[A-Za-z_][A-Za-z0-9_]*)*)\s*$/;

/** `line messageId` for every `// ← messageId` marker of a block (lines relative to the block). */
export function readMarkers(code: string): { line: number; messageId: string }[] {
  const out: { line: number; messageId: string }[] = [];
  code.split('\n').forEach((l, i) => {
    const m = MARKER.exec(l);
    if (!m) return;
    for (const id of m[1]!.split(',')) out.push({ line: i + 1, messageId: id.trim() });
  });
  return out;
}

/**
 * Simulated faults of every function of an example, as `line rule-id`, placed as the fixture validation
 * places them (`attributeFault`): a fault inside a helper belongs to the helper when simulating the
 * helper alone shows it there, and otherwise to the caller's call of the helper (cross-function findings
 * are reported at that call).
 */
function simulatedFindings(code: string, fileName: string): { findings: string[]; details: string[]; capped: string[] } {
  const prog = new SimProgram(parseSource(fileName, code));
  const findings = new Set<string>();
  const details: string[] = [];
  const capped: string[] = [];
  const results = prog.defs.map((def) => simulateFunction(prog, def));
  const own = new Map<string, FunctionSimResult>();
  prog.defs.forEach((def, i) => {
    if (!own.has(def.name)) own.set(def.name, results[i]!);
  });
  prog.defs.forEach((def, i) => {
    const r = results[i]!;
    if (r.capped) capped.push(def.name);
    for (const fault of r.faults) {
      const at = attributeFault(fault, def.name, own);
      // by kind, refined by the fault's context: a NULL MDL handed to a DDI is not mdl-unchecked-system-address
      for (const rule of rulesForFault(fault.kind, fault)) {
        const key = `${at.line} ${rule}`;
        if (findings.has(key)) continue;
        findings.add(key);
        details.push(`${key}: ${fault.kind} (simulating ${def.name}) on path ${fault.path.decisions.map((d) => `${d.line}: ${d.label}`).join('; ')}`);
      }
    }
  });
  return { findings: [...findings].sort(), details, capped };
}

function describeMessages(r: LintResult): string[] {
  return r.messages.map((m) => `${m.line}:${m.column} ${m.ruleId ?? '(internal)'}/${m.messageId ?? ''} ${m.message}`);
}

const pages = readdirSync(DOCS)
  .filter((f) => f.endsWith('.md'))
  .sort();

describe('docs test harness', () => {
  it('reads headings, fences and markers', () => {
    const md = ['# r', '', '## Incorrect: x', '', '```c', 'a(); // ← idA, idB', '~~~', '```', '', '~~~~cpp', 'b();', '~~~~', '## Correct', '```json', '{}', '```'].join('\n');
    const { headings, blocks } = parseMarkdown(md);
    expect(headings.map((h) => h.text)).toEqual(['r', 'Incorrect: x', 'Correct']);
    expect(blocks.map((b) => [b.lang, b.line, b.heading?.text])).toEqual([
      ['c', 6, 'Incorrect: x'],
      ['cpp', 11, 'Incorrect: x'],
      ['json', 15, 'Correct'],
    ]);
    expect(blocks[0]!.code).toBe('a(); // ← idA, idB\n~~~\n');
    expect(readMarkers(blocks[0]!.code)).toEqual([
      { line: 1, messageId: 'idA' },
      { line: 1, messageId: 'idB' },
    ]);
    expect(exampleKind(headings[1])).toBe('incorrect');
    expect(exampleKind(headings[2])).toBe('correct');
    expect(exampleKind({ level: 3, text: 'Why', line: 1 })).toBeUndefined();
    expect(() => parseMarkdown('```c\nx();\n')).toThrow(/unclosed/);
  });
});

describe('rule pages', () => {
  it('exist', () => {
    expect(pages.length).toBeGreaterThan(0);
  });

  for (const page of pages) {
    const id = basename(page, '.md');
    const rule = allRules.find((r) => r.meta.id === id);
    const text = readFileSync(join(DOCS, page), 'utf8');
    const { headings, blocks } = parseMarkdown(text);
    const examples = blocks.filter((b) => b.lang in C_LANGS);

    describe(page, () => {
      it('documents an existing rule', () => {
        expect(rule, `docs/rules/${page} has no rule '${id}' in rules/index.ts`).toBeDefined();
      });
      if (!rule) return;
      const meta = rule.meta;

      it('has the required structure', () => {
        expect(headings[0]?.level, 'first heading is the title').toBe(1);
        expect(headings[0]?.text).toBe(id);
        const titles = headings.map((h) => h.text);
        expect(titles.some((t) => /^Options\b/.test(t)), 'an "Options" section').toBe(true);
        expect(titles.some((t) => /^When not to use it\b/.test(t)), 'a "When not to use it" section').toBe(true);
        expect(examples.filter((b) => exampleKind(b.heading) === 'incorrect').length, 'Incorrect examples').toBeGreaterThan(0);
        expect(examples.filter((b) => exampleKind(b.heading) === 'correct').length, 'Correct examples').toBeGreaterThan(0);
      });

      it('names every messageId, bug check and Code Analysis warning of the rule', () => {
        for (const messageId of Object.keys(meta.messages)) expect(text, `messageId ${messageId}`).toContain(`\`${messageId}\``);
        if (meta.simulator.validates === 'fault') {
          for (const bc of meta.simulator.bugChecks) expect(text, `bug check ${bc}`).toContain(bc);
        }
        for (const ca of meta.caWarnings ?? []) expect(text, `Code Analysis warning C${ca}`).toContain(`C${ca}`);
      });

      it('demonstrates every messageId in an Incorrect example', () => {
        const shown = new Set(examples.filter((b) => exampleKind(b.heading) === 'incorrect').flatMap((b) => readMarkers(b.code).map((m) => m.messageId)));
        expect(Object.keys(meta.messages).filter((m) => !shown.has(m)), 'messageIds without an Incorrect example').toEqual([]);
      });

      it('puts every C/C++ example under an Incorrect, Correct or Suppressed heading', () => {
        const stray = examples.filter((b) => exampleKind(b.heading) === undefined).map((b) => `block at line ${b.line} (under "${b.heading?.text ?? 'no heading'}")`);
        expect(stray).toEqual([]);
      });

      it('quotes only real messages', () => {
        const produced = new Set(
          examples
            .filter((b) => exampleKind(b.heading) === 'incorrect')
            .flatMap((b) => lintText(b.code, C_LANGS[b.lang]!).messages.filter((m) => m.ruleId === id).map((m) => m.message)),
        );
        const quoted = blocks.filter((b) => b.lang === 'text' && b.code.includes('(path: ')).flatMap((b) => b.code.split('\n').filter((l) => l.trim()));
        for (const q of quoted) expect([...produced], `quoted message: ${q}`).toContain(q.trim());
      });

      for (const block of examples) {
        const kind = exampleKind(block.heading);
        if (!kind) continue;
        it(`${kind} example at line ${block.line} (${block.heading!.text})`, () => {
          const r = lintText(block.code, C_LANGS[block.lang]!);
          expect(r.messages.filter((m) => m.fatal).map((m) => m.message), 'internal errors').toEqual([]);
          expect(r.stats?.functions ?? 0, 'the example defines at least one function').toBeGreaterThan(0);
          expect(r.stats?.functionsWithParseErrors, 'functions with parse errors').toBe(0);
          const markers = readMarkers(block.code);
          for (const m of markers) expect(Object.keys(meta.messages), `marker on line ${m.line}`).toContain(m.messageId);
          const others = r.messages.filter((m) => m.ruleId !== id);
          expect(others.map((m) => `${m.line}:${m.column} ${m.ruleId}/${m.messageId} ${m.message}`), 'findings of other rules').toEqual([]);
          if (kind === 'incorrect') {
            const actual = r.messages.map((m) => `${m.line} ${m.messageId}`).sort();
            const expected = markers.map((m) => `${m.line} ${m.messageId}`).sort();
            expect(actual.length, `findings of ${id}`).toBeGreaterThan(0);
            expect(actual, describeMessages(r).join('\n')).toEqual([...new Set(expected)]);
          } else if (kind === 'correct') {
            expect(markers, 'a Correct example carries no markers').toEqual([]);
            expect(describeMessages(r)).toEqual([]);
          } else {
            expect(describeMessages(r), 'reported findings').toEqual([]);
            expect(r.suppressedMessages.filter((m) => m.ruleId === id).length, `suppressed findings of ${id}`).toBeGreaterThan(0);
          }
        });
        if (kind === 'suppressed' || meta.simulator.validates !== 'fault') continue;
        it(`${kind} example at line ${block.line}: the simulator agrees`, () => {
          const sim = simulatedFindings(block.code, C_LANGS[block.lang]!);
          expect(sim.capped, 'path cap hit: exploration incomplete').toEqual([]);
          const expected = kind === 'incorrect' ? [...new Set(readMarkers(block.code).map((m) => `${m.line} ${id}`))].sort() : [];
          expect(sim.findings, sim.details.join('\n')).toEqual(expected);
        });
      }
    });
  }
});

describe('README', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const { headings, blocks } = parseMarkdown(readme);

  it('shows real output in the Quick start excerpt', () => {
    const quick = headings.find((h) => h.text === 'Quick start');
    expect(quick, 'a "Quick start" section').toBeDefined();
    const excerpt = blocks.find((b) => b.heading === quick && b.lang === 'text');
    expect(excerpt, 'an output excerpt under Quick start').toBeDefined();
    let file: string | undefined;
    let checked = 0;
    for (const line of excerpt!.code.split('\n')) {
      const finding = /^\s+(\d+):(\d+)\s+(error|warning)\s+(.*\S)\s{2,}([a-z0-9-]+)$/.exec(line);
      if (!finding) {
        if (/^\S+\.(c|h|cpp|cc|cxx|hpp|hxx|hh)$/.test(line.trim())) file = line.trim();
        continue;
      }
      expect(file, `a file name above: ${line}`).toBeDefined();
      const r = lintText(readFileSync(join(ROOT, file!), 'utf8'), join(ROOT, file!));
      const shown = r.messages.map((m) => `${m.line}:${m.column} ${m.severity === 2 ? 'error' : 'warning'} ${m.message} ${m.ruleId}`);
      const [, l, c, sev, msg, rule] = finding;
      expect(shown, `README line: ${line.trim()}`).toContain(`${l}:${c} ${sev} ${msg} ${rule}`);
      checked++;
    }
    expect(checked, 'finding lines in the excerpt').toBeGreaterThan(0);
  });

  it('has valid configuration examples (README and rule pages)', () => {
    const validator = new ConfigValidator(allRules);
    const pagesJson = pages.flatMap((page) => parseMarkdown(readFileSync(join(DOCS, page), 'utf8')).blocks.map((b) => ({ ...b, where: `docs/rules/${page}` })));
    const all = [...blocks.map((b) => ({ ...b, where: 'README.md' })), ...pagesJson].filter((b) => b.lang === 'json');
    let configs = 0;
    for (const b of all) {
      let data: unknown;
      expect(() => (data = JSON.parse(b.code)), `${b.where}:${b.line} is JSON`).not.toThrow();
      if (typeof data !== 'object' || data === null || !['rules', 'ignorePatterns', 'root'].some((k) => k in (data as object))) continue;
      expect(() => validator.validate(`${b.where}:${b.line}`, data)).not.toThrow();
      configs++;
    }
    expect(configs).toBeGreaterThan(0);
  });
});
