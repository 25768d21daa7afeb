/**
 * A released file's original text (`SourceFile.text`) kept as its differences from the preprocessed text
 * (`parsedText`), where the program holds the only copy of the text (the command line, which reads each
 * file once: see the callers of `keepTextAsPatch`).
 *
 * Why: a run holds every file of the program for its whole length, each with both texts, and the two
 * differ in about 2% of their characters (the preprocessor blanks annotations and macros in place, keeping
 * every offset). Keeping both whole was the largest part of a run's memory after the compact syntax trees:
 * two 36 MiB copies of Windows-driver-samples' 38 MB of sources.
 *
 * The preprocessed text itself is then held compressed (`parsedText` an accessor over a `StoredText`, see
 * stored-text.ts), with the compact trees' copy of it; `parsedSlice` reads a range as a string of its own.
 *
 * How: `keepTextAsPatch` turns `file.text` into an accessor that builds the original text again when read;
 * the last text built is kept, since the reads of a file come together (its lint, the facts read of it
 * once). `sourceSlice` reads a range without building the whole text (a function's header, read for
 * every function in the order of the call graph, across files).
 *
 * A string kept for the run that is read out of a released file's `text` should be an `ownCopy`: V8 makes
 * a substring of 13 characters or more a slice that keeps the whole text it was cut from alive, which would
 * keep a text built from the patch (or, during the build, the text read from disk) for as long as the name.
 */
import type { SourceFile } from './parser.js';
import { storeTreeText } from './compact.js';
import { StoredText } from './stored-text.js';

/** The original text where it differs from the preprocessed text. */
interface TextPatch {
  /** Each run of differing characters as [start, end) offsets, in order: starts at even indices, ends at odd. */
  runs: Uint32Array;
  /** The original characters of the runs, one after another. */
  chars: string;
  /** Offset in `chars` of each run's characters, and one more entry: `chars.length`. */
  at: Uint32Array;
}

const patches = new WeakMap<SourceFile, TextPatch>();
/** The text built last (see the module comment). */
let recent: { file: SourceFile; text: string } | undefined;

/**
 * `s`, as a string that keeps no larger one alive: V8 makes a substring of 13 characters or more a slice
 * of its parent. (A property key is internalized, which copies a slice: equal names share one copy.)
 */
export function ownCopy(s: string): string {
  return s.length < 13 ? s : Object.keys({ [s]: 0 })[0]!;
}

/**
 * Keep `file.parsedText` outside the JavaScript heap (see stored-text.ts), with the compact trees' copy of it,
 * and `file.text` as its differences from the parsed text (see the module comment). The two have the same
 * length (the preprocessor keeps offsets); should they not, the original text is left as it is.
 */
export function keepTextAsPatch(file: SourceFile): void {
  if (stored.has(file)) return;
  const t = file.text;
  const p = file.parsedText;
  const kept = new StoredText(p);
  stored.set(file, kept);
  // (the records' names were cut out of the parsed text: copies, so that the text they were cut from goes)
  for (const fn of file.functions) {
    fn.name = ownCopy(fn.name);
    fn.params = fn.params.map(ownCopy);
    if (fn.guard !== undefined) fn.guard = ownCopy(fn.guard);
  }
  storeTreeText(file, kept);
  if (recent?.file === file) recent = undefined;
  // (what the file is given, should anything set one of its texts, is its text from then on)
  const settable = (key: 'text' | 'parsedText', get: () => string) =>
    Object.defineProperty(file, key, {
      get,
      set: (text: string) => {
        if (key === 'text') patches.delete(file);
        if (recent?.file === file) recent = undefined;
        Object.defineProperty(file, key, { value: text, writable: true, enumerable: true, configurable: true });
      },
      enumerable: true,
      configurable: true,
    });
  settable('parsedText', () => kept.whole());
  if (t === p || t.length !== p.length) {
    // (the same text, or one the patch cannot describe: kept as it is)
    if (t === p) settable('text', () => file.parsedText);
    return;
  }
  const runs: number[] = [];
  const pieces: string[] = [];
  const n = t.length;
  for (let i = 0; i < n; i++) {
    if (t.charCodeAt(i) === p.charCodeAt(i)) continue;
    let j = i + 1;
    while (j < n && t.charCodeAt(j) !== p.charCodeAt(j)) j++;
    runs.push(i, j);
    pieces.push(t.slice(i, j));
    i = j;
  }
  const at = new Uint32Array(runs.length / 2 + 1);
  for (let k = 0; k < runs.length / 2; k++) at[k + 1] = at[k]! + (runs[2 * k + 1]! - runs[2 * k]!);
  // (`join` makes a flat string of its own: the pieces, slices of the original text, do not outlive it)
  patches.set(file, { runs: Uint32Array.from(runs), chars: pieces.join(''), at });
  settable('text', () => builtText(file));
}

/**
 * `file.parsedText.slice(start, end)`, as a string of its own when the text is stored outside the heap
 * (`keepTextAsPatch`): what a function's body is read for (names it calls, words it holds) may be kept.
 */
export function parsedSlice(file: SourceFile, start: number, end: number): string {
  const kept = stored.get(file);
  return kept ? kept.slice(start, end) : file.parsedText.slice(start, end);
}

/**
 * The file, kept by `keepTextAsPatch`, has been linted for the last time (the command line): the inflated
 * copy of its text and the strings built of it go now (see stored-text.ts; a later read inflates it again).
 */
export function setAsideTexts(file: SourceFile): void {
  stored.get(file)?.release();
  if (recent?.file === file) recent = undefined;
}

/**
 * What identifies the file's parsed text without reading it: the stored copy of a file kept by
 * `keepTextAsPatch` (whose text does not change), else the text itself.
 */
export function parsedTextIdentity(file: SourceFile): unknown {
  return stored.get(file) ?? file.parsedText;
}

/** The parsed texts stored outside the heap (`keepTextAsPatch`). */
const stored = new WeakMap<SourceFile, StoredText>();

/** The file's text is kept as a patch (`keepTextAsPatch`). */
export function textKeptAsPatch(file: SourceFile): boolean {
  return patches.has(file);
}

function builtText(file: SourceFile): string {
  if (recent?.file === file) return recent.text;
  const text = build(file.parsedText, patches.get(file)!, 0, file.parsedText.length);
  recent = { file, text };
  return text;
}

/** The original text of [start, end) (within the text) from the preprocessed text and the patch. */
function build(p: string, patch: TextPatch, start: number, end: number): string {
  const { runs, chars, at } = patch;
  const count = at.length - 1;
  // the first run that ends after `start`
  let lo = 0;
  let hi = count;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (runs[2 * mid + 1]! <= start) lo = mid + 1;
    else hi = mid;
  }
  const out: string[] = [];
  let from = start;
  for (let k = lo; k < count && runs[2 * k]! < end; k++) {
    const rs = Math.max(runs[2 * k]!, start);
    const re = Math.min(runs[2 * k + 1]!, end);
    if (rs > from) out.push(p.slice(from, rs));
    const base = at[k]! - runs[2 * k]!;
    out.push(chars.slice(base + rs, base + re));
    from = re;
  }
  if (from < end) out.push(p.slice(from, end));
  return out.join('');
}

/** `file.text.slice(start, end)`, without building the whole text of a file kept as a patch. */
export function sourceSlice(file: SourceFile, start: number, end: number): string {
  const patch = patches.get(file);
  if (!patch || recent?.file === file) return file.text.slice(start, end);
  // (the bounds as `slice` reads them: negative from the end, clamped to the text)
  const n = file.parsedText.length;
  const s = start < 0 ? Math.max(0, n + start) : Math.min(start, n);
  const e = end < 0 ? Math.max(0, n + end) : Math.min(end, n);
  return e <= s ? '' : build(file.parsedText, patch, s, e);
}
