/**
 * The sources of the files with findings, held compressed from their lint to the report.
 *
 * Like ESLint's, a result carries its file's source when it has findings (`result.source`: the JSON
 * formatter writes it, code frames and SARIF snippets read it), and the run keeps the same texts for the
 * baseline's fingerprints and SARIF. Held as strings, they were a fifth of the live heap at the end of a
 * run on the benchmark corpus (192 of its 287 files have findings: 16 MB of text), and the V8 heap is
 * sized after what it holds: the command's peak memory fell by about 18 MiB without them (README,
 * Benchmark). Here each text is compressed once (`StoredText`, zlib's fastest level) and inflated when the
 * report reads it: `source` is an accessor, which `JSON.stringify`, a formatter and `resultWith` read like
 * a property, and a JSON or SARIF report written a piece at a time (json-chunks.ts) inflates one text at a
 * time.
 */
import type { LintResult } from '../lint/types.js';
import { StoredText } from '../parse/stored-text.js';

/** What the report and the baseline read of the run's sources: a file's text, or undefined. */
export interface SourceLookup {
  get(path: string): string | undefined;
}

/** The run's sources of files with findings, by path, compressed. */
export class SourceTexts implements SourceLookup {
  private readonly stored = new Map<string, StoredText>();

  /** Keep `text` as `path`'s source; the stored copy, for the result's `source` (`withSource`). */
  set(path: string, text: string): StoredText {
    const s = new StoredText(text);
    this.stored.set(path, s);
    return s;
  }

  get(path: string): string | undefined {
    return this.stored.get(path)?.whole();
  }

  /**
   * The texts as a plain object whose values are read when asked (a shard's `texts`, written a piece at a
   * time): an accessor per path, enumerable, in the order the files were kept.
   */
  toRecord(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const [path, s] of this.stored) Object.defineProperty(out, path, { get: () => s.whole(), enumerable: true, configurable: true });
    return out;
  }
}

/** `result` with a `source` read from `stored` when asked, where `{ ...result, source }` would put it. */
export function withSource(result: LintResult, stored: StoredText): LintResult {
  const { source: _drop, ...rest } = result;
  return Object.defineProperty(rest as LintResult, 'source', { get: () => stored.whole(), enumerable: true, configurable: true });
}

/**
 * `{ ...result, ...changes }`, except that a `source` read when asked stays so (a spread would read it):
 * the same keys in the same order, the same JSON. A key of `changes` whose value is undefined is dropped,
 * as `delete` would (the quiet report drops `source` that way).
 */
export function resultWith(result: LintResult, changes: Partial<LintResult>): LintResult {
  const out = Object.defineProperties({}, Object.getOwnPropertyDescriptors(result)) as Record<string, unknown>;
  for (const [k, v] of Object.entries(changes)) {
    if (v === undefined) delete out[k];
    else Object.defineProperty(out, k, { value: v, writable: true, enumerable: true, configurable: true });
  }
  return out as unknown as LintResult;
}
