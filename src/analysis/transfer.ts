/**
 * Parsed files as plain data, for the worker threads of the command line (`src/cli/threads.ts`): each
 * worker parses a share of the run's files, and hands the files the program is made of to the other
 * workers, which rebuild them instead of parsing them again. A packed file is what the analyses read
 * of a released file (see `releaseTree`): its texts, annotations, function records, the compact copy
 * of its functions' syntax trees and the constants its native tree defined.
 */
import { chunkStarts } from '../parse/chunks.js';
import { adoptTrees, copyPiece, packTrees, releasePieces, releaseTree, type PackedTrees } from '../parse/compact.js';
import { LiteSource } from '../parse/lite.js';
import { findFunctions, languageForPath, parseRange, parseSource, type FunctionInfo, type SourceFile, type Tree } from '../parse/parser.js';
import { preprocess } from '../parse/preprocess.js';
import { adoptFileConstants, fileConstants, readConstants } from './constants.js';
import { runStepsAsync } from './steps.js';
import { irqlReadsAnnotation } from './irql-annotations.js';
import { keepTextAsPatch, ownCopy } from '../parse/source-text.js';

export interface PackedFile {
  path: string;
  lang: SourceFile['lang'];
  text: string;
  parsedText: string;
  annotations: SourceFile['annotations'];
  functions: Omit<FunctionInfo, 'node' | 'body'>[];
  trees: PackedTrees;
  constants: [string, number][];
}

/** Parse `input` for a program held by several threads: constants read, native tree released. Throws as `parseSource` does. */
export function parseReleased(input: { path: string; text: string }): SourceFile {
  return releaseParsed(parseSource(input.path, input.text));
}

/** Read what the native tree alone gives (the file's constants), then release it (see `releaseTree`). */
export function releaseParsed(file: SourceFile): SourceFile {
  fileConstants(file);
  releaseTree(file);
  keepReadAnnotations(file);
  return file;
}

/**
 * Only the annotations the IRQL analysis reads (found by a memory review: 2,600 of 66,600 on
 * Windows-driver-samples), copied: a slice of the preprocessor's intermediate text keeps that whole
 * text alive, a copy of each file.
 */
function keepReadAnnotations(file: SourceFile): void {
  file.annotations = file.annotations.filter((a) => irqlReadsAnnotation(a.name)).map((a) => ({ ...a, name: ownCopy(a.name), text: ownCopy(a.text) }));
}

/**
 * Files of at least `min` characters are parsed in pieces of at least `target` characters (see
 * src/parse/chunks.ts). A native tree costs about 28 bytes per byte of ordinary driver source, and much
 * more for files of small functions (90 bytes: a 5 MB file of 84,000 one-line helpers held 450 MB of tree).
 * Measured on that file (parse and release alone): peak RSS 628 MiB whole, 533, 339 and 240 MiB in pieces
 * of 4 MiB, 1 MiB and 256 KiB, in the same time.
 */
export const PIECES = { min: 1024 * 1024, target: 256 * 1024 };

/** A text the command line parses a piece at a time (`parseReleasedSteps`): `PIECES.min` or longer. */
export function parsedInPieces(text: string): boolean {
  return text.length >= PIECES.min;
}

/**
 * `parseReleased`, a step (a `yield`) after each piece of a file parsed in pieces, so that a caller that
 * lets the event loop turn at each step frees each piece's native tree before the next is parsed (the
 * binding frees trees only then). The result is the released file `parseReleased` gives (the same
 * functions, compact trees, constants and annotations); a piece whose tree has an error makes it parse the
 * whole file instead (a file with syntax errors is parsed whole, as error recovery may cross a cut).
 */
export function* parseReleasedSteps(input: { path: string; text: string }): Generator<void, SourceFile> {
  const lang = languageForPath(input.path) ?? 'c';
  if (!parsedInPieces(input.text)) return parseReleased(input);
  const pp = preprocess(input.text, lang);
  const starts = chunkStarts(pp.text, PIECES.target);
  if (starts.length < 2) return parseReleased(input);
  const file: SourceFile = { path: input.path, lang, text: input.text, parsedText: pp.text, tree: undefined as unknown as Tree, annotations: pp.annotations, functions: [] };
  const constants = new Map<string, number>();
  const lines = new LiteSource(pp.text);
  for (let k = 0; k < starts.length; k++) {
    // (in a function of its own: nothing of this frame, suspended at the yield, holds the piece's tree)
    if (!readPiece(file, lang, starts[k]!, starts[k + 1] ?? pp.text.length, lines, constants)) return parseReleased(input);
    yield;
  }
  releasePieces(file);
  adoptFileConstants(file, constants);
  keepReadAnnotations(file);
  return file;
}

/** Parse one piece of `file`, copy its functions and read its constants; false when the piece's tree has an error. */
function readPiece(file: SourceFile, lang: SourceFile['lang'], start: number, end: number, lines: LiteSource, constants: Map<string, number>): boolean {
  const tree = parseRange(lang, file.parsedText, start, end, lines);
  if (tree.rootNode.hasError) return false;
  const fns = findFunctions(tree.rootNode);
  copyPiece(file, tree, fns);
  readConstants(tree.rootNode, constants);
  for (const fn of fns) file.functions.push(fn);
  return true;
}

/** `parseReleasedSteps`, letting the event loop turn after each piece (the command line). */
export function parseReleasedAsync(input: { path: string; text: string }): Promise<SourceFile> {
  return runStepsAsync(parseReleasedSteps(input));
}

/** A released file (`parseReleased`) as plain data. */
export function packFile(file: SourceFile): PackedFile {
  const functions = file.functions.map(({ node: _n, body: _b, ...rest }) => rest);
  return {
    path: file.path,
    lang: file.lang,
    text: file.text,
    parsedText: file.parsedText,
    annotations: file.annotations,
    functions,
    trees: packTrees(file),
    constants: [...fileConstants(file)],
  };
}

/**
 * The released file a `packFile` result describes (its `tree` and functions' nodes throw when read, as a
 * released file's do). `read`: called before the file holds its text compressed (see `readWhileHeld`).
 */
export function unpackFile(p: PackedFile, read?: (file: SourceFile) => void): SourceFile {
  const functions = p.functions.map((f) => ({ ...f, node: undefined, body: undefined }) as unknown as FunctionInfo);
  const file = { path: p.path, lang: p.lang, text: p.text, parsedText: p.parsedText, tree: undefined, annotations: p.annotations, functions } as unknown as SourceFile;
  adoptTrees(file, p.trees);
  adoptFileConstants(file, p.constants);
  read?.(file);
  // (the worker holds this text nowhere else: see source-text.ts)
  keepTextAsPatch(file);
  return file;
}
