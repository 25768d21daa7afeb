/**
 * Where a huge file may be cut into pieces that tree-sitter parses one at a time (see `parseReleasedSteps`
 * in src/analysis/transfer.ts): a native syntax tree costs tens of bytes per byte of source, so a 50 MB
 * file of small functions held 4 GB of tree at once. Parsed a piece at a time, with each piece's functions
 * copied out (src/parse/compact.ts) before the next is parsed, the file holds one piece's tree at a time.
 *
 * A cut is made only where the whole file's tree has a boundary between two top-level items: at the start
 * of the line after the `}` that closes a function body (a `{` opened after `)` at the top level), outside
 * every parenthesis and every `#if` group, with nothing but comments after the `}` on its line (a `//`
 * comment continued by a backslash included), and not before a `catch` (the handlers of a C++
 * function-try-block), and not after a `)` or `}` that closes nothing (a broken text, whose preprocessing after it can
 * depend on what came before it). A file under an include guard (`#ifndef X_H` to the last line) has no cut. tree-sitter
 * parses a top-level item the same wherever it is, so the pieces' function trees are the whole file's.
 * The caller still checks each piece: a piece whose tree has an error (a cut in the wrong place, such as
 * a `typedef struct __declspec(align(16)) { ... }` whose declarator is on the next line, or a file with syntax
 * errors) makes it parse the whole file instead.
 */

import { changedRange } from './text-diff.js';

const NL = 10;

/**
 * Offsets of the preprocessed `text` at which pieces start (the first is 0): each piece at least
 * `target` characters long, except the last. A single `[0]` when the text has no cut.
 */
export function chunkStarts(text: string, target: number): number[] {
  return scan(text, target, [0]);
}

/**
 * `chunkStarts(text, target)` given the starts of an earlier version of the text (`previous`, whose starts
 * were `previousStarts`): the language server's pieces after an edit, without a scan of the whole text.
 *
 * The scanner's state at a cut is the same as at the start of a text (no brace, parenthesis or `#if`
 * group open, at a line start), and a cut depends only on the text before it and on the first token after
 * it (`catch`). So the cuts before the edit stay, except the last one, whose token may be the edit's: the
 * scan starts again at the cut before that (whose token lies before the next cut, a `}` at least), and
 * stops at the first cut after the edit that is a cut of the earlier text moved by the edit's length: from
 * there the text and the state are the earlier ones, and so are the cuts. Equal to `chunkStarts(text,
 * target)` (tested on random edits of every fixture).
 */
export function chunkStartsAfterEdit(previous: string, previousStarts: readonly number[], text: string, target: number): number[] {
  return cutsAfterEdit(previous, previousStarts, text, target).starts;
}

/**
 * `chunkStartsAfterEdit`, with which pieces are the earlier ones: the pieces before `head` are the earlier
 * pieces of the same index (same text, same offsets), and the pieces from `tail` on are the earlier pieces
 * from `previousTail` on, moved by the edit's length.
 */
export function cutsAfterEdit(
  previous: string,
  previousStarts: readonly number[],
  text: string,
  target: number,
): { starts: number[]; head: number; tail: number; previousTail: number } {
  const { start: a, oldEnd, newEnd } = changedRange(previous, text);
  if (a === oldEnd && a === newEnd) return { starts: [...previousStarts], head: previousStarts.length, tail: previousStarts.length, previousTail: previousStarts.length };
  // the last earlier cut at or before the edit's start, and the one before it
  let j = 0;
  while (j + 1 < previousStarts.length && previousStarts[j + 1]! <= a) j++;
  const from = Math.max(0, j - 1);
  const resync: Resync = { previousStarts, delta: text.length - previous.length, after: newEnd, tail: -1, previousTail: -1 };
  const starts = scan(text, target, previousStarts.slice(0, from + 1), resync);
  return resync.tail < 0 ? { starts, head: from, tail: starts.length, previousTail: previousStarts.length } : { starts, head: from, tail: resync.tail, previousTail: resync.previousTail };
}

/** Where a scan may stop: at a cut at or after `after` that is an earlier cut moved by `delta`. */
interface Resync {
  previousStarts: readonly number[];
  delta: number;
  after: number;
  /** Set by the scan when it stops: the index of that cut, and of the earlier cut it is. */
  tail: number;
  previousTail: number;
}

/** The stretch of text the last scan read (for the tests: an edit is scanned around, not whole). */
export const lastScan = { from: 0, to: 0 };

/** The cuts of `text` after the last of `starts` (a cut, where the scan begins), appended to `starts`. */
function scan(text: string, target: number, starts: number[], resync?: Resync): number[] {
  const n = text.length;
  lastScan.from = starts[starts.length - 1]!;
  lastScan.to = n;
  let braces = 0;
  let parens = 0;
  let ifDepth = 0;
  /** The last significant character (not in a comment or a literal): `)` before a `{` opens a body. */
  let last = 0;
  let body = false;
  /** A body just closed at the top level: the next line may start a piece. */
  let closed = false;
  /** The start of that line, once it ended: a cut unless the next token is `catch` (another handler of a C++ function-try-block). */
  let pending = -1;
  let lineStart = true;
  /** A `)` or `}` that closed nothing: the text is broken, and the preprocessor's decisions after it may read what came before it (no cut after it). */
  let unbalanced = false;
  let i = starts[starts.length - 1]!;
  /** The earlier cuts from the first that may be met again (`resync`). */
  let next = 0;
  const push = (cut: number): boolean => {
    starts.push(cut);
    if (!resync || cut < resync.after) return false;
    const old = cut - resync.delta;
    const p = resync.previousStarts;
    while (next < p.length && p[next]! < old) next++;
    if (p[next] !== old) return false;
    resync.tail = starts.length - 1;
    resync.previousTail = next;
    for (let k = next + 1; k < p.length; k++) starts.push(p[k]! + resync.delta);
    return true;
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c === NL) {
      if (closed && !unbalanced && braces === 0 && parens === 0 && ifDepth === 0 && i + 1 - starts[starts.length - 1]! >= target && i + 1 < n) pending = i + 1;
      closed = false;
      lineStart = true;
      i++;
      continue;
    }
    if (c === 32 || c === 9 || c === 13 || c === 12 || c === 11) {
      i++;
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 47) {
      // to the end of the line, and of the next when a backslash ends it (a line splice continues the comment)
      while (i < n) {
        const d = text.charCodeAt(i);
        if (d === NL && text.charCodeAt(i - 1) !== 92 && !(text.charCodeAt(i - 1) === 13 && text.charCodeAt(i - 2) === 92)) break;
        i++;
      }
      continue;
    }
    if (c === 47 && text.charCodeAt(i + 1) === 42) {
      const e = text.indexOf('*/', i + 2);
      i = e < 0 ? n : e + 2;
      continue;
    }
    if (c === 35 /* # */ && lineStart) {
      // a directive, to the end of its line (and of its continuation lines)
      let k = i + 1;
      while (k < n && (text.charCodeAt(k) === 32 || text.charCodeAt(k) === 9)) k++;
      let e = k;
      while (e < n && /[A-Za-z]/.test(text[e]!)) e++;
      const kw = text.slice(k, e);
      if (kw === 'if' || kw === 'ifdef' || kw === 'ifndef') ifDepth++;
      else if (kw === 'endif' && ifDepth > 0) ifDepth--;
      while (e < n) {
        const d = text.charCodeAt(e);
        if (d === NL && text.charCodeAt(e - 1) !== 92 && !(text.charCodeAt(e - 1) === 13 && text.charCodeAt(e - 2) === 92)) break;
        if (d === 47 && text.charCodeAt(e + 1) === 42) {
          // a comment in a directive may run over several lines
          const x = text.indexOf('*/', e + 2);
          e = x < 0 ? n : x + 2;
          continue;
        }
        e++;
      }
      closed = false;
      i = e;
      continue;
    }
    lineStart = false;
    // anything but a comment after the `}` on its line: not the end of an item
    closed = false;
    if (pending >= 0) {
      const cut = pending;
      pending = -1;
      if (!(c === 99 && text.startsWith('catch', i) && !/[A-Za-z0-9_$]/.test(text[i + 5] ?? '')) && push(cut)) {
        lastScan.to = i;
        return starts;
      }
    }
    if (c === 34 || c === 39) {
      // a literal, to its closing quote or the end of the line
      let k = i + 1;
      while (k < n) {
        const d = text.charCodeAt(k);
        if (d === 92) k += 2;
        else if (d === c) {
          k++;
          break;
        } else if (d === NL) break;
        else k++;
      }
      last = c;
      i = k;
      continue;
    }
    if (c === 123 /* { */) {
      if (braces === 0) body = last === 41 && parens === 0;
      braces++;
    } else if (c === 125 /* } */) {
      if (braces > 0) braces--;
      else unbalanced = true;
      if (braces === 0 && body) {
        closed = true;
        body = false;
      }
    } else if (c === 40) parens++;
    else if (c === 41) {
      if (parens > 0) parens--;
      else unbalanced = true;
    }
    last = c;
    i++;
  }
  if (pending >= 0) push(pending);
  return starts;
}
