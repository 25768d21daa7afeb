/**
 * The condition of a function-like macro that tests, then jumps (`#define IF_FAILED_JUMP(ntStatus, label)
 * if (!NT_SUCCESS(ntStatus)) { goto label; }`, Windows-driver-samples' audio drivers; the WFP samples'
 * `HLPR_BAIL_ON_FAILURE_WITH_LABEL(status, label)`), as a syntax tree at one call of the macro: the
 * condition's text is parsed once (C, else C++), and each parameter in it is replaced by the call's argument
 * node, so that the control-flow graph and the simulator test it as they test an `if` of the function.
 *
 * Macros are not expanded otherwise; what reads the macro's definition (which bodies are such a test and
 * jump) is each tool's own (src/analysis/project.ts, src/sim/ast.ts). This module is parsing, shared by both.
 *
 * The nodes made from the macro's text (`!`, `NT_SUCCESS(...)`, `== NULL`) have the text of the expansion
 * and the position of the call (a finding on them is on the call's line); the arguments are the call's own
 * nodes, with their positions.
 */
import { LiteNode, LiteSource, toLite, type AstNode, type Point } from './lite.js';
import { parseRaw } from './parser.js';

/** A node made from a macro's text at one call: its own text, the call's position. */
class ExpandedNode extends LiteNode {
  constructor(
    id: number,
    type: string,
    isNamed: boolean,
    private readonly at: AstNode,
    private readonly expandedText: string,
  ) {
    super(NO_SOURCE, id, type, isNamed, false, at.startIndex, at.endIndex);
  }
  override get text(): string {
    return this.expandedText;
  }
  override get startPosition(): Point {
    return this.at.startPosition;
  }
  override get endPosition(): Point {
    return this.at.endPosition;
  }
}

const NO_SOURCE = new LiteSource('');

/** Ids of expanded nodes: negative, apart from every parsed node's. */
let nextId = -1;

const PREFIX = 'void __ddi_lint_macro_condition(void) { if (';
/** Parsed conditions by their text (null: the text is not an expression both grammars take without error). */
const templates = new Map<string, { node: LiteNode; source: string } | null>();

function template(cond: string): { node: LiteNode; source: string } | null {
  let t = templates.get(cond);
  if (t !== undefined) return t;
  t = null;
  const source = `${PREFIX}${cond}) ; }`;
  for (const lang of ['c', 'cpp'] as const) {
    const root = parseRaw(source, lang).rootNode;
    if (root.hasError) continue;
    const ifs = root.descendantsOfType('if_statement')[0];
    const paren = ifs?.childForFieldName('condition');
    // (the condition_clause of C++ or the parenthesized_expression of C: the expression inside)
    const inner = paren?.namedChildren.find((c) => c.type !== 'comment');
    if (!inner || inner.startIndex !== PREFIX.length || inner.endIndex !== PREFIX.length + cond.length) continue;
    t = { node: toLite(inner, source), source };
    break;
  }
  if (templates.size > 4096) templates.clear();
  templates.set(cond, t);
  return t;
}

/**
 * `cond` (the text of a macro's condition, over the macro's `params`) at the call `at` whose arguments are
 * `args`: its syntax tree, each parameter replaced by its argument. Undefined when the text does not parse
 * as an expression, or names a parameter the call gives no argument for.
 */
export function macroCondition(cond: string, params: readonly string[], args: readonly AstNode[], at: AstNode): AstNode | undefined {
  const t = template(cond.trim());
  if (!t) return undefined;
  let missing = false;
  const argOf = (n: LiteNode): AstNode | undefined => {
    if (n.type !== 'identifier') return undefined;
    const k = params.indexOf(n.text);
    if (k < 0) return undefined;
    const a = args[k];
    if (!a) missing = true;
    return a;
  };
  /** The expansion's text of template node `n`: its text with each parameter replaced by its argument's. */
  const textOf = (n: LiteNode): string => {
    let out = '';
    let at = n.startIndex;
    const stack: LiteNode[] = [n];
    const subs: { start: number; end: number; text: string }[] = [];
    while (stack.length) {
      const x = stack.pop()!;
      const a = argOf(x);
      if (a) subs.push({ start: x.startIndex, end: x.endIndex, text: a.text });
      else for (const c of x.children) stack.push(c);
    }
    subs.sort((p, q) => p.start - q.start);
    for (const s of subs) {
      out += t.source.slice(at, s.start) + s.text;
      at = s.end;
    }
    return out + t.source.slice(at, n.endIndex);
  };
  const copy = (n: LiteNode): AstNode => {
    const a = argOf(n);
    if (a) return a;
    const e = new ExpandedNode(nextId--, n.type, n.isNamed, at, textOf(n));
    if (n.children.length) e.setChildren(n.children.map((c) => copy(c) as LiteNode), n.fields.length ? n.fields : undefined);
    return e;
  };
  const out = copy(t.node);
  return missing ? undefined : out;
}
