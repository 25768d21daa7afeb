/**
 * Parsed files as plain data, for the worker threads of the command line (`src/cli/threads.ts`): each
 * worker parses a share of the run's files, and hands the files the program is made of to the other
 * workers, which rebuild them instead of parsing them again. A packed file is what the analyses read
 * of a released file (see `releaseTree`): its texts, annotations, function records, the compact copy
 * of its functions' syntax trees and the constants its native tree defined.
 */
import { adoptTrees, packTrees, releaseTree, type PackedTrees } from '../parse/compact.js';
import { parseSource, type FunctionInfo, type SourceFile } from '../parse/parser.js';
import { adoptFileConstants, fileConstants } from './constants.js';
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
  // Only the annotations the IRQL analysis reads (found by a memory review: 2,600 of 66,600 on
  // Windows-driver-samples), copied: a slice of the preprocessor's intermediate text keeps that whole
  // text alive, a copy of each file.
  file.annotations = file.annotations.filter((a) => irqlReadsAnnotation(a.name)).map((a) => ({ ...a, name: ownCopy(a.name), text: ownCopy(a.text) }));
  return file;
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

/** The released file a `packFile` result describes (its `tree` and functions' nodes throw when read, as a released file's do). */
export function unpackFile(p: PackedFile): SourceFile {
  const functions = p.functions.map((f) => ({ ...f, node: undefined, body: undefined }) as unknown as FunctionInfo);
  const file = { path: p.path, lang: p.lang, text: p.text, parsedText: p.parsedText, tree: undefined, annotations: p.annotations, functions } as unknown as SourceFile;
  adoptTrees(file, p.trees);
  adoptFileConstants(file, p.constants);
  // (the worker holds this text nowhere else: see source-text.ts)
  keepTextAsPatch(file);
  return file;
}
