/**
 * The language server's preprocessing, one edit after another: a text is cut where a top-level function
 * body ends (the cuts of src/parse/chunks.ts, outside parentheses and `#if` groups), each piece is
 * preprocessed on its own, and a piece whose text did not change since the last edit is not preprocessed
 * again. A typed character preprocesses the function it is in instead of the whole file (a quarter of a
 * keystroke's time on a 5,000-line file before). The cuts themselves are found again only around the edit.
 *
 * The result is `preprocess(text)`: the preprocessor's state is the same at such a cut as at the start of a
 * text (no group, statement, parenthesis or declaration is open; the token before it is `}`, which no
 * decision reads differently from the start), and no decision looks past the end of a function body.
 * `test/parse/preprocess-segments.test.ts` compares the two on every fixture and on mutated fixtures.
 */
import { chunkStarts, cutsAfterEdit } from './chunks.js';
import { preprocess, type Annotation, type Preprocessed } from './preprocess.js';

export class SegmentedPreprocessor {
  /** The last text, its cuts and each piece preprocessed (the next text's are found from them). */
  private previous: { text: string; starts: number[]; pieces: Preprocessed[] } | undefined;
  /** Pieces preprocessed and reused by the last `run`. */
  last = { preprocessed: 0, reused: 0 };

  constructor(readonly lang: 'c' | 'cpp') {}

  run(text: string): Preprocessed {
    const prev = this.previous;
    // the pieces before `head` and from `tail` on are the last text's (those from `previousTail` on, moved)
    const { starts, head, tail, previousTail } = prev ? cutsAfterEdit(prev.text, prev.starts, text, 1) : { starts: chunkStarts(text, 1), head: 0, tail: 0, previousTail: 0 };
    const end = (k: number, s: readonly number[], t: string) => s[k + 1] ?? t.length;
    // between them: a piece whose text is one of the last text's pieces there is not preprocessed again
    const around = new Map<string, Preprocessed>();
    if (prev) for (let k = head; k < previousTail; k++) around.set(prev.text.slice(prev.starts[k]!, end(k, prev.starts, prev.text)), prev.pieces[k]!);
    const pieces: Preprocessed[] = [];
    let preprocessed = 0;
    for (let k = 0; k < starts.length; k++) {
      let pp = prev && k < head ? prev.pieces[k] : prev && k >= tail ? prev.pieces[previousTail + k - tail] : undefined;
      if (!pp) {
        const piece = text.slice(starts[k]!, end(k, starts, text));
        pp = around.get(piece);
        if (!pp) {
          pp = preprocess(piece, this.lang);
          around.set(piece, pp);
          preprocessed++;
        }
      }
      pieces.push(pp);
    }
    this.previous = { text, starts, pieces };
    this.last = { preprocessed, reused: starts.length - preprocessed };
    const annotations: Annotation[] = [];
    for (let k = 0; k < starts.length; k++) {
      const at = starts[k]!;
      for (const a of pieces[k]!.annotations) annotations.push(at === 0 ? a : { ...a, start: a.start + at, end: a.end + at });
    }
    return { text: pieces.length === 1 ? pieces[0]!.text : pieces.map((p) => p.text).join(''), annotations };
  }
}
