/**
 * Compact syntax trees (src/parse/compact.ts): a function's tree rebuilt from the typed arrays equals
 * the native tree it was copied from, node for node (checked against the native binding, not against
 * another copy); the copy survives the release of the native tree; and a program prepared with
 * released trees lets the native trees be collected.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { compactSize, functionSyntaxDepth, functionTree, isReleased, releaseTree } from '../../src/parse/compact.js';
import { packFile, releaseParsed, unpackFile } from '../../src/analysis/transfer.js';
import type { LiteNode } from '../../src/parse/lite.js';
import { parseSource, reparseSource, type SourceFile, type SyntaxNode, type Tree } from '../../src/parse/parser.js';
import { Project } from '../../src/analysis/project.js';
import { lintText, prepareProject } from '../../src/lint/linter.js';
import { listSourceFiles } from '../support/expectations.js';

const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures');

function fixtureFiles(): string[] {
  return listSourceFiles(FIXTURES);
}

/**
 * The named node types whose grammar (its node-types.json, read here on its own) gives them no named child
 * and no field: in a tree without errors the copy keeps nothing below them (a comment inside `break /* x *\/;`).
 */
const BARE = new Map(
  (['c', 'cpp'] as const).map((g) => {
    const info = JSON.parse(readFileSync(join(import.meta.dirname, '..', '..', 'node_modules', `tree-sitter-${g}`, 'src', 'node-types.json'), 'utf8')) as { type: string; named: boolean; fields?: object; children?: object; subtypes?: object }[];
    return [g, new Set(info.filter((t) => t.named && !t.children && !t.subtypes && Object.keys(t.fields ?? {}).length === 0).map((t) => t.type))];
  }),
);
const languageOf = (tree: Tree): unknown => (tree as unknown as { language: unknown }).language;
const C_LANGUAGE = languageOf(parseSource('x.c', '').tree);
function isBare(node: SyntaxNode, errorFree: boolean): boolean {
  if (!node.isNamed || !errorFree) return false;
  const grammar = languageOf(node.tree) === C_LANGUAGE ? 'c' : 'cpp';
  return BARE.get(grammar)!.has(node.type);
}

/** The nodes the copy keeps, read from the native tree: named nodes, tokens with a field name, closing braces. */
function nativeKept(node: SyntaxNode, errorFree: boolean): { node: SyntaxNode; field: string | null }[] {
  const out: { node: SyntaxNode; field: string | null }[] = [];
  if (isBare(node, errorFree)) return out;
  for (let k = 0; k < node.childCount; k++) {
    const c = node.child(k)!;
    const field = node.fieldNameForChild(k);
    if (c.isNamed || field || c.type === '}') out.push({ node: c, field: field ?? null });
  }
  return out;
}

/**
 * Compare a rebuilt tree with the native one, node for node; returns the number of nodes compared. `errorFree`:
 * the function copied has no error (the copy keeps nothing below a bare node then), by default `native`'s own.
 */
function compare(lite: LiteNode, native: SyntaxNode, where: string, errorFree = !native.hasError): number {
  const at = `${where} ${native.type}@${native.startIndex}`;
  expect(lite.type, at).toBe(native.type);
  expect([lite.startIndex, lite.endIndex], at).toEqual([native.startIndex, native.endIndex]);
  expect(lite.startPosition, at).toEqual(native.startPosition);
  expect(lite.endPosition, at).toEqual(native.endPosition);
  expect(lite.isNamed, at).toBe(native.isNamed);
  expect(lite.isMissing, at).toBe(native.isMissing);
  expect(lite.hasError, at).toBe(native.hasError);
  expect(lite.text, at).toBe(native.text);
  const kids = nativeKept(native, errorFree);
  expect(lite.children.map((c) => c.type), at).toEqual(kids.map((k) => k.node.type));
  // (a node none of whose children has a field name keeps no list of them: read as all null)
  expect(lite.children.map((_, k) => lite.fields[k] ?? null), at).toEqual(kids.map((k) => k.field));
  expect(lite.fields.length === 0 || lite.fields.length === kids.length, at).toBe(true);
  let n = 1;
  for (let k = 0; k < kids.length; k++) n += compare(lite.children[k]!, kids[k]!.node, where, errorFree);
  return n;
}

describe('compact syntax trees', () => {
  it('rebuild the functions of the fixtures exactly as the native tree has them', () => {
    let nodes = 0;
    let functions = 0;
    // every third fixture file (reading the native tree node by node is slow; the copy is not)
    for (const path of fixtureFiles().filter((_, k) => k % 3 === 0)) {
      const sf = parseSource(path, readFileSync(path, 'utf8'));
      for (const fn of sf.functions) {
        nodes += compare(functionTree(sf, fn), fn.node, `${path}:${fn.line}`);
        functions++;
      }
    }
    expect(functions).toBeGreaterThan(150);
    expect(nodes).toBeGreaterThan(30_000);
  });

  it('does not walk into nodes it keeps nothing of, and ends operators by their text (a comment in a break is not kept)', () => {
    const code = 'void f(int a, int b)\n{\n  for (;;) { if (a) break /* done */; else continue; }\n  a += b >> 2; a = !a || b && a != b;\n  #  if DBG\n  a = -b; a++;\n  # endif\n  g(a ? b : a, sizeof(a), "s\\n", \'c\');\n}\n';
    for (const name of ['t.c', 't.cpp']) {
      const sf = parseSource(name, code);
      const fn = sf.functions[0]!;
      expect(fn.node.hasError).toBe(false);
      const lite = functionTree(sf, fn);
      expect(compare(lite, fn.node, name)).toBeGreaterThan(50);
      const find = (n: LiteNode, type: string): LiteNode | undefined => (n.type === type ? n : n.children.map((c) => find(c, type)).find((c) => c));
      const brk = find(lite, 'break_statement')!;
      expect([brk.text, brk.children.length]).toEqual(['break /* done */;', 0]);
    }
  });

  it('decides by the function, not the file: a function without errors in a file with errors is copied as bare as any', () => {
    const sf = parseSource('t.c', 'void broken(void) { int a = ; }\nvoid f(int a)\n{\n  while (a) { break /* why */; }\n}\n');
    const fn = sf.functions.find((f) => f.name === 'f')!;
    expect([sf.tree.rootNode.hasError, fn.node.hasError]).toEqual([true, false]);
    expect(compare(functionTree(sf, fn), fn.node, 'f')).toBeGreaterThan(5);
  });

  it('keeps the errors and MISSING nodes of half-written code', () => {
    const sf = parseSource('t.c', 'void f(PMDL m) {\n  MmProbeAndLockPages(m, KernelMode, IoReadAccess);\n  if (x) { y = ; }\n}\nvoid g(void) { int a = 1 }\nvoid h(void) { call(1, ; }\n');
    expect(sf.functions.map((f) => f.name)).toEqual(['f', 'g', 'h']);
    for (const fn of sf.functions) {
      expect(fn.node.hasError).toBe(true);
      compare(functionTree(sf, fn), fn.node, fn.name);
    }
  });

  it('keeps the ends of preprocessor lines inside bodies (their newline is a token the cursor does not visit)', () => {
    const code = [
      'void f(void)\n{\n  int a;\n#define X 1\n  a = 2;\n#pragma warning(disable: 28167)\n#undef X\n#include "x.h"\n#define F(x) ((x) + 1)\n',
      '#if DBG\n  a = 3;\n#else\n#pragma once\n#endif\n#ifdef Y\n  a = 4;\n#define Z 2\n#endif\n}\n',
    ].join('');
    for (const [name, text] of [['t.c', code], ['t.cpp', code], ['crlf.c', code.replace(/\n/g, '\r\n')]] as const) {
      const sf = parseSource(name, text);
      expect(sf.functions.length).toBe(1);
      const n = compare(functionTree(sf, sf.functions[0]!), sf.functions[0]!.node, name);
      expect(n).toBeGreaterThan(20);
    }
  });

  it('keeps a function longer than 64 KiB and of more than 64 Ki nodes (wide entries), here and handed to another thread', () => {
    const body = Array.from({ length: 14_000 }, (_, k) => `  v${k % 7} = ${k};`).join('\n');
    const text = `void big(void)\n{\n  int v0, v1, v2, v3, v4, v5, v6;\n${body}\n  if (v0) { v1 = 2; }\n}\nvoid after(void) { int x = 1; }\n`;
    const sf = parseSource('big.c', text);
    expect(sf.functions.map((f) => f.name)).toEqual(['big', 'after']);
    const n = compare(functionTree(sf, sf.functions[0]!), sf.functions[0]!.node, 'big');
    expect(n).toBeGreaterThan(70_000);
    compare(functionTree(sf, sf.functions[1]!), sf.functions[1]!.node, 'after');
    const trees = sf.functions.map((fn) => functionTree(sf, fn).toString());
    const depths = sf.functions.map((fn) => functionSyntaxDepth(sf, fn));
    releaseParsed(sf);
    expect(sf.functions.map((fn) => functionTree(sf, fn).toString())).toEqual(trees);
    const there = unpackFile(structuredClone(packFile(sf)));
    expect(there.functions.map((fn) => functionTree(there, fn).toString())).toEqual(trees);
    expect(there.functions.map((fn) => functionSyntaxDepth(there, fn))).toEqual(depths);
  });

  it('a reparsed file takes the copies of its functions whose text did not change, offsets moved (the language server)', () => {
    const body = Array.from({ length: 14_000 }, (_, k) => `  v${k % 7} = ${k};`).join('\n');
    const big = `void big(void)\n{\n  int v0, v1, v2, v3, v4, v5, v6;\n${body}\n  if (v0) { v1 = 2; }\n}\n`; // wide entries
    for (const [path, text] of [
      ['big.c', `${big}void after(void) { int x = 1; }\n`],
      ...fixtureFiles().filter((_, k) => k % 9 === 0).map((p) => [p, readFileSync(p, 'utf8')] as const),
    ] as const) {
      const sf = parseSource(path, text);
      if (sf.tree.rootNode.hasError || sf.functions.length < 2) continue;
      for (const fn of sf.functions) functionTree(sf, fn);
      // a line added at the top (every row and offset moves) and a character typed in the last function
      const last = sf.functions[sf.functions.length - 1]!;
      const at = last.bodyStart + 1;
      const edited = `// edited\n${text.slice(0, at)} ${text.slice(at)}`;
      const next = reparseSource(sf, edited);
      // copied before any analysis asks: every function but the edited one
      const fresh = parseSource(path, edited);
      const unchanged = fresh.functions.slice(0, -1);
      for (const fn of unchanged) functionTree(fresh, fn);
      expect(compactSize(next).nodes, path).toBe(compactSize(fresh).nodes);
      next.functions.forEach((fn, k) => compare(functionTree(next, fn), fresh.functions[k]!.node, `${path} ${fn.name}`));
    }
  });

  it('serves the same trees after the native tree is released, and refuses the native nodes with the file named', () => {
    const path = join(FIXTURES, fixtureFiles().map((p) => p.slice(FIXTURES.length + 1)).find((p) => p.endsWith('.c'))!);
    const sf = parseSource(path, readFileSync(path, 'utf8'));
    const before = sf.functions.map((fn) => functionTree(sf, fn).toString());
    const linted = lintText(sf.text, path).messages;
    releaseTree(sf);
    expect(isReleased(sf)).toBe(true);
    expect(compactSize(sf).nodes).toBeGreaterThan(0);
    expect(sf.functions.map((fn) => functionTree(sf, fn).toString())).toEqual(before);
    expect(() => sf.tree.rootNode).toThrow(path);
    expect(() => sf.functions[0]!.node.type).toThrow(/after the file's syntax tree was released/);
    expect(() => sf.functions[0]!.body.text).toThrow(path);
    // a program of released files lints as the file alone does
    const project = prepareProject([{ path, text: sf.text }]);
    expect(lintText(sf.text, path, { project }).messages).toEqual(linted);
  });

  it('lets the native trees of a prepared program be collected (fromTextsAsync with releaseTrees)', async () => {
    setFlagsFromString('--expose-gc');
    const gc = runInNewContext('gc') as () => void;
    const trees: WeakRef<Tree>[] = [];
    const files: SourceFile[] = [];
    const inputs = fixtureFiles()
      .slice(0, 40)
      .map((p) => ({ path: p, text: readFileSync(p, 'utf8') }));
    const project = await Project.fromTextsAsync(inputs, FIXTURES, {
      releaseTrees: true,
      parse: (i) => {
        const f = parseSource(i.path, i.text);
        trees.push(new WeakRef(f.tree));
        files.push(f);
        return f;
      },
    });
    expect(trees.length).toBeGreaterThan(10);
    await new Promise((r) => setImmediate(r));
    gc();
    await new Promise((r) => setImmediate(r));
    expect(trees.filter((t) => t.deref() !== undefined).length).toBe(0);
    // and every function is still there to analyze
    for (const f of files) for (const fn of f.functions) expect(functionTree(f, fn).type).toBe('function_definition');
    expect(project).toBeDefined();
  });
});
