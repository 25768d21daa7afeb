/**
 * The worker threads' hand-over (src/analysis/transfer.ts, `chooseFromFacts`): a file parsed on one
 * thread and rebuilt on another from plain data (here: a structured clone, what `postMessage` does)
 * serves the same syntax trees, the same constants and the same findings; and the program's files
 * chosen from the facts the workers report are the ones, in the same order, that one thread chooses
 * while parsing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { functionTree, isReleased } from '../../src/parse/compact.js';
import { parseSource } from '../../src/parse/parser.js';
import { chooseFromFacts, choiceFacts, Project, SummaryCache, type ChoiceFacts } from '../../src/analysis/project.js';
import { packFile, parseReleased, unpackFile } from '../../src/analysis/transfer.js';
import { fileConstants } from '../../src/analysis/constants.js';
import { lintSource } from '../../src/lint/linter.js';
import { BUILTIN_IRQL_TABLE } from '../../src/ddi/irql.js';
import { lintAssignment, shareFiles, shareOut } from '../../src/cli/threads.js';
import { listSourceFiles } from '../support/expectations.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');

function fixtureInputs(): { path: string; text: string }[] {
  return listSourceFiles(FIXTURES).map((path) => ({ path, text: readFileSync(path, 'utf8') }));
}

describe('files handed to another thread', () => {
  it('rebuild the same trees and constants, and lint the same, for every fixture file', () => {
    let functions = 0;
    let constants = 0;
    for (const input of fixtureInputs()) {
      const here = parseReleased(input);
      const there = unpackFile(structuredClone(packFile(here)));
      expect(isReleased(there)).toBe(true);
      // (rebuilt, the file keeps its text as a patch over the preprocessed text: the same text)
      expect(there.text === input.text, input.path).toBe(true);
      expect(there.functions.map((f) => [f.name, f.line, f.column, f.start, f.bodyStart, f.bodyEnd, f.params, f.hasError])).toEqual(
        here.functions.map((f) => [f.name, f.line, f.column, f.start, f.bodyStart, f.bodyEnd, f.params, f.hasError]),
      );
      for (let k = 0; k < here.functions.length; k++) {
        expect(functionTree(there, there.functions[k]!).toString(), `${input.path}:${here.functions[k]!.line}`).toBe(functionTree(here, here.functions[k]!).toString());
        functions++;
      }
      expect([...fileConstants(there)]).toEqual([...fileConstants(here)]);
      constants += fileConstants(here).size;
      // the file alone as its program, and a fresh parse (native tree kept) as the reference
      expect(lintSource(there).messages, input.path).toEqual(lintSource(parseSource(input.path, input.text)).messages);
      expect(() => there.tree.rootNode).toThrow(input.path);
    }
    expect(functions).toBeGreaterThan(400);
    expect(constants).toBeGreaterThan(20);
  });

  it('choose the program one thread chooses, in the same order, from the facts of the files', () => {
    const inputs = fixtureInputs();
    const project = Project.fromTexts(inputs, FIXTURES, { releaseTrees: true });
    const facts = inputs.map((i) => {
      let file;
      try {
        file = parseReleased(i);
      } catch {
        file = undefined;
      }
      return structuredClone(choiceFacts(i, file, BUILTIN_IRQL_TABLE));
    });
    const chosen = chooseFromFacts(facts);
    expect(chosen.paths).toEqual(project.allFiles().map((f) => f.path));
    expect(chosen.paths.length).toBeGreaterThan(50);
    expect(chosen.paths.length).toBeLessThan(inputs.length + 1);
    // a program rebuilt on another thread from these files lints as the one built while parsing
    const files = chosen.paths.map((p) => unpackFile(structuredClone(packFile(parseReleased(inputs.find((i) => i.path === p)!)))));
    const rebuilt = new Project(files, { root: FIXTURES, raisingMacros: chosen.raising });
    expect(rebuilt.programFacts()).toBe(project.programFacts());
    for (const f of files.filter((_, k) => k % 4 === 0)) {
      expect(lintSource(f, { project: rebuilt }).messages, f.path).toEqual(lintSource(project.sourceFor(f.path, f.text)!, { project }).messages);
    }
  });
});

describe('helper summaries computed by parts and exchanged', () => {
  it('give every Project the summaries one Project computes alone, each computed once, and the same findings', () => {
    const inputs = fixtureInputs();
    const whole = Project.fromTexts(inputs, FIXTURES, { releaseTrees: true });
    const paths = whole.allFiles().map((f) => f.path);
    const files = () => paths.map((p) => parseReleased(inputs.find((i) => i.path === p)!));
    // the program-wide macro facts of every input (headers the program does not parse too), as the pool gives its workers
    const { raising } = chooseFromFacts(inputs.map((i) => choiceFacts(i, undefined, BUILTIN_IRQL_TABLE)));
    for (const n of [2, 3]) {
      // the files dealt out in turn: callers and their helpers often land in different parts
      const parts = [...Array(n)].map((_, k) => new Set(paths.filter((_, i) => i % n === k)));
      const projects = parts.map((part) => new Project(files(), { root: FIXTURES, raisingMacros: raising, summarizeFor: part, summaryCache: new SummaryCache() }));
      const entries = projects.map((p, k) => structuredClone(p.summaryEntries(parts[k]!)));
      // each helper is handed over by the part that holds its file, once
      const keys = entries.flat().map(([key]) => key);
      expect(new Set(keys).size).toBe(keys.length);
      expect(keys.length).toBeGreaterThan(40);
      projects.forEach((p, k) => p.adoptSummaries(entries.flatMap((e, o) => (o === k ? [] : e))));
      // the cache's figures, added up over the parts, are those of one Project
      const alone = new Project(files(), { root: FIXTURES, raisingMacros: raising, summaryCache: new SummaryCache() });
      expect(projects.reduce((a, p) => a + p.summaryStats.computed, 0)).toBe(alone.summaryStats.computed);
      for (const [k, p] of projects.entries()) {
        expect([...p.helperNames].sort()).toEqual([...whole.helperNames].sort());
        for (const f of whole.allFiles()) {
          for (const fn of f.functions) expect(p.summaryFor(f, fn.name), `${f.path}#${fn.name}`).toEqual(whole.summaryFor(f, fn.name));
        }
        // and each part lints its files as the whole program does
        for (const f of p.allFiles().filter((g) => parts[k]!.has(g.path))) {
          expect(lintSource(f, { project: p }).messages, f.path).toEqual(lintSource(whole.sourceFor(f.path, f.text)!, { project: whole }).messages);
        }
      }
      // a part computes fewer summaries than the whole (its files' helpers and what they call)
      expect(Math.min(...projects.map((p) => p.summaryStats.computed))).toBeLessThan(alone.summaryStats.computed);
    }
  });
});

describe('sharing files out among worker threads', () => {
  it('balances by size, largest first, keeping each share in input order', () => {
    const shares = shareOut([5, 1, 4, 2, 3, 3], 2, (x) => x);
    expect(shares.map((s) => s.reduce((a, b) => a + b, 0))).toEqual([9, 9]);
    expect(shares).toEqual([[5, 1, 3], [4, 2, 3]]);
  });
  it('keeps a small directory together and splits a big one file by file', () => {
    const f = (path: string, size: number) => ({ path, text: 'x'.repeat(size) });
    const inputs = [f('/a/1.c', 10), f('/a/2.c', 10), f('/b/1.c', 10), f('/b/2.c', 10), f('/big/1.c', 100), f('/big/2.c', 100), f('/big/3.c', 100)];
    const shares = shareFiles(inputs, 2);
    const ownerOf = (p: string) => shares.findIndex((s) => s.some((i) => i.path === p));
    expect(ownerOf('/a/1.c')).toBe(ownerOf('/a/2.c'));
    expect(ownerOf('/b/1.c')).toBe(ownerOf('/b/2.c'));
    expect(new Set(['/big/1.c', '/big/2.c', '/big/3.c'].map(ownerOf)).size).toBe(2);
    expect(shares.flat().length).toBe(inputs.length);
  });
});

describe('assigning the program to workers for linting', () => {
  const fact = (path: string, fns: [string, string[]][]): ChoiceFacts => ({
    path,
    text: { mdl: true, irql: false, calls: fns.flatMap(([, c]) => c) },
    functions: fns.map(([short, calls]) => ({ short, mdl: true, irql: false, calls })),
    raising: [],
  });
  it('keeps callers with the files of their callees and balances the groups', () => {
    const facts = [
      fact('/a/caller.c', [['Dispatch', ['Helper', 'IoCompleteRequest']]]),
      fact('/b/helper.c', [['Helper', ['MmProbeAndLockPages']]]),
      fact('/c/alone.c', [['Other', ['Local']], ['Local', []]]),
      fact('/d/alone2.c', [['Third', []]]),
      fact('/e/outside.c', [['Unrelated', []]]),
    ];
    const program = ['/a/caller.c', '/b/helper.c', '/c/alone.c', '/d/alone2.c'];
    const size = new Map([['/a/caller.c', 10], ['/b/helper.c', 10], ['/c/alone.c', 10], ['/d/alone2.c', 10], ['/e/outside.c', 5]]);
    const parsedBy = new Map([['/a/caller.c', 0], ['/b/helper.c', 1], ['/c/alone.c', 0], ['/d/alone2.c', 1], ['/e/outside.c', 1]]);
    const out = lintAssignment(facts, program, parsedBy, size, new Set(size.keys()), 2);
    expect(out.get('/a/caller.c')).toBe(out.get('/b/helper.c'));
    expect(out.has('/e/outside.c')).toBe(false); // outside the program: linted where it was parsed
    // worker 1 already lints outside.c (5): the pair (20) goes to worker 0, the two single files to worker 1
    expect(out.get('/a/caller.c')).toBe(0);
    expect([out.get('/c/alone.c'), out.get('/d/alone2.c')]).toEqual([1, 1]);
  });
  it('shares a group too big to balance out file by file', () => {
    const facts = [fact('/x/1.c', [['A', ['B']]]), fact('/x/2.c', [['B', ['C']]]), fact('/x/3.c', [['C', []]])];
    const program = ['/x/1.c', '/x/2.c', '/x/3.c'];
    const size = new Map(program.map((p) => [p, 10]));
    const out = lintAssignment(facts, program, new Map(program.map((p) => [p, 0])), size, new Set(program), 2);
    expect(new Set(out.values()).size).toBe(2);
  });
  it('does not join a file to a callee name that several files define (the call may reach either)', () => {
    const facts = [fact('/p/1.c', [['A', ['Dup']]]), fact('/p/2.c', [['Dup', []]]), fact('/p/3.c', [['Dup', []]]), fact('/p/4.c', [['D', []]])];
    const program = ['/p/1.c', '/p/2.c', '/p/3.c', '/p/4.c'];
    const size = new Map(program.map((p) => [p, 10]));
    const out = lintAssignment(facts, program, new Map(program.map((p) => [p, 0])), size, new Set(program), 4);
    expect(new Set(out.values()).size).toBe(4);
  });
});
