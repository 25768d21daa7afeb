/**
 * What a program's text says of its macros, for the preprocessor conditions of function bodies
 * (`src/cfg/pp-conditions.ts`). A condition is decided only from what the program says for certain:
 *
 * - a macro counts when it is defined unconditionally (at the top level of its file, or inside the file's
 *   include guard), every such definition gives it the same value, and no `#undef` or definition under
 *   another condition names it;
 * - a name the program does not define is not known to be undefined (a build defines names on the
 *   command line, `/DDBG=1`, `C_DEFINES` in a `sources` file): `#ifdef NAME`, `#if NAME` and
 *   `#if defined(NAME)` on it stay undecided.
 *
 * Read from the text alone (no parse), like the constants of `constants.ts`.
 */
import { evalConstText } from './constants.js';
import { ownCopy } from '../parse/source-text.js';
import type { MacroFact } from '../cfg/pp-conditions.js';

const DIRECTIVE = /^[ \t]*#[ \t]*(if|ifdef|ifndef|elif|else|endif|define|undef)\b[ \t]*([^\n]*)$/gm;

/**
 * The macro facts of one text: each name `#define`d or `#undef`ined, with its value when it is defined
 * unconditionally to a constant (`evalConstText`), `'defined'` when the value is not a constant (or empty),
 * `'unknown'` when it is undefined, redefined with another value, or defined under a condition.
 */
export function ppMacroFacts(text: string): [string, MacroFact][] {
  if (!/#[ \t]*(define|undef)/.test(text)) return [];
  // (block comments go, newlines kept; line comments are dropped from each directive below)
  const t = text.includes('/*') ? text.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' ')) : text;
  const dirs: { kind: string; rest: string }[] = [];
  for (const m of t.matchAll(DIRECTIVE)) {
    // a continued line is part of the directive (only the first line is read: enough for names and short values)
    dirs.push({ kind: m[1]!, rest: m[2]!.replace(/\/\/.*$/, '').trim() });
  }
  // the include guard: `#ifndef G` (or `#if !defined(G)`) first, `#define G` next, its `#endif` last
  let guard: string | undefined;
  const first = dirs[0];
  const second = dirs[1];
  const last = dirs[dirs.length - 1];
  if (first && second && last?.kind === 'endif' && second.kind === 'define') {
    const g = first.kind === 'ifndef' ? first.rest : first.kind === 'if' ? /^!\s*defined\s*\(?\s*([A-Za-z_]\w*)\s*\)?$/.exec(first.rest)?.[1] : undefined;
    if (g && /^[A-Za-z_]\w*$/.test(g) && second.rest.split(/\s+/)[0] === g) guard = g;
  }
  const out = new Map<string, MacroFact>();
  const values = new Map<string, number>();
  const lookup = (name: string): number | undefined => values.get(name);
  let depth = 0;
  for (let k = 0; k < dirs.length; k++) {
    const d = dirs[k]!;
    switch (d.kind) {
      case 'if':
      case 'ifdef':
      case 'ifndef':
        depth++;
        continue;
      case 'endif':
        depth = Math.max(0, depth - 1);
        continue;
      case 'elif':
      case 'else':
        continue;
      case 'undef': {
        const name = /^[A-Za-z_]\w*/.exec(d.rest)?.[0];
        if (name) out.set(name, 'unknown');
        continue;
      }
      case 'define': {
        const m = /^([A-Za-z_]\w*)(\(?)\s*(.*)$/.exec(d.rest);
        if (!m) continue;
        const name = m[1]!;
        if (m[2]) continue; // a function-like macro: not a name `#if` reads
        const unconditional = depth === 0 || (depth === 1 && guard !== undefined);
        const prev = out.get(name);
        if (!unconditional || prev === 'unknown') {
          out.set(name, 'unknown');
          continue;
        }
        const body = m[3]!.endsWith('\\') ? undefined : m[3]!;
        const v = body === undefined || body === '' ? undefined : evalConstText(body, lookup);
        const fact: MacroFact = v === undefined ? 'defined' : v;
        if (prev !== undefined && prev !== fact) out.set(name, 'unknown');
        else {
          out.set(name, fact);
          if (typeof fact === 'number') values.set(name, fact);
        }
      }
    }
  }
  // (copies: the names are kept for the run, the text they were cut from need not be)
  return [...out].map(([name, fact]) => [ownCopy(name), fact]);
}

/** Two facts of one name from different files (a header and the file, two headers): the same, or not certain. */
export function joinFacts(a: MacroFact | undefined, b: MacroFact): MacroFact {
  return a === undefined || a === b ? b : 'unknown';
}

