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
import { parseRaw, type Lang } from './parser.js';

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
/** Parsed conditions by language and text (null: the text is not an expression the grammar takes without error). */
const templates = new Map<string, { node: LiteNode; source: string } | null>();

function template(cond: string, lang: Lang): { node: LiteNode; source: string } | null {
  const key = `${lang}\0${cond}`;
  let t = templates.get(key);
  if (t !== undefined) return t;
  t = null;
  const source = `${PREFIX}${cond}) ; }`;
  const root = parseRaw(source, lang).rootNode;
  if (!root.hasError) {
    const ifs = root.descendantsOfType('if_statement')[0];
    const paren = ifs?.childForFieldName('condition');
    // (the condition_clause of C++ or the parenthesized_expression of C: the expression inside)
    const inner = paren?.namedChildren.find((c) => c.type !== 'comment');
    if (inner && inner.startIndex === PREFIX.length && inner.endIndex === PREFIX.length + cond.length) t = { node: toLite(inner, source), source };
  }
  if (templates.size > 4096) templates.clear();
  templates.set(key, t);
  return t;
}

/** The calls a macro's own text may make: tests of a status, which evaluate nothing but their argument. */
const TEST_MACROS = new Set(['NT_SUCCESS', 'NT_ERROR', 'NT_WARNING', 'NT_INFORMATION', 'FAILED', 'SUCCEEDED']);

/** Arguments that stand where any operand may: text substitution would not regroup them with the macro's operators. */
const PRIMARY = new Set(['identifier', 'number_literal', 'string_literal', 'char_literal', 'true', 'false', 'null', 'nullptr', 'field_expression', 'call_expression', 'subscript_expression', 'parenthesized_expression', 'concatenated_string']);

/**
 * Can the macro's text be read as a tree over its arguments, as the preprocessor's text substitution reads it,
 * with nothing in it that the analyses would place (its nodes all stand at the call)? No call but the status
 * tests, no assignment, increment or comma; no parameter spelled where substitution replaces a name that
 * is not an operand (a field, a type, `sizeof(T)`); each argument either parenthesized by the macro, or one
 * that no operator regroups (`!s` given `a && b` is `!a && b` in C).
 */
function readable(n: LiteNode, params: readonly string[], args: readonly AstNode[], parent: LiteNode | undefined): boolean {
  if (n.type === 'identifier') {
    const k = params.indexOf(n.text);
    if (k < 0) return true;
    const a = args[k];
    if (!a) return false;
    return !parent || parent.type === 'parenthesized_expression' || parent.type === 'argument_list' || PRIMARY.has(a.type);
  }
  if (n.type === 'field_identifier' || n.type === 'type_identifier' || n.type === 'statement_identifier') return !params.includes(n.text);
  if (n.type === 'update_expression' || n.type === 'assignment_expression' || n.type === 'comma_expression') return false;
  if (n.type === 'call_expression') {
    const f = n.childForFieldName('function');
    if (f?.type !== 'identifier' || !TEST_MACROS.has(f.text) || params.includes(f.text)) return false;
  }
  for (const c of n.children) if (!readable(c, params, args, n)) return false;
  return true;
}

/**
 * `cond` (the text of a macro's condition, over the macro's `params`) at the call `at` whose arguments are
 * `args`, in a file of language `lang`: its syntax tree, each parameter replaced by its argument. Undefined
 * when the text does not parse as an expression, names a parameter the call gives no argument for, or is not
 * `readable` as a tree over the arguments.
 */
export function macroCondition(cond: string, params: readonly string[], args: readonly AstNode[], at: AstNode, lang: Lang): AstNode | undefined {
  // (a string could hold a parenthesis the definition's reader took for the test's end; `...` is not one name)
  if (/["']|__VA_ARGS__/.test(cond) || params.some((p) => p.includes('...'))) return undefined;
  const t = template(cond.trim(), lang);
  if (!t || !readable(t.node, params, args, undefined)) return undefined;
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
