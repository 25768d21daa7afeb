/**
 * Quick fix for `mdl-probe-outside-try`: wrap the bare `MmProbeAndLockPages(Mdl, ...)` statement in
 * `__try`/`__except (EXCEPTION_EXECUTE_HANDLER)`, the handler freeing the MDL and returning the
 * exception code:
 *
 *     __try {
 *         MmProbeAndLockPages(Mdl, UserMode, IoWriteAccess);
 *     } __except (EXCEPTION_EXECUTE_HANDLER) {
 *         IoFreeMdl(Mdl);
 *         return GetExceptionCode();
 *     }
 *
 * Offered only where that is safe:
 * - the probe is a statement of its own in a block, and the function returns NTSTATUS;
 * - the MDL is a local variable (not a parameter) that this function allocated, once and before the
 *   probe, with `IoAllocateMdl(..., NULL)` (an MDL allocated with an IRP is the IRP's: the I/O manager
 *   frees it), and that nothing was given between the allocation and the probe (only compared with NULL);
 * - the linter, run on the program with the fixed text, finds the finding gone and nothing in the file
 *   that it did not find before (a lock still held on the new return, for instance).
 */
import { pushNamedChildren } from '../parse/lite.js';
import type { LintMessage } from '../lint/types.js';
import type { SourceFile, SyntaxNode } from '../parse/parser.js';

export interface TextFix {
  title: string;
  range: { start: { line: number; character: number }; end: { line: number; character: number } };
  newText: string;
}

function counts(ms: readonly LintMessage[]): Map<string, number> {
  const c = new Map<string, number>();
  for (const m of ms) {
    const k = `${m.ruleId}/${m.messageId}`;
    c.set(k, (c.get(k) ?? 0) + 1);
  }
  return c;
}

function* descendants(n: SyntaxNode): Generator<SyntaxNode> {
  const stack = [n];
  while (stack.length) {
    const x = stack.pop()!;
    yield x;
    pushNamedChildren(stack, x);
  }
}

const NULLS = new Set(['NULL', '0', 'nullptr']);

/**
 * The fix for `finding` in `file`, or undefined. `before`: the file's findings now; `lintFixed`: the
 * findings of the file with the fixed text, in the program with that text (undefined when it cannot be
 * linted).
 */
export function probeQuickFix(file: SourceFile, finding: LintMessage, before: readonly LintMessage[], lintFixed: (text: string) => LintMessage[] | undefined): TextFix | undefined {
  const fn = file.functions.find((f) => f.name === finding.function && f.node.startPosition.row + 1 <= finding.line && finding.line <= f.node.endPosition.row + 1);
  if (!fn || fn.hasError) return undefined;
  if (!/\bNTSTATUS\b/.test(file.text.slice(fn.start, fn.bodyStart).split('(')[0] ?? '')) return undefined;
  // the call at the finding, and its statement
  let call: SyntaxNode | null = file.tree.rootNode.descendantForPosition({ row: finding.line - 1, column: finding.column - 1 });
  while (call && call.type !== 'call_expression') call = call.parent;
  const callee = call?.childForFieldName('function')?.text ?? '';
  if (!call || !/^MmProbeAndLock(?:Pages|ProcessPages|SelectedPages)$/.test(callee)) return undefined;
  const stmt = call.parent;
  if (!stmt || stmt.type !== 'expression_statement' || stmt.parent?.type !== 'compound_statement') return undefined;
  const mdl = call.childForFieldName('arguments')?.namedChildren[0];
  if (!mdl || mdl.type !== 'identifier') return undefined;
  const name = mdl.text;
  if (fn.params.includes(name)) return undefined;

  // a local of this function, allocated once, before the probe, without an IRP
  let declared = false;
  const allocs: SyntaxNode[] = [];
  const assigned: SyntaxNode[] = [];
  const uses: SyntaxNode[] = [];
  for (const n of descendants(fn.body)) {
    if (n.type === 'init_declarator' || n.type === 'assignment_expression') {
      const target = n.childForFieldName(n.type === 'init_declarator' ? 'declarator' : 'left');
      const value = n.childForFieldName(n.type === 'init_declarator' ? 'value' : 'right');
      const targetName = target?.type === 'pointer_declarator' ? target.childForFieldName('declarator')?.text : target?.text;
      if (targetName === name) {
        if (n.type === 'init_declarator') declared = true;
        if (value?.type === 'call_expression' && value.childForFieldName('function')?.text === 'IoAllocateMdl') allocs.push(value);
        else if (!(n.type === 'init_declarator' && value && NULLS.has(value.text))) assigned.push(n);
      }
    }
    if (n.type === 'declaration') {
      for (const d of n.namedChildren) {
        const id = d.type === 'pointer_declarator' ? d.childForFieldName('declarator') : d;
        if (id?.type === 'identifier' && id.text === name) declared = true;
      }
    }
    if (n.type === 'identifier' && n.text === name) uses.push(n);
  }
  if (!declared || allocs.length !== 1 || assigned.length > 0) return undefined;
  const alloc = allocs[0]!;
  const args = alloc.childForFieldName('arguments')?.namedChildren ?? [];
  if (args.length !== 5 || !NULLS.has(args[4]!.text) || alloc.endIndex > stmt.startIndex) return undefined;
  // between the allocation and the probe, the MDL is only compared with NULL
  for (const u of uses) {
    if (u.startIndex <= alloc.endIndex || u.startIndex >= stmt.startIndex) continue;
    const p = u.parent;
    const other = p?.type === 'binary_expression' && /^[!=]=$/.test(p.childForFieldName('operator')?.text ?? '') ? (p.childForFieldName('left')?.id === u.id ? p.childForFieldName('right') : p.childForFieldName('left')) : undefined;
    const negated = p?.type === 'unary_expression' && p.childForFieldName('operator')?.text === '!';
    const tested = p?.type === 'parenthesized_expression' || p?.type === 'condition_clause';
    if (!(other && NULLS.has(other.text)) && !negated && !tested) return undefined;
  }

  const lineStart = file.text.lastIndexOf('\n', stmt.startIndex - 1) + 1;
  const indent = /^[ \t]*/.exec(file.text.slice(lineStart))![0];
  if (file.text.slice(lineStart, stmt.startIndex).trim() !== '') return undefined; // not alone on its line
  const unit = indent.includes('\t') ? '\t' : '    ';
  const probe = file.text.slice(stmt.startIndex, stmt.endIndex);
  const newText =
    `${indent}__try {\n` +
    `${indent}${unit}${probe}\n` +
    `${indent}} __except (EXCEPTION_EXECUTE_HANDLER) {\n` +
    `${indent}${unit}IoFreeMdl(${name});\n` +
    `${indent}${unit}return GetExceptionCode();\n` +
    `${indent}}`;
  const fixed = file.text.slice(0, lineStart) + newText + file.text.slice(stmt.endIndex);

  // the linter's verdict on the fixed program: the finding gone, nothing new in the file
  const after = lintFixed(fixed);
  if (!after) return undefined;
  const allowed = counts(before);
  const removed = `${finding.ruleId}/${finding.messageId}`;
  allowed.set(removed, (allowed.get(removed) ?? 0) - 1);
  for (const [k, n] of counts(after)) if (n > (allowed.get(k) ?? 0)) return undefined;

  const start = { line: stmt.startPosition.row, character: 0 };
  const end = { line: stmt.endPosition.row, character: stmt.endPosition.column };
  return { title: `Wrap ${callee} in __try/__except (free ${name}, return the exception code)`, range: { start, end }, newText };
}
