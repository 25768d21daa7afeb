/**
 * The JSON text of a large value written a piece at a time: the pieces joined are exactly
 * `JSON.stringify(value, null, space)`, but no string of the whole is ever built.
 *
 * Why: the command's JSON, SARIF and shard outputs carry every finding's path and, like ESLint's, the
 * source of each file with findings; on the benchmark corpus (24 MiB of C) the JSON is 27 MB. Built as
 * one string, then posted by the command's thread to the process's streams, it was the run's peak
 * memory, at the very end (README, Benchmark, Memory).
 *
 * The outer `levels` of arrays and plain objects are taken apart; each value below them is stringified
 * on its own (its lines indented to its depth: a JSON string never holds a raw newline, so every
 * newline of a stringified value is one of its line breaks).
 */
import { closeSync, openSync, writeSync } from 'node:fs';

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null) return false;
  const p = Object.getPrototypeOf(v) as unknown;
  return p === Object.prototype || p === null;
}

/** The pieces of `JSON.stringify(value, null, space)`: containers down to `levels` deep are split. */
export function* jsonChunks(value: unknown, space = 0, levels = 1): Generator<string> {
  const gap = ' '.repeat(Math.max(0, Math.min(10, Math.floor(space))));
  const top = jsonValue(value, '', gap, 0, levels);
  // like JSON.stringify: nothing to write for undefined, a function or a symbol
  if (top === undefined) return;
  yield* top;
}

/** The pieces of one value at `depth` (undefined: the value has no JSON text, as JSON.stringify skips it). */
function jsonValue(value: unknown, key: string, gap: string, depth: number, levels: number): Iterable<string> | undefined {
  let v = value;
  if (typeof v === 'object' && v !== null && typeof (v as { toJSON?: unknown }).toJSON === 'function') {
    v = (v as { toJSON: (k: string) => unknown }).toJSON(key);
  }
  if (levels > 0 && (Array.isArray(v) || isPlainObject(v))) return container(v, gap, depth, levels);
  const text = JSON.stringify(v, null, gap || undefined) as string | undefined;
  if (text === undefined) return undefined;
  return [gap && depth > 0 ? text.replace(/\n/g, `\n${gap.repeat(depth)}`) : text];
}

function* container(v: unknown[] | Record<string, unknown>, gap: string, depth: number, levels: number): Generator<string> {
  const array = Array.isArray(v);
  const [open, close] = array ? ['[', ']'] : ['{', '}'];
  const inner = gap ? `\n${gap.repeat(depth + 1)}` : '';
  const keys = array ? undefined : Object.keys(v);
  const count = array ? v.length : keys!.length;
  let first = true;
  for (let i = 0; i < count; i++) {
    const k = array ? String(i) : keys![i]!;
    const item = (v as Record<string, unknown>)[k];
    const pieces = jsonValue(item, k, gap, depth + 1, levels - 1);
    if (pieces === undefined && !array) continue;
    const head = array ? '' : `${JSON.stringify(k)}:${gap ? ' ' : ''}`;
    yield `${first ? open : ','}${inner}${head}`;
    first = false;
    if (pieces === undefined) yield 'null';
    else yield* pieces;
  }
  yield first ? open + close : `${gap ? `\n${gap.repeat(depth)}` : ''}${close}`;
}

/** Pieces gathered into writes of about `size` characters (fewer, larger writes: a thread posts each one). */
export function* batched(pieces: Iterable<string>, size = 1 << 16): Generator<string> {
  let buf: string[] = [];
  let n = 0;
  for (const p of pieces) {
    buf.push(p);
    n += p.length;
    if (n >= size) {
      yield buf.join('');
      buf = [];
      n = 0;
    }
  }
  if (n > 0) yield buf.join('');
}

/** Write the pieces to a new file (replacing it), a batch at a time. */
export function writeFileInPieces(path: string, pieces: Iterable<string>): void {
  const fd = openSync(path, 'w');
  try {
    for (const b of batched(pieces)) {
      const bytes = Buffer.from(b, 'utf8');
      for (let off = 0; off < bytes.length; ) off += writeSync(fd, bytes, off);
    }
  } finally {
    closeSync(fd);
  }
}
