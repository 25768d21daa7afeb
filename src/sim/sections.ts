/**
 * Code sections of a file's function definitions, read from the source text: which functions are placed in a
 * pageable section (a section name starting with `PAGE`: PAGE, PAGEwmi, PAGESER...), whose code may be paged
 * out and so must not run at IRQL >= DISPATCH_LEVEL.
 *
 * - `#pragma alloc_text(PAGE, A, B)` (the section quoted or not; also `__pragma(...)` / `_Pragma("...")`);
 * - functions defined between `#pragma code_seg("PAGE")` and the next change of the code section
 *   (`#pragma code_seg()`, `#pragma code_seg(pop)`, `#pragma code_seg("INIT")`...; `push` / `pop` kept as a stack);
 * - `__declspec(code_seg("PAGE"))` on the definition.
 * The declaration on the definition wins over `alloc_text`, which wins over a `code_seg` region. Comments and
 * never-compiled `#if` branches are ignored.
 *
 * The simulator shares nothing with the linter but `src/parse/*`.
 */
import type { SourceFile, SyntaxNode } from '../parse/parser.js';
import type { FnDef } from './ast.js';

const PAGEABLE = /^PAGE/;

/** `text` with comments (and never-compiled `#if` branches) blanked, offsets and lines kept. */
function codeText(file: SourceFile): string {
  const t = file.text;
  const out = t.split('');
  const blank = (from: number, to: number) => {
    for (let k = from; k < to && k < out.length; k++) if (out[k] !== '\n' && out[k] !== '\r') out[k] = ' ';
  };
  let i = 0;
  while (i < t.length) {
    const c = t[i]!;
    if (c === '/' && t[i + 1] === '*') {
      const end = t.indexOf('*/', i + 2);
      const stop = end < 0 ? t.length : end + 2;
      blank(i, stop);
      i = stop;
    } else if (c === '/' && t[i + 1] === '/') {
      let stop = t.indexOf('\n', i);
      if (stop < 0) stop = t.length;
      blank(i, stop);
      i = stop;
    } else if (c === '"' || c === "'") {
      // A string or character literal: skipped whole (a `//` inside it is not a comment).
      let k = i + 1;
      while (k < t.length && t[k] !== c && t[k] !== '\n') k += t[k] === '\\' ? 2 : 1;
      i = k + 1;
    } else i++;
  }
  for (const a of file.annotations) if (a.kind === 'inactive') blank(a.start, a.end);
  return out.join('');
}

/** The arguments of the parenthesized list opening at `open` (split at top-level commas), and its end. */
function argList(text: string, open: number): { args: string[]; end: number } | undefined {
  let depth = 0;
  let start = open + 1;
  const args: string[] = [];
  for (let k = open; k < text.length; k++) {
    const c = text[k];
    if (c === '"') {
      k++;
      while (k < text.length && text[k] !== '"' && text[k] !== '\n') k += text[k] === '\\' ? 2 : 1;
      continue;
    }
    if (c === '(') depth++;
    else if (c === ')') {
      depth--;
      if (depth === 0) {
        args.push(text.slice(start, k));
        return { args: args.map((a) => a.replace(/\\\r?\n/g, ' ').trim()), end: k + 1 };
      }
    } else if (c === ',' && depth === 1) {
      args.push(text.slice(start, k));
      start = k + 1;
    }
  }
  return undefined;
}

const unquote = (a: string): string => a.replace(/^L?"(.*)"$/s, '$1').trim();
const quoted = (a: string): boolean => /^L?".*"$/s.test(a);

type SegEvent = { pos: number; op: 'set'; name: string | undefined } | { pos: number; op: 'push'; id?: string; name?: string } | { pos: number; op: 'pop'; id?: string };

interface Pragmas {
  /** Function name → section named by `#pragma alloc_text`. */
  allocText: Map<string, string>;
  /** `#pragma code_seg` changes, in text order. */
  codeSeg: SegEvent[];
}

function readPragmas(text: string): Pragmas {
  const allocText = new Map<string, string>();
  const codeSeg: SegEvent[] = [];
  const re = /(#[ \t]*pragma[ \t]+|\b__pragma\s*\(\s*|\b_Pragma\s*\(\s*L?"\s*)(alloc_text|code_seg)\s*(?=\()/g;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    let body = text;
    let open = m.index + m[0].length;
    if (m[1]!.startsWith('_Pragma')) {
      // `_Pragma("code_seg(\"PAGE\")")`: the directive is the string's contents.
      const close = text.indexOf('")', open);
      if (close < 0) continue;
      body = text.slice(open, close).replace(/\\"/g, '"');
      open = 0;
    }
    const list = argList(body, open);
    if (!list) continue;
    const { args } = list;
    if (m[2] === 'alloc_text') {
      const section = unquote(args[0] ?? '');
      for (const a of args.slice(1)) {
        const name = a.trim();
        if (/^[A-Za-z_]\w*$/.test(name)) allocText.set(name, section);
      }
      continue;
    }
    // code_seg
    const a0 = args[0] ?? '';
    if (args.length === 1 && a0 === '') codeSeg.push({ pos: m.index, op: 'set', name: undefined });
    else if (a0 === 'push') {
      const rest = args.slice(1);
      const name = rest.find(quoted);
      const id = rest.find((x) => !quoted(x) && x !== '');
      codeSeg.push({ pos: m.index, op: 'push', id, name: name !== undefined ? unquote(name) : undefined });
    } else if (a0 === 'pop') codeSeg.push({ pos: m.index, op: 'pop', id: args.slice(1).find((x) => !quoted(x) && x !== '') });
    else codeSeg.push({ pos: m.index, op: 'set', name: unquote(a0) || undefined });
  }
  return { allocText, codeSeg };
}

/** Where the text that belongs to a definition starts (after the previous declaration or definition). */
function declStart(n: SyntaxNode): number {
  let p = n.previousNamedSibling;
  while (p && p.type === 'comment') p = p.previousNamedSibling;
  return p ? p.endIndex : n.parent && n.parent.type !== 'translation_unit' ? n.parent.startIndex : 0;
}

/**
 * Marks the definitions of `file` placed in a pageable section (`FnDef.pageSection`) and whether their body calls
 * PAGED_CODE() (`FnDef.pagedCode`).
 */
export function markPageableSections(file: SourceFile, defs: readonly FnDef[]): void {
  if (!/\b(?:alloc_text|code_seg)\b/.test(file.text)) return;
  const text = codeText(file);
  const { allocText, codeSeg } = readPragmas(text);
  const short = (n: string) => n.slice(n.lastIndexOf('::') + 1).replace(/^:/, '');
  // The code section in force at each definition: the `code_seg` events before it, in order.
  const ordered = [...defs].sort((a, b) => a.startIndex - b.startIndex);
  let cur: string | undefined;
  const stack: { id?: string; name: string | undefined }[] = [];
  let ev = 0;
  for (const def of ordered) {
    while (ev < codeSeg.length && codeSeg[ev]!.pos < def.startIndex) {
      const e = codeSeg[ev++]!;
      if (e.op === 'set') cur = e.name;
      else if (e.op === 'push') {
        stack.push({ id: e.id, name: cur });
        if (e.name !== undefined) cur = e.name;
      } else {
        // `pop, id`: pops up to (and including) the entry pushed with that identifier, when there is one.
        let k = stack.length - 1;
        if (e.id !== undefined) {
          const at = stack.map((s) => s.id).lastIndexOf(e.id);
          if (at >= 0) k = at;
        }
        if (k >= 0) {
          cur = stack[k]!.name;
          stack.length = k;
        } else cur = undefined;
      }
    }
    const own = text.slice(declStart(def.info.node), def.info.body.startIndex);
    const spec = /__declspec\s*\(\s*code_seg\s*\(\s*L?"([^"]*)"/.exec(own)?.[1];
    const section = spec ?? allocText.get(def.name) ?? allocText.get(short(def.name)) ?? cur;
    if (section === undefined || !PAGEABLE.test(section)) continue;
    def.pageSection = section;
    def.pagedCode = /\bPAGED_CODE\s*\(/.test(text.slice(def.info.body.startIndex, def.info.body.endIndex));
  }
}

/**
 * `MmLockPagableCodeSection(FunctionName)` anywhere in the program makes the whole section holding that function
 * resident until `MmUnlockPagableImageSection` (the driver then runs the section's code at DISPATCH_LEVEL: a SCSI
 * port driver's verifier routines, a bus driver's IOCTL code). Each entry point is simulated alone, so whether the
 * lock was taken before the section's code runs is not known here: the definitions of a section the program locks
 * are marked `sectionLocked`, and entering them at DISPATCH_LEVEL does not fault.
 */
export function lockPagedSections(files: readonly SourceFile[], defs: readonly FnDef[]): void {
  const named = new Set<string>();
  for (const f of files) {
    if (!f.text.includes('MmLockPagableCodeSection')) continue;
    for (const m of codeText(f).matchAll(/\bMmLockPagableCodeSection\s*\(\s*(?:\(\s*\w+\s*\)\s*)?&?\s*([A-Za-z_]\w*)\s*\)/g)) named.add(m[1]!);
  }
  if (!named.size) return;
  const sections = new Set<string>();
  for (const d of defs) if (d.pageSection !== undefined && named.has(d.name)) sections.add(d.pageSection);
  for (const d of defs) if (d.pageSection !== undefined && sections.has(d.pageSection)) d.sectionLocked = true;
}
