/**
 * The language server's preprocessing, one edit after another: a text is cut where a top-level function
 * body ends (the cuts of src/parse/chunks.ts, outside parentheses and `#if` groups), each piece is
 * preprocessed on its own, and a piece whose text did not change since the last edit is not preprocessed
 * again. A typed character preprocesses the function it is in instead of the whole file (a quarter of a
 * keystroke's time on a 5,000-line file before).
 *
 * The result is `preprocess(text)`: the preprocessor's state is the same at such a cut as at the start of a
 * text (no group, statement, parenthesis or declaration is open; the token before it is `}`, which no
 * decision reads differently from the start), and no decision looks past the end of a function body.
 * `test/parse/preprocess-segments.test.ts` compares the two on every fixture and on mutated fixtures.
 */
import { chunkStarts } from './chunks.js';
import { preprocess, type Annotation, type Preprocessed } from './preprocess.js';

export class SegmentedPreprocessor {
  /** Each piece of the last text preprocessed, by its text. */
  private pieces = new Map<string, Preprocessed>();
  /** Pieces preprocessed and reused by the last `run`. */
  last = { preprocessed: 0, reused: 0 };

  constructor(readonly lang: 'c' | 'cpp') {}

  run(text: string): Preprocessed {
    const starts = chunkStarts(text, 1);
    const next = new Map<string, Preprocessed>();
    const texts: string[] = [];
    const annotations: Annotation[] = [];
    let preprocessed = 0;
    for (let k = 0; k < starts.length; k++) {
      const at = starts[k]!;
      const piece = text.slice(at, starts[k + 1] ?? text.length);
      let pp = this.pieces.get(piece) ?? next.get(piece);
      if (!pp) {
        pp = preprocess(piece, this.lang);
        preprocessed++;
      }
      next.set(piece, pp);
      texts.push(pp.text);
      for (const a of pp.annotations) annotations.push(at === 0 ? a : { ...a, start: a.start + at, end: a.end + at });
    }
    this.pieces = next;
    this.last = { preprocessed, reused: starts.length - preprocessed };
    return { text: texts.length === 1 ? texts[0]! : texts.join(''), annotations };
  }
}
