/**
 * A text held compressed, outside the JavaScript heap: the parsed text of each file of a command-line run,
 * held for the whole run (see `keepTextAsPatch` in source-text.ts). The compact syntax trees of those files
 * are held the same way (`CompactTrees.freeze`), through the `Thawed` cache below.
 *
 * Why: a run holds every file of the program from its parse to its lint, and the texts and trees were most
 * of what it held: on Windows-driver-samples, 57 MiB of texts in a JavaScript heap of 105 MiB (which V8
 * sizes at about 1.7 times what it holds), and 34 MiB of trees outside it. Moved out of the heap as they
 * were, into buffers, the memory went to the C allocator instead, whose arenas keep what they once held:
 * the peak fell by 13 MiB only. Compressed from the start (zlib's fastest level: driver sources shrink
 * about fourfold, the trees threefold), the run peaks about 50 MiB lower (README, Benchmark).
 *
 * How: the characters are kept compressed, one byte each (Latin-1) when every character fits, else two
 * (UTF-16). `whole()` inflates them into a string and keeps the strings built last, within a budget (the
 * reads of a file come together: its lint, an analysis of its functions); the inflated buffer is dropped at
 * once, so that it dies young. (Kept as buffers instead, and let go when pushed out of the cache, the
 * inflated copies outlived a collection or two and piled up outside the heap until a full collection.)
 *
 * A string read out of a stored text and kept for the run must not be a slice of `whole()`: V8 makes a
 * substring of 13 characters or more a slice that keeps its parent alive, and a parent built again for each
 * read would be kept once for every such string. `slice` returns strings of their own; names cut out of
 * `whole()` by a pattern are `ownCopy`s (source-text.ts).
 */

import { deflateRawSync, inflateRawSync } from 'node:zlib';

/**
 * The items whose uncompressed copy is held, most recently used last, within a budget of bytes: the least
 * recently used are let go (`drop`) once the others pass the budget, but the `keep` used last are always
 * held (a file of several MiB read in turn with its callees' files is inflated once, not at each turn).
 */
export class Thawed<T> {
  private readonly items = new Map<T, number>();
  private bytes = 0;
  private last: T | undefined;
  constructor(
    private readonly budget: number,
    private readonly drop: (item: T) => void,
    private readonly keep = 1,
  ) {}

  /** `item` was read; `bytes`: its uncompressed copy's size. */
  use(item: T, bytes: number): void {
    if (this.last === item) return;
    this.last = item;
    const had = this.items.get(item);
    if (had !== undefined) {
      this.items.delete(item);
      this.items.set(item, had);
      return;
    }
    this.items.set(item, bytes);
    this.bytes += bytes;
    for (const other of this.items.keys()) {
      if (this.bytes <= this.budget || this.items.size <= this.keep) break;
      this.forget(other);
      this.drop(other);
    }
  }

  /** `item`'s copy is let go (or was never held). */
  forget(item: T): void {
    const size = this.items.get(item);
    if (size === undefined) return;
    this.items.delete(item);
    this.bytes -= size;
    if (this.last === item) this.last = undefined;
  }
}

/** Counts of this thread's stored texts and compressed trees (tests and `npm run bench`). */
export const storedStats = { texts: 0, textBytes: 0, textPacked: 0, textInflated: 0, trees: 0, treeBytes: 0, treePacked: 0, treeInflated: 0 };

/**
 * `bytes` compressed (zlib's fastest level), in a buffer of its own size: zlib's result is a view of its
 * output buffer (16 KiB or more), which would keep all of it.
 */
export function compress(bytes: Uint8Array): Buffer {
  return Buffer.from(deflateRawSync(bytes, { level: 1 }));
}

/**
 * `compress`'s input again, of `size` bytes, in one allocation: zlib's output buffer is sized to hold it all
 * (with room to spare, or zlib would allocate another chunk to find the stream's end), so the result is a
 * view at the start of a buffer of its own, not 16 KiB chunks concatenated into another. The copies read
 * again and again (a file's trees, inflated 8 times apiece on the benchmark corpus) are freed by the
 * collector, not at once: allocated three times over, they piled up in the C allocator's arenas, which keep
 * what they once held.
 */
export function inflate(packed: Uint8Array, size: number): Buffer {
  return inflateRawSync(packed, { chunkSize: Math.max(size + INFLATE_SLACK, 64) });
}

/** Room past the end of `inflate`'s output buffer (see there). */
const INFLATE_SLACK = 64;

/**
 * `inflate(packed, size)`'s result as an ArrayBuffer of its own, 4-byte aligned: the result's buffer when it
 * is one (a large output), else a copy (a small output is a view of a buffer pool shared by later buffers).
 */
export function inflateOwn(packed: Uint8Array, size: number): ArrayBuffer {
  const bytes = inflate(packed, size);
  if (bytes.length !== size) throw new Error(`compressed copy inflated to ${bytes.length} bytes, expected ${size}`);
  const buf = bytes.buffer;
  if (bytes.byteOffset === 0 && buf instanceof ArrayBuffer && buf.byteLength <= size + INFLATE_SLACK) return buf;
  const own = new ArrayBuffer(size);
  new Uint8Array(own).set(bytes);
  return own;
}

/** Characters of the texts held built at once (`StoredText.whole`): some hundred ordinary files. */
const BUILT_CHARS = 2 * 1024 * 1024;

const builtTexts = new Thawed<StoredText>(BUILT_CHARS, (t) => t.letGo(), 4);

export class StoredText {
  private readonly packed: Buffer;
  private built: string | undefined;
  private readonly wide: boolean;
  readonly length: number;
  /** Bytes of the uncompressed copy. */
  private readonly byteSize: number;

  constructor(text: string) {
    this.wide = /[^\0-\xff]/.test(text);
    const bytes = Buffer.from(text, this.wide ? 'utf16le' : 'latin1');
    this.packed = compress(bytes);
    this.length = text.length;
    this.byteSize = bytes.length;
    storedStats.texts++;
    storedStats.textBytes += bytes.length;
    storedStats.textPacked += this.packed.length;
  }

  /** The text as a string (built again from the compressed copy unless it was built recently). */
  whole(): string {
    if (this.built === undefined) {
      // (the inflated buffer is dropped at once: it dies young, where the collector frees it soonest)
      const bytes = inflate(this.packed, this.byteSize);
      this.built = this.wide ? bytes.toString('utf16le') : bytes.toString('latin1');
      storedStats.textInflated++;
    }
    builtTexts.use(this, this.length);
    return this.built;
  }

  /** `whole().slice(start, end)` (bounds as `String.prototype.slice` reads them), as a string of its own (see the module comment). */
  slice(start: number, end: number): string {
    const s = this.whole().slice(start, end);
    // (a short string is a copy; a longer one, a slice of the whole text, is made a copy of its own: the
    // concatenation is flattened when sliced)
    return s.length < 13 ? s : (' ' + s).slice(1);
  }

  /** Bytes held (compressed), outside the heap. */
  get byteLength(): number {
    return this.packed.length;
  }

  /** Let the built string go now (its file is linted: see `setAsideTexts`). */
  release(): void {
    builtTexts.forget(this);
    this.letGo();
  }

  /** (`Thawed`'s eviction) */
  letGo(): void {
    this.built = undefined;
  }
}
