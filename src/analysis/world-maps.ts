/**
 * The two maps of an MDL analysis state (a "world"): access paths to object ids, and object ids to
 * objects. Both are persistent (a changed copy shares everything it does not change) and keep an
 * order-independent 64-bit hash of their entries, updated with each change, so that a state's
 * partition key costs the same whatever the number of MDLs it tracks. Copied and re-sorted at every
 * statement, they made a function of a few hundred live MDLs quadratic in its length.
 *
 * The hash is a sum of per-entry hashes (modulo 2^32, in two lanes computed by different functions):
 * adding or removing an entry adds or subtracts its hash. Equal maps have equal hashes; the analysis
 * compares the maps themselves when two hashes agree (`sameEntries`), so a collision costs a
 * comparison, never a wrong merge.
 *
 * Each map also keeps a change log: the keys changed since the empty map, newest first, shared by the
 * maps derived from one another (`changedSince`). Two states that parted a few statements ago differ
 * at most in the keys logged since, which is what lets a merge of many states cost the differences
 * between them rather than their size (`Analyzer.collapse`).
 */
import { Map as ImmutableMap } from 'immutable';

/** Two 32-bit hashes of a string: FNV-1a, and a multiplicative hash seeded differently. */
export function hash2(s: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x9747b28c;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  // final mixes, so that short keys that differ in one character spread over all bits
  a ^= a >>> 16;
  a = Math.imul(a, 0x85ebca6b);
  a ^= a >>> 13;
  b ^= b >>> 13;
  b = Math.imul(b, 0xc2b2ae35);
  b ^= b >>> 16;
  return [a | 0, b | 0];
}

/**
 * The read side both maps share: a persistent map of string keys, read as a plain one, with the log of
 * the keys changed since the empty map (each change made by a subclass logs its key: `logged`).
 */
abstract class MapView<V> implements Iterable<[string, V]> {
  protected constructor(
    protected readonly m: ImmutableMap<string, V>,
    protected readonly log: Change | null,
  ) {}

  /** The keys whose entry may differ between this map and `other`, or undefined when more than `budget` changes separate them. */
  changedSince(other: MapView<V>, budget: number): string[] | undefined {
    return changedBetween(this.log, other.log, budget);
  }

  get size(): number {
    return this.m.size;
  }
  get(key: string): V | undefined {
    return this.m.get(key);
  }
  has(key: string): boolean {
    return this.m.has(key);
  }
  keys(): IterableIterator<string> {
    return this.m.keys();
  }
  values(): IterableIterator<V> {
    return this.m.values();
  }
  entries(): IterableIterator<[string, V]> {
    return this.m.entries();
  }
  [Symbol.iterator](): IterableIterator<[string, V]> {
    return this.m.entries();
  }
}

/** One change of a map: the key changed, the changes before it, and how many there were in all. */
export interface Change {
  readonly key: string;
  readonly prev: Change | null;
  readonly depth: number;
}

function logged(key: string, prev: Change | null): Change {
  return { key, prev, depth: prev ? prev.depth + 1 : 1 };
}

/**
 * The keys changed in either of two maps since the last version they share (every map derives from the
 * empty one), at most `budget` of them; undefined when there are more. Keys outside the list have the
 * same entry in both maps (a key can appear twice).
 */
function changedBetween(a: Change | null, b: Change | null, budget: number): string[] | undefined {
  const keys: string[] = [];
  while (a !== b) {
    if (keys.length >= budget) return undefined;
    if (!b || (a && a.depth >= b.depth)) {
      keys.push(a!.key);
      a = a!.prev;
    } else {
      keys.push(b.key);
      b = b.prev;
    }
  }
  return keys;
}

export interface Dropped {
  readonly id: string;
  readonly next: Dropped | null;
}

/**
 * Access path → object id (and the analysis's pseudo-paths: `$sva:p` → where p's system address came
 * from, and so on). Also counts, per value, how many paths hold it, so that an object no path refers
 * to any more is found without a walk (`refersTo`), and lists the values whose last path went away
 * since the list was last cleared (`dropped`): the candidates for collection.
 *
 * A `tag` can be attached to an entry: it enters the hash and the comparison but is not part of the
 * value (the analysis tags a system address with whether it is known to be NULL).
 */
export class Pts extends MapView<string> {
  static readonly EMPTY = new Pts(ImmutableMap(), ImmutableMap(), ImmutableMap(), 0, 0, null, null);

  private constructor(
    m: ImmutableMap<string, string>,
    private readonly refs: ImmutableMap<string, number>,
    private readonly tags: ImmutableMap<string, string>,
    readonly h1: number,
    readonly h2: number,
    /** Values whose last path went away (or that were noted as unreferenced), newest first. */
    readonly dropped: Dropped | null,
    /** The keys changed (value or tag) since the empty map. */
    log: Change | null,
  ) {
    super(m, log);
  }
  /** Some path holds this value. */
  refersTo(value: string): boolean {
    return this.refs.has(value);
  }
  /** How many paths hold `value`. */
  refCount(value: string): number {
    return this.refs.get(value) ?? 0;
  }
  tagOf(key: string): string | undefined {
    return this.tags.get(key);
  }

  set(key: string, value: string, tag?: string): Pts {
    const old = this.m.get(key);
    const oldTag = this.tags.get(key);
    if (old === value && oldTag === tag) return this;
    let { h1, h2, refs, dropped } = this;
    if (old !== undefined) [h1, h2] = sub(h1, h2, entryHash(key, old, oldTag));
    [h1, h2] = add(h1, h2, entryHash(key, value, tag));
    if (old !== value) {
      // a retag keeps the value's count; a new value counts one more path, the old one one less
      refs = refs.set(value, (refs.get(value) ?? 0) + 1);
      if (old !== undefined) ({ refs, dropped } = release(refs, dropped, old));
    }
    const tags = tag === undefined ? (oldTag === undefined ? this.tags : this.tags.delete(key)) : this.tags.set(key, tag);
    return new Pts(this.m.set(key, value), refs, tags, h1, h2, dropped, logged(key, this.log));
  }

  delete(key: string): Pts {
    const old = this.m.get(key);
    if (old === undefined) return this;
    const oldTag = this.tags.get(key);
    const [h1, h2] = sub(this.h1, this.h2, entryHash(key, old, oldTag));
    const { refs, dropped } = release(this.refs, this.dropped, old);
    return new Pts(this.m.delete(key), refs, oldTag === undefined ? this.tags : this.tags.delete(key), h1, h2, dropped, logged(key, this.log));
  }

  /** Change the tag of an entry (no change when the entry is absent). */
  retag(key: string, tag: string | undefined): Pts {
    const value = this.m.get(key);
    if (value === undefined || this.tags.get(key) === tag) return this;
    return this.set(key, value, tag);
  }

  /** Note a value that nothing refers to yet (an object created before any path holds it). */
  noteUnreferenced(value: string): Pts {
    if (this.refs.has(value)) return this;
    return new Pts(this.m, this.refs, this.tags, this.h1, this.h2, { id: value, next: this.dropped }, this.log);
  }

  /** The same entries with only the dropped values that `keep` accepts listed (in the same order). */
  keepDropped(keep: (value: string) => boolean): Pts {
    const kept: string[] = [];
    let all = true;
    for (let d = this.dropped; d; d = d.next) {
      if (keep(d.id)) kept.push(d.id);
      else all = false;
    }
    if (all) return this;
    let dropped: Dropped | null = null;
    for (let k = kept.length - 1; k >= 0; k--) dropped = { id: kept[k]!, next: dropped };
    return new Pts(this.m, this.refs, this.tags, this.h1, this.h2, dropped, this.log);
  }

  /** The same entries with the dropped list emptied (after a collection looked at it). */
  clearDropped(): Pts {
    return this.dropped === null ? this : new Pts(this.m, this.refs, this.tags, this.h1, this.h2, null, this.log);
  }

  /** Same entries and tags (the dropped lists may differ). */
  sameEntries(other: Pts): boolean {
    if (this.m === other.m && this.tags === other.tags) return true;
    if (this.h1 !== other.h1 || this.h2 !== other.h2 || this.m.size !== other.m.size) return false;
    return this.m.equals(other.m) && this.tags.equals(other.tags);
  }

  /** A map of these entries, built at once (a merge of several states). */
  static of(entries: Iterable<[string, string]>, tagOf: (key: string) => string | undefined = () => undefined): Pts {
    let p = Pts.EMPTY;
    for (const [k, v] of entries) p = p.set(k, v, tagOf(k));
    return p;
  }
}

/**
 * Object id → object, with the hash of each object's partition-relevant part (`fragment`: its state,
 * ownership and the facts the analysis keeps states apart by), so that two states whose objects agree
 * on those parts hash alike although their objects differ elsewhere (sites, names). The objects that
 * satisfy `marked` (the analysis: locked MDLs the function owns, what an exit must look at) are also
 * kept apart, so that an exit reads them without a walk over every object.
 */
export class Objs<T extends { readonly id: string }> extends MapView<T> {
  private readonly hashes: WeakMap<T, [number, number]>;

  constructor(
    private readonly fragment: (o: T) => string,
    private readonly marked: (o: T) => boolean,
    m: ImmutableMap<string, T> = ImmutableMap(),
    private readonly marks: ImmutableMap<string, T> = ImmutableMap(),
    readonly h1 = 0,
    readonly h2 = 0,
    hashes?: WeakMap<T, [number, number]>,
    /** The ids changed since the empty map. */
    log: Change | null = null,
  ) {
    super(m, log);
    this.hashes = hashes ?? new WeakMap();
  }

  /** The objects that satisfy `marked`. */
  markedValues(): IterableIterator<T> {
    return this.marks.values();
  }

  private hashOf(o: T): [number, number] {
    let h = this.hashes.get(o);
    if (!h) {
      h = hash2(this.fragment(o));
      this.hashes.set(o, h);
    }
    return h;
  }

  set(o: T): Objs<T> {
    const old = this.m.get(o.id);
    if (old === o) return this;
    let h1 = this.h1;
    let h2 = this.h2;
    if (old) [h1, h2] = sub(h1, h2, this.hashOf(old));
    [h1, h2] = add(h1, h2, this.hashOf(o));
    const marks = this.marked(o) ? this.marks.set(o.id, o) : old && this.marks.has(o.id) ? this.marks.delete(o.id) : this.marks;
    return new Objs(this.fragment, this.marked, this.m.set(o.id, o), marks, h1, h2, this.hashes, logged(o.id, this.log));
  }

  delete(id: string): Objs<T> {
    const old = this.m.get(id);
    if (!old) return this;
    const [h1, h2] = sub(this.h1, this.h2, this.hashOf(old));
    return new Objs(this.fragment, this.marked, this.m.delete(id), this.marks.delete(id), h1, h2, this.hashes, logged(id, this.log));
  }

  /** Same ids, and objects alike in their partition-relevant parts. */
  sameFragments(other: Objs<T>): boolean {
    if (this.m === other.m) return true;
    if (this.h1 !== other.h1 || this.h2 !== other.h2 || this.m.size !== other.m.size) return false;
    for (const [id, o] of this.m) {
      const p = other.m.get(id);
      if (!p || (p !== o && this.fragment(p) !== this.fragment(o))) return false;
    }
    return true;
  }
}

function entryHash(key: string, value: string, tag: string | undefined): [number, number] {
  return hash2(tag === undefined ? `${key}\u0001${value}` : `${key}\u0001${value}\u0002${tag}`);
}

function add(h1: number, h2: number, [a, b]: [number, number]): [number, number] {
  return [(h1 + a) | 0, (h2 + b) | 0];
}

function sub(h1: number, h2: number, [a, b]: [number, number]): [number, number] {
  return [(h1 - a) | 0, (h2 - b) | 0];
}

function release(refs: ImmutableMap<string, number>, dropped: Dropped | null, value: string): { refs: ImmutableMap<string, number>; dropped: Dropped | null } {
  const n = refs.get(value) ?? 0;
  if (n <= 1) return { refs: refs.delete(value), dropped: { id: value, next: dropped } };
  return { refs: refs.set(value, n - 1), dropped };
}
