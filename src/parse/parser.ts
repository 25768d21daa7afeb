/**
 * Parsing: tree-sitter C for `.c`/`.h`, tree-sitter C++ for `.cpp`/`.cc`/`.cxx`/`.hpp`/`.hxx`,
 * after position-preserving preprocessing. Shared by the linter and the simulator (and nothing else is).
 */
import { LiteSource, pushNamedChildren } from './lite.js';
import { createRequire } from 'node:module';
import type ParserT from 'tree-sitter';
import { preprocess, type Annotation, type Preprocessed } from './preprocess.js';
import { SegmentedPreprocessor } from './preprocess-segments.js';
import { carryCopies } from './compact.js';
import { changedRange } from './text-diff.js';

const require = createRequire(import.meta.url);
const Parser = require('tree-sitter') as typeof ParserT;
const CLanguage = require('tree-sitter-c') as ParserT.Language;
const CppLanguage = require('tree-sitter-cpp') as ParserT.Language;

export type SyntaxNode = ParserT.SyntaxNode;
export type Tree = ParserT.Tree;
export type Lang = 'c' | 'cpp';

export const C_EXTENSIONS = ['.c', '.h'];
export const CPP_EXTENSIONS = ['.cpp', '.cc', '.cxx', '.hpp', '.hxx', '.hh'];
export const SOURCE_EXTENSIONS = [...C_EXTENSIONS, ...CPP_EXTENSIONS];

export function languageForPath(path: string): Lang | undefined {
  const lower = path.toLowerCase();
  const dot = lower.lastIndexOf('.');
  if (dot < 0) return undefined;
  const ext = lower.slice(dot);
  if (C_EXTENSIONS.includes(ext)) return 'c';
  if (CPP_EXTENSIONS.includes(ext)) return 'cpp';
  return undefined;
}

export interface FunctionInfo {
  /** Name as written (for C++ methods, the qualified name `Class::Method`). */
  name: string;
  /** The `function_definition` node. */
  node: SyntaxNode;
  /** The `compound_statement` body. */
  body: SyntaxNode;
  /** The function's parameter names, in order. */
  params: string[];
  /** True when the body holds ERROR or MISSING nodes: analyze conservatively. */
  hasError: boolean;
  /** 1-based line of the definition's start. */
  line: number;
  /** 0-based column of the definition's start. */
  column: number;
  /** Offsets of the definition and of its body in the (parsed) text, read once from the tree. */
  start: number;
  bodyStart: number;
  bodyEnd: number;
  /**
   * Shared by the versions of this function, from one reparse of its file to the next (the language
   * server), whose parsed text from the definition's start to the body's end is the same, in a file without
   * syntax errors: what depends only on that text is kept by it (`textIdentity`). A new object for each
   * function parsed (`findFunctions`), taken from the earlier version by the reparse.
   */
  textId?: object;
  /**
   * The conditions of the `#if` branches the definition lies in, as one preprocessor expression
   * (`(USE_STREAM_CONTEXTS) && !defined(MINI_PORT)`); none outside any. A program whose macros make it
   * false never compiles the function (see `Project.compiled`).
   */
  guard?: string;
}

/** What memos of a function's text are kept by: its `textId` where a reparse set one, else the function. */
export function textIdentity(fn: FunctionInfo): object {
  return fn.textId ?? fn;
}

export interface SourceFile {
  path: string;
  lang: Lang;
  /** Original text (what the user wrote). */
  text: string;
  /** Text handed to tree-sitter; same length and lines as `text`. */
  parsedText: string;
  tree: Tree;
  annotations: Annotation[];
  functions: FunctionInfo[];
}

const parsers = new Map<Lang, ParserT>();
function parserFor(lang: Lang): ParserT {
  let p = parsers.get(lang);
  if (!p) {
    p = new Parser();
    p.setLanguage(lang === 'c' ? CLanguage : CppLanguage);
    parsers.set(lang, p);
  }
  return p;
}

/** Parse text with tree-sitter only (no preprocessing): the benchmark's floor. */
export function parseRaw(text: string, lang: Lang): Tree {
  return parserFor(lang).parse(text);
}

/**
 * Parse the range [start, end) of a (preprocessed) text on its own, positions and offsets those of the
 * whole text (tree-sitter's included ranges): a piece of a huge file (see src/parse/chunks.ts). `lines`:
 * the text's line index, when several ranges of it are parsed.
 */
export function parseRange(lang: Lang, text: string, start: number, end: number, lines = new LiteSource(text)): Tree {
  const range = { startIndex: start, endIndex: end, startPosition: lines.position(start), endPosition: lines.position(end) };
  return parserFor(lang).parse(text, undefined, { includedRanges: [range] });
}

function countErrors(node: SyntaxNode, limit = 1000): number {
  if (!node.hasError) return 0;
  let count = 0;
  const cursor = node.walk();
  let done = false;
  while (!done && count < limit) {
    const t = cursor.currentNode;
    if (t.type === 'ERROR' || t.isMissing) count++;
    if (t.hasError && cursor.gotoFirstChild()) continue;
    while (!cursor.gotoNextSibling()) {
      if (!cursor.gotoParent()) {
        done = true;
        break;
      }
    }
  }
  return count;
}

/**
 * Parse one source file. `.h` files are parsed as C, and again as C++ when C leaves errors
 * (headers of C++ drivers); the tree with fewer errors wins.
 */
export function parseSource(path: string, text: string, langHint?: Lang): SourceFile {
  const lang = langHint ?? languageForPath(path) ?? 'c';
  let pp = preprocess(text, lang);
  let tree = parserFor(lang).parse(pp.text);
  let usedLang = lang;
  if (lang === 'c' && tree.rootNode.hasError && path.toLowerCase().endsWith('.h')) {
    const ppCpp = preprocess(text, 'cpp');
    const treeCpp = parserFor('cpp').parse(ppCpp.text);
    if (countErrors(treeCpp.rootNode) < countErrors(tree.rootNode)) {
      pp = ppCpp;
      tree = treeCpp;
      usedLang = 'cpp';
    }
  }
  return {
    path,
    lang: usedLang,
    text,
    parsedText: pp.text,
    tree,
    annotations: pp.annotations,
    functions: findFunctions(tree.rootNode),
  };
}

/** A function's name without its class or namespace (`Ring::Lock` → `Lock`). */
export function shortName(name: string): string {
  return name.split('::').pop()!.trim();
}

/** Name of the declarator of a function definition. */
export function declaratorName(decl: SyntaxNode | null): string | undefined {
  let d: SyntaxNode | null = decl;
  for (let guard = 0; d && guard < 50; guard++) {
    switch (d.type) {
      case 'identifier':
      case 'field_identifier':
      case 'operator_name':
        return d.text;
      case 'qualified_identifier':
      case 'destructor_name':
        // a long signature wrapped after the class (`void Ring::` then `Lock(` on the next line): the name
        // without the spaces, as its calls and its class's declarations write it
        return d.text.replace(/\s*::\s*/g, '::').replace(/~\s+/g, '~');
      case 'function_declarator':
      case 'pointer_declarator':
      case 'reference_declarator':
      case 'parenthesized_declarator':
      case 'attributed_declarator':
        d = d.childForFieldName('declarator') ?? d.namedChildren.find((c) => c.type !== 'attribute_specifier' && c.type !== 'ms_call_modifier') ?? null;
        break;
      default:
        return undefined;
    }
  }
  return undefined;
}

function functionDeclarator(decl: SyntaxNode | null): SyntaxNode | undefined {
  let d: SyntaxNode | null = decl;
  for (let guard = 0; d && guard < 50; guard++) {
    if (d.type === 'function_declarator') return d;
    d = d.childForFieldName('declarator');
  }
  return undefined;
}

function paramNames(fd: SyntaxNode | undefined): string[] {
  if (!fd) return [];
  const list = fd.childForFieldName('parameters');
  if (!list) return [];
  const names: string[] = [];
  for (const p of list.namedChildren) {
    if (p.type !== 'parameter_declaration' && p.type !== 'optional_parameter_declaration') continue;
    const name = declaratorName(p.childForFieldName('declarator'));
    names.push(name ?? '');
  }
  return names;
}

/** A function's name and parameters, by the text of its header (from its start to its body's). */
export type KnownHeaders = ReadonlyMap<string, { name: string; params: string[] }>;

/**
 * Every function definition in the tree, including those nested in `#if` blocks, namespaces, classes and
 * ERROR regions. `known`: the headers of the text's earlier version (the language server's reparse), whose
 * names and parameters are not read from the tree again (`text`: the parsed text).
 */
export function findFunctions(root: SyntaxNode, known?: { text: string; headers: KnownHeaders }): FunctionInfo[] {
  const result: FunctionInfo[] = [];
  const stack: SyntaxNode[] = [root];
  /** The conditions of the `#if` branches a node lies in (see `FunctionInfo.guard`), for the nodes that have some. */
  const guards = new Map<number, string[]>();
  while (stack.length) {
    const node = stack.pop()!;
    const guard = guards.get(node.id);
    if (node.type === 'function_definition') {
      const body = node.childForFieldName('body');
      if (body && body.type === 'compound_statement') {
        const start = node.startPosition;
        let head = known?.headers.get(known.text.slice(node.startIndex, body.startIndex));
        if (!head) {
          const decl = node.childForFieldName('declarator');
          head = { name: declaratorName(decl) ?? '<anonymous>', params: paramNames(functionDeclarator(decl)) };
        }
        result.push({
          name: head.name,
          node,
          body,
          params: [...head.params],
          hasError: body.hasError,
          line: start.row + 1,
          column: start.column,
          start: node.startIndex,
          bodyStart: body.startIndex,
          bodyEnd: body.endIndex,
          textId: {},
          ...(guard ? { guard: guard.join(' && ') } : {}),
        });
      }
      continue; // no nested function definitions in C; lambdas are analyzed as part of their parent
    }
    // Only descend where definitions can live.
    switch (node.type) {
      case 'translation_unit':
      case 'preproc_if':
      case 'preproc_ifdef':
      case 'preproc_else':
      case 'preproc_elif':
      case 'preproc_elifdef':
      case 'linkage_specification':
      case 'declaration_list':
      case 'namespace_definition':
      case 'class_specifier':
      case 'struct_specifier':
      case 'field_declaration_list':
      case 'template_declaration':
      case 'ERROR':
        pushNamedChildren(stack, node);
        if (guard || node.type.startsWith('preproc_')) guardChildren(node, guard ?? [], guards);
        break;
      default:
        break;
    }
  }
  result.sort((a, b) => a.start - b.start);
  return result;
}

/**
 * The guards of a node's named children (`findFunctions`): inside `#if C` (or `#elif C`), `(C)`; in its
 * `#else` or `#elif` alternative, `!(C)`; `#ifdef N` is `defined(N)`. A child of another node inherits
 * the node's guard.
 */
function guardChildren(node: SyntaxNode, guard: string[], guards: Map<number, string[]>): void {
  let cond: string | undefined;
  if (node.type === 'preproc_if' || node.type === 'preproc_elif') {
    const c = node.childForFieldName('condition');
    cond = c ? `(${c.text.replace(/\\\r?\n/g, ' ').replace(/\s+/g, ' ')})` : undefined;
  } else if (node.type === 'preproc_ifdef' || node.type === 'preproc_elifdef') {
    const name = node.childForFieldName('name')?.text;
    cond = name ? (/^#\s*(?:el)?ifndef\b/.test(node.text) ? `!defined(${name})` : `defined(${name})`) : undefined;
    // an include guard (`#ifndef G`, `#define G` next, no `#else`) is no condition of what it holds
    const first = node.namedChildren.find((x) => x.type !== 'comment' && x.id !== node.childForFieldName('name')?.id);
    if (name && cond?.startsWith('!') && !node.childForFieldName('alternative') && first?.type === 'preproc_def' && first.childForFieldName('name')?.text === name) cond = undefined;
  }
  const condition = node.childForFieldName('condition') ?? node.childForFieldName('name');
  const alternative = node.childForFieldName('alternative');
  for (const c of node.namedChildren) {
    if (condition && c.id === condition.id) continue;
    const isAlt = !!alternative && c.id === alternative.id;
    // (a condition the text does not give, an `#if` in an error region, adds nothing: a weaker guard
    // only lets more functions be compiled)
    const g = cond === undefined ? guard : [...guard, isAlt ? `!${cond}` : cond];
    if (g.length) guards.set(c.id, g);
  }
}

/**
 * Parse the new text of a file incrementally (the language server, on every edit): the preprocessed
 * texts before and after are compared, the one range between their common prefix and suffix is given
 * to `tree.edit`, and tree-sitter reparses only what that range touches. The result equals
 * `parseSource(previous.path, text)` (tested), in a fraction of the time. `previous` must not be used
 * afterwards: its tree is edited in place. Falls back to a full parse for headers parsed with the other
 * grammar.
 */
export function reparseSource(previous: SourceFile, text: string): SourceFile {
  const lang = languageForPath(previous.path) ?? 'c';
  if (previous.lang !== lang) return parseSource(previous.path, text);
  // the functions whose text did not change are not preprocessed again (the result is preprocess's)
  const segments = segmentsOf.get(previous) ?? new SegmentedPreprocessor(lang);
  const clean = !previous.tree.rootNode.hasError; // (read before the tree is edited)
  const next = reparsed(previous, text, lang, segments.run(text));
  segmentsOf.set(next, segments);
  // and keep their compact copies, where neither version of the file has a syntax error
  if (clean && !next.tree.rootNode.hasError) carryCopies(previous, next);
  return next;
}

/**
 * The 0-based point of `offset` in `text` (`LiteSource.position`'s), given the row of an earlier offset
 * `from` that starts a line or is the start of the edit (its row only is needed: the lines are counted from it).
 */
export function pointAt(text: string, offset: number, from: number, row: number): { row: number; column: number } {
  for (let i = text.indexOf('\n', from); i >= 0 && i < offset; i = text.indexOf('\n', i + 1)) row++;
  return { row, column: offset === 0 ? 0 : offset - (text.lastIndexOf('\n', offset - 1) + 1) };
}

/** Each file's preprocessor by pieces, handed from a file to the file reparsed from it. */
const segmentsOf = new WeakMap<SourceFile, SegmentedPreprocessor>();

function reparsed(previous: SourceFile, text: string, lang: Lang, pp: Preprocessed): SourceFile {
  const before = previous.parsedText;
  const after = pp.text;
  const { start, oldEnd, newEnd } = changedRange(before, after);
  // a header's name and parameters are those of the same header text in the earlier version, where that
  // version has no syntax error (read before its tree is edited)
  const headers = new Map<string, { name: string; params: string[] }>();
  if (!previous.tree.rootNode.hasError) for (const fn of previous.functions) headers.set(before.slice(fn.start, fn.bodyStart), fn);
  let tree = previous.tree;
  if (start !== oldEnd || start !== newEnd) {
    // (the rows counted up to the edit and across it: no line table of either whole text)
    const startPosition = pointAt(before, start, 0, 0);
    tree.edit({
      startIndex: start,
      oldEndIndex: oldEnd,
      newEndIndex: newEnd,
      startPosition,
      oldEndPosition: pointAt(before, oldEnd, start, startPosition.row),
      newEndPosition: pointAt(after, newEnd, start, startPosition.row),
    });
    tree = parserFor(lang).parse(after, tree);
  }
  // With syntax errors, tree-sitter's error recovery may build a different tree incrementally than from
  // scratch; the server and the command line must agree, so such a text is parsed from scratch.
  if (tree.rootNode.hasError) return parseSource(previous.path, text);
  const functions = findFunctions(tree.rootNode, { text: after, headers });
  // the functions whose text did not change keep what was computed of it (neither version has an error)
  if (headers.size) {
    const byText = new Map<string, FunctionInfo>();
    for (const fn of previous.functions) byText.set(before.slice(fn.start, fn.bodyEnd), fn);
    for (const fn of functions) {
      const old = byText.get(after.slice(fn.start, fn.bodyEnd));
      if (old?.textId) fn.textId = old.textId;
    }
  }
  return { path: previous.path, lang, text, parsedText: after, tree, annotations: pp.annotations, functions };
}
