/**
 * Conditions a path remembers by their text (`?Ctx->Flags&4`, `?Code==0x22200c`), shared by the MDL
 * and IRQL analyses: how many a path keeps, and which variables one reads (it is forgotten when one
 * of them is written).
 */

/**
 * A path remembers at most this many tested conditions: each assignment, call and join reads every
 * one, so an `else if` chain of thousands of tests, each remembered on the paths that go on, would
 * cost the square of its length.
 */
export const MAX_REMEMBERED_CONDS = 200;

/** The path may remember one more tested condition (`?` keys; counted only when it tracks that many values at all). */
export function remembersMore(values: { readonly size: number; keys(): Iterable<string> }): boolean {
  if (values.size < MAX_REMEMBERED_CONDS) return true;
  let n = 0;
  for (const k of values.keys()) if (k.charCodeAt(0) === 63 /* ? */ && ++n >= MAX_REMEMBERED_CONDS) return false;
  return true;
}

// a name not inside another token: the `x10` of `0x10` and the `L` of `10L` are not names
const NAME = /(?<![\w$])[A-Za-z_$][\w$]*/g;
const FIELD = /(->|\.)\s*[A-Za-z_$][\w$]*/g;
const MEMO_LIMIT = 50_000;
const identifiers = new Map<string, readonly string[]>();
const variables = new Map<string, readonly string[]>();

function memo(cache: Map<string, readonly string[]>, key: string, compute: (key: string) => readonly string[]): readonly string[] {
  let v = cache.get(key);
  if (v === undefined) {
    v = compute(key);
    if (cache.size >= MEMO_LIMIT) cache.clear();
    cache.set(key, v);
  }
  return v;
}

/** The names a condition's text mentions, field names included (memoized: a key is read at every call and write). */
export function condIdentifiers(key: string): readonly string[] {
  return memo(identifiers, key, (k) => k.match(NAME) ?? []);
}

/** The variables a condition's text reads: its names except the field names after `->` and `.`. */
export function condVariables(key: string): readonly string[] {
  return memo(variables, key, (k) => k.replace(FIELD, '').match(NAME) ?? []);
}
