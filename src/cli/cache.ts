/**
 * `--cache` (issue 7): a re-run lints only what changed, with ESLint's options (`--cache`,
 * `--cache-location`).
 *
 * A file's findings depend on its own text, on its configuration, on ddi-lint's version and data tables,
 * and, through the cross-file analysis, on the files it shares names with: the functions it calls and
 * those that call it (summaries, IRQL contexts), role declarations and registrations naming its
 * functions, macros it uses. The key of a file is therefore a hash of all of these: its text, the
 * resolved rule settings and IRQL contracts, the tool's version and tables, the program-wide switches
 * (passive-level KMDF objects and interrupts), and the texts of every file of its name-connected
 * component (files linked, transitively, by a name one defines and the other mentions). Files of other
 * components can change without invalidating it.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import type { LintResult } from '../lint/types.js';

export const CACHE_FILE = '.ddi-lint-cache';
const CACHE_VERSION = 1;

const sha = (s: string): string => createHash('sha256').update(s).digest('hex');

/** ESLint's rule: a location ending in a separator, or an existing directory, holds `.ddi-lint-cache`. */
export function cachePath(cwd: string, location: string | undefined): string {
  if (!location) return resolve(cwd, CACHE_FILE);
  const p = resolve(cwd, location);
  if (/[\\/]$/.test(location)) return join(p, CACHE_FILE);
  try {
    if (statSync(p).isDirectory()) return join(p, CACHE_FILE);
  } catch {
    // a file to create
  }
  return p;
}

/** The data tables the analysis reads (part of every key). */
function tablesHash(): string {
  const h = createHash('sha256');
  for (const t of ['../ddi/ddi-effects.json', '../ddi/irql-contracts.json']) {
    try {
      h.update(readFileSync(new URL(t, import.meta.url)));
    } catch {
      h.update(t);
    }
  }
  return h.digest('hex');
}

const WORD = /[A-Za-z_]\w*/g;
const DEFINES = /^[ \t]*#[ \t]*define[ \t]+([A-Za-z_]\w*)/gm;
/** A function definition's name, roughly: `name(` followed by a body after the closing parenthesis. */
const FUNCTION_DEF = /\b([A-Za-z_]\w*)\s*\([^;{}()]*(?:\([^;{}()]*\)[^;{}()]*)*\)\s*(?:const\s*)?\{/g;
const KEYWORDS = new Set(['if', 'while', 'for', 'switch', 'return', 'sizeof', 'catch', '__except', '__try', 'do', 'else']);

/**
 * The name-connected components of a run's files: two files are linked when one defines a function or
 * macro whose name the other mentions.
 */
export function components(inputs: readonly { path: string; text: string }[]): Map<string, string[]> {
  const parent = inputs.map((_, i) => i);
  const find = (i: number): number => {
    while (parent[i] !== i) i = parent[i] = parent[parent[i]!]!;
    return i;
  };
  const definers = new Map<string, number[]>();
  inputs.forEach((f, i) => {
    const names = new Set<string>();
    for (const m of f.text.matchAll(FUNCTION_DEF)) if (!KEYWORDS.has(m[1]!)) names.add(m[1]!.split('::').pop()!);
    for (const m of f.text.matchAll(DEFINES)) names.add(m[1]!);
    for (const n of names) {
      const l = definers.get(n);
      if (l) l.push(i);
      else definers.set(n, [i]);
    }
  });
  inputs.forEach((f, i) => {
    const seen = new Set<string>();
    for (const m of f.text.matchAll(WORD)) {
      const w = m[0];
      if (seen.has(w)) continue;
      seen.add(w);
      for (const j of definers.get(w) ?? []) parent[find(i)] = find(j);
    }
  });
  const groups = new Map<number, string[]>();
  inputs.forEach((f, i) => {
    const r = find(i);
    const g = groups.get(r) ?? [];
    g.push(f.path);
    groups.set(r, g);
  });
  const out = new Map<string, string[]>();
  for (const g of groups.values()) for (const p of g) out.set(p, g);
  return out;
}

/** The cache key of every file of a run (`settings`: the file's resolved configuration, as JSON). */
export function cacheKeys(
  inputs: readonly { path: string; text: string }[],
  settings: (path: string) => string,
  run: { version: string; irqlContracts: unknown; options: string },
): Map<string, string> {
  const textHash = new Map(inputs.map((f) => [f.path, sha(f.text)]));
  const comps = components(inputs);
  const global = sha(
    JSON.stringify([
      CACHE_VERSION,
      run.version,
      tablesHash(),
      run.irqlContracts,
      run.options,
      inputs.some((f) => /\bPassiveHandling\s*=\s*TRUE\b/.test(f.text)),
      inputs.some((f) => /\bWdfExecutionLevelPassive\b/.test(f.text)),
    ]),
  );
  const compHash = new Map<string[], string>();
  const out = new Map<string, string>();
  for (const f of inputs) {
    const comp = comps.get(f.path)!;
    let ch = compHash.get(comp);
    if (!ch) compHash.set(comp, (ch = sha([...comp].sort().map((p) => `${p}\u0000${textHash.get(p)}`).join('\n'))));
    out.set(f.path, sha(`${global}\n${settings(f.path)}\n${f.path}\n${textHash.get(f.path)}\n${ch}`));
  }
  return out;
}

interface CacheFile {
  version: number;
  entries: Record<string, { key: string; result: LintResult }>;
}

export class LintCache {
  private entries: Record<string, { key: string; result: LintResult }> = {};
  reused = 0;
  constructor(readonly path: string) {}

  /** Load the cache; a missing, unreadable or foreign file is an empty cache. */
  load(): void {
    try {
      const data = JSON.parse(readFileSync(this.path, 'utf8')) as CacheFile;
      if (data && data.version === CACHE_VERSION && data.entries && typeof data.entries === 'object') this.entries = data.entries;
    } catch {
      this.entries = {};
    }
  }

  has(path: string, key: string): boolean {
    return this.entries[path]?.key === key;
  }

  get(path: string, key: string): LintResult | undefined {
    const e = this.entries[path];
    if (e && e.key === key) {
      this.reused++;
      return e.result;
    }
    return undefined;
  }

  set(path: string, key: string, result: LintResult): void {
    const { source: _s, ...rest } = result;
    this.entries[path] = { key, result: rest };
  }

  /** Write the cache (entries of files this run did not lint are kept, for runs over other paths). */
  save(): void {
    const data: CacheFile = { version: CACHE_VERSION, entries: this.entries };
    mkdirSync(dirname(this.path), { recursive: true });
    writeFileSync(this.path, JSON.stringify(data));
  }
}
