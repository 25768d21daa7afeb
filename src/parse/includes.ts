/**
 * The headers a run's files include that are not among the files linted (`includedFiles`): a driver's
 * `#include "..\inc\common.h"` outside the directory linted, or any header when one file is linted on
 * its own (a pre-commit hook, an editor). They join the program as context: the macros that return or
 * raise, annotated declarations, role declarations, enum constants and inline helpers they define are
 * read as if the header had been named on the command line; they are not linted themselves.
 *
 * Quoted includes only (`#include <...>` names the WDK's and the compiler's headers), searched as the
 * Microsoft compiler does: the including file's directory, the directories of the files that included it
 * (nearest first), then the directories given with `--include-dir`. Windows sources are written for a
 * case-insensitive file system (`#include "..\Inc\Common.h"` finding `inc/common.h`), so a component
 * that does not exist as written is matched against the directory's entries without regard to case, and
 * `\` separates components like `/`. A header that cannot be found, read or decoded is left out without
 * a message: it is not a file the user asked to lint.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, isAbsolute, join, resolve } from 'node:path';
import { decodeBytes } from './decode.js';

export interface IncludeOptions {
  /** Directories searched after the including files' own (`--include-dir`). */
  includeDirs?: readonly string[];
  /** Headers larger than this are left out (the run's `--max-file-size`). */
  maxBytes: number;
  /** The code page of headers that are not UTF-8 (the run's `--source-charset`; default Windows-1252). */
  charset?: string;
  /** At most this many headers are added (default 5,000). */
  maxFiles?: number;
}

/** `#include "name"` directives of a text, the names as written, in order. */
export function quotedIncludes(text: string): string[] {
  if (!text.includes('include')) return [];
  const out: string[] = [];
  for (const m of text.matchAll(/^[ \t]*#[ \t]*include[ \t]*"([^"\r\n]+)"/gm)) out.push(m[1]!);
  return out;
}

/**
 * The files reached from `inputs` by quoted includes, transitively, that are not inputs themselves:
 * absolute paths and texts, in the order they were first reached.
 */
export function includedFiles(inputs: readonly { path: string; text: string }[], opts: IncludeOptions): { path: string; text: string }[] {
  const known = new Set(inputs.map((f) => resolve(f.path)));
  const extra = (opts.includeDirs ?? []).map((d) => resolve(d));
  const maxFiles = opts.maxFiles ?? 5000;
  const finder = new PathFinder();
  const out: { path: string; text: string }[] = [];
  const tried = new Set<string>();
  // breadth first: each entry is a file and the directories of the files that included it (nearest first)
  let level: { path: string; text: string; chain: string[] }[] = inputs.map((f) => ({ path: resolve(f.path), text: f.text, chain: [] }));
  while (level.length > 0 && out.length < maxFiles) {
    const next: typeof level = [];
    for (const f of level) {
      const names = quotedIncludes(f.text);
      if (names.length === 0) continue;
      const dirs = [dirname(f.path), ...f.chain];
      for (const name of names) {
        const found = finder.find(name, dirs, extra);
        if (found === undefined || known.has(found) || tried.has(found)) continue;
        tried.add(found);
        const text = readHeader(found, opts.maxBytes, opts.charset);
        if (text === undefined) continue;
        out.push({ path: found, text });
        next.push({ path: found, text, chain: dirs });
        if (out.length >= maxFiles) break;
      }
      if (out.length >= maxFiles) break;
    }
    level = next;
  }
  return out;
}

function readHeader(path: string, maxBytes: number, charset?: string): string | undefined {
  try {
    const st = statSync(path);
    if (!st.isFile() || st.size > maxBytes) return undefined;
    const decoded = decodeBytes(readFileSync(path), charset);
    return decoded.ok ? decoded.text : undefined;
  } catch {
    return undefined;
  }
}

/** Resolving include names against directories, case-insensitively where the exact name is absent. */
class PathFinder {
  private readonly entries = new Map<string, Map<string, string> | null>();
  private readonly found = new Map<string, string | null>();

  find(name: string, dirs: readonly string[], extra: readonly string[]): string | undefined {
    const rel = name.replace(/\\/g, '/');
    // `C:\...` cannot be found on this machine; an absolute POSIX path is taken as it is
    if (/^[A-Za-z]:/.test(rel)) return undefined;
    if (isAbsolute(rel)) return this.resolveIn('/', rel.slice(1));
    for (const d of dirs) {
      const p = this.resolveIn(d, rel);
      if (p !== undefined) return p;
    }
    for (const d of extra) {
      const p = this.resolveIn(d, rel);
      if (p !== undefined) return p;
    }
    return undefined;
  }

  private resolveIn(dir: string, rel: string): string | undefined {
    const key = `${dir}\u0000${rel}`;
    const memo = this.found.get(key);
    if (memo !== undefined) return memo ?? undefined;
    let cur = dir;
    let ok = true;
    for (const part of rel.split('/')) {
      if (part === '' || part === '.') continue;
      if (part === '..') {
        cur = dirname(cur);
        continue;
      }
      const exact = join(cur, part);
      const names = this.list(cur);
      if (!names) {
        ok = false;
        break;
      }
      const real = names.get(part) ?? names.get(part.toLowerCase());
      if (real === undefined) {
        ok = false;
        break;
      }
      cur = real === part ? exact : join(cur, real);
    }
    let out: string | undefined;
    if (ok) {
      try {
        if (statSync(cur).isFile()) out = cur;
      } catch {
        out = undefined;
      }
    }
    this.found.set(key, out ?? null);
    return out;
  }

  /** A directory's entries by exact name and by lower-case name (the first of names differing only in case). */
  private list(dir: string): Map<string, string> | undefined {
    let m = this.entries.get(dir);
    if (m === undefined) {
      try {
        m = new Map();
        for (const e of readdirSync(dir)) {
          m.set(e, e);
          const low = e.toLowerCase();
          if (!m.has(low)) m.set(low, e);
        }
      } catch {
        m = null;
      }
      this.entries.set(dir, m);
    }
    return m ?? undefined;
  }
}
