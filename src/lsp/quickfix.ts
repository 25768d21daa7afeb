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
 * Offered only where that is safe, which the linter itself checks: the probe is a statement of its own
 * in a block; the MDL is a local variable this function allocated with `IoAllocateMdl`; the function
 * returns NTSTATUS. The fixed text is then linted: the fix is offered only when the finding is gone and
 * the function has no finding it did not have before (a lock still held on that return, for instance).
 */
import type { Project } from '../analysis/project.js';
import { lintFunction, type LintOptions } from '../lint/linter.js';
import type { LintMessage } from '../lint/types.js';
import { parseSource, type SourceFile, type SyntaxNode } from '../parse/parser.js';

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

export function probeQuickFix(file: SourceFile, finding: LintMessage, project: Project, options: LintOptions): TextFix | undefined {
  const fn = file.functions.find((f) => f.name === finding.function && f.node.startPosition.row + 1 <= finding.line && finding.line <= f.node.endPosition.row + 1);
  if (!fn) return undefined;
  // the call at the finding, and its statement
  let node: SyntaxNode | null = file.tree.rootNode.descendantForPosition({ row: finding.line - 1, column: finding.column - 1 });
  while (node && node.type !== 'call_expression') node = node.parent;
  if (!node || !/^MmProbeAndLock(?:Pages|ProcessPages|SelectedPages)$/.test(node.childForFieldName('function')?.text ?? '')) return undefined;
  const stmt = node.parent;
  if (!stmt || stmt.type !== 'expression_statement' || stmt.parent?.type !== 'compound_statement') return undefined;
  const mdl = node.childForFieldName('arguments')?.namedChildren[0];
  if (!mdl || mdl.type !== 'identifier') return undefined;
  const name = mdl.text;
  const body = file.text.slice(fn.bodyStart, fn.bodyEnd);
  if (!new RegExp(`\\b${name}\\s*=\\s*IoAllocateMdl\\s*\\(`).test(body)) return undefined;
  const head = file.text.slice(fn.start, fn.bodyStart);
  if (!/\bNTSTATUS\b/.test(head.split('(')[0] ?? '')) return undefined;

  const lineStart = file.text.lastIndexOf('\n', stmt.startIndex - 1) + 1;
  const indent = /^[ \t]*/.exec(file.text.slice(lineStart))![0];
  if (file.text.slice(lineStart, stmt.startIndex).trim() !== '') return undefined; // not alone on its line
  const unit = indent.includes('\t') ? '\t' : '    ';
  const call = file.text.slice(stmt.startIndex, stmt.endIndex);
  const newText =
    `${indent}__try {\n` +
    `${indent}${unit}${call}\n` +
    `${indent}} __except (EXCEPTION_EXECUTE_HANDLER) {\n` +
    `${indent}${unit}IoFreeMdl(${name});\n` +
    `${indent}${unit}return GetExceptionCode();\n` +
    `${indent}}`;
  const fixed = file.text.slice(0, lineStart) + newText + file.text.slice(stmt.endIndex);

  // the linter's verdict on the fixed function
  let after: LintMessage[];
  try {
    const fixedFile = parseSource(file.path, fixed);
    const fixedFn = fixedFile.functions.find((f) => f.name === fn.name && f.start === fn.start);
    if (!fixedFn || fixedFn.hasError) return undefined;
    after = lintFunction(fixedFile, fixedFn, project, { ...options, project });
  } catch {
    return undefined;
  }
  const before = counts(lintFunction(file, fn, project, { ...options, project }));
  const removed = `${finding.ruleId}/${finding.messageId}`;
  before.set(removed, (before.get(removed) ?? 0) - 1);
  for (const [k, n] of counts(after)) if (n > (before.get(k) ?? 0)) return undefined;

  const start = { line: stmt.startPosition.row, character: 0 };
  const end = { line: stmt.endPosition.row, character: stmt.endPosition.column };
  return { title: `Wrap ${node.childForFieldName('function')!.text} in __try/__except (free ${name}, return the exception code)`, range: { start, end }, newText };
}
