/**
 * A run that holds a whole program (the command line) keeps each file's text compressed from the moment the
 * file is parsed (`keepTextAsPatch`, src/parse/stored-text.ts), and inflates it again when read. What the
 * analyses read of every file's text for the whole program (the program view's body facts and function
 * heads, the IRQL analysis's annotations, pageable sections and program-wide flags) is read here, once,
 * while the text is at hand: otherwise each of those passes inflated every file again (on
 * Windows-driver-samples, 7,231 inflations for 2,274 files before this was read here).
 */
import { irqlWordsPattern, type IrqlTable } from '../ddi/irql.js';
import type { SourceFile } from '../parse/parser.js';
import { readIrqlTexts } from './irql-analysis.js';
import { readProgramTexts } from './project.js';

const wordsMemo = new WeakMap<IrqlTable, RegExp>();

/** Read what every whole-program pass reads of `file`'s text (call it before `keepTextAsPatch`). `table`: the program's IRQL table. */
export function readWhileHeld(file: SourceFile, table: IrqlTable): void {
  let words = wordsMemo.get(table);
  if (!words) wordsMemo.set(table, (words = irqlWordsPattern(table)));
  readProgramTexts(file, words);
  readIrqlTexts(file, table);
}
