/**
 * Control-flow graph of one function, over tree-sitter nodes.
 *
 * Nodes evaluate one statement-level piece of syntax (an expression statement, a declaration, an
 * atomic condition, a return value, an `__except` filter). Conditions are decomposed into atomic
 * branch nodes (`&&`, `||`, `!`, `?:`, `,`), so that each edge can carry an assumption. SEH is
 * modelled with exceptional edges from every call that can raise (per the DDI table) to the
 * innermost handler: an `__except` filter node, or a copy of the `__finally` block that then keeps
 * propagating. `__finally` blocks are duplicated per kind of exit (fall-through, return, goto,
 * break, continue, `__leave`, exception), which keeps paths apart and the analysis precise.
 * `#if` branches inside a body are alternative paths (`#if 0` is never taken).
 */
import type { FunctionInfo, Lang } from '../parse/parser.js';
import type { AstNode } from '../parse/lite.js';
import { macroCondition } from '../parse/macro-condition.js';
import { ppTruth, type MacroLookup } from './pp-conditions.js';

type SyntaxNode = AstNode;

/** A function whose syntax is given as `AstNode`s (a lite copy or tree-sitter's own nodes). */
export type CfgFunction = Omit<FunctionInfo, 'node' | 'body'> & { node: AstNode; body: AstNode };

export type EdgeKind = 'normal' | 'true' | 'false' | 'case' | 'default' | 'exception' | 'pp' | 'goto' | 'catch' | 'pass';

export interface CfgEdge {
  to: number;
  kind: EdgeKind;
  /** For true/false edges: the atomic condition. */
  cond?: SyntaxNode;
  /** For case/default edges: the switch's discriminant expression. */
  discriminant?: SyntaxNode;
  /** For case edges: the case value; for default edges: every case value of the switch. */
  caseValues?: SyntaxNode[];
  /** For exception edges: the call that raises. */
  raiser?: SyntaxNode;
  /** For goto edges: the label. */
  label?: string;
  /**
   * For pp edges: the preprocessor condition the branch decides and its truth on this side, when the function
   * tests the same condition more than once (`#ifdef _M_IX86` around a raise and again around its lower): one
   * build compiles both groups or neither, so a path keeps the truth it took first.
   */
  pp?: PpDecision;
}

/** A preprocessor condition (`defined NAME`, or an `#if` expression's text with its spaces collapsed) and its truth. */
export interface PpDecision {
  key: string;
  truth: boolean;
}

export type NodeKind = 'entry' | 'exit' | 'raise-exit' | 'stmt' | 'branch' | 'return' | 'join' | 'havoc' | 'filter';

export type FilterClass =
  | { kind: 'all' }
  | { kind: 'none'; why: 'continue-search' | 'continue-execution' }
  | { kind: 'narrow'; code: string }
  | { kind: 'unknown' };

export interface TryFrame {
  kind: 'except' | 'finally';
  /** The `seh_try_statement`. */
  stmt: SyntaxNode;
  filter?: SyntaxNode;
  filterClass?: FilterClass;
  /** Filter node id (except frames). */
  filterNode?: number;
  /** Lazily built copy of the finally block for exceptional exits (finally frames). */
  exceptionEntry?: number;
  /** Loop/switch nesting depth when the try statement began (for break/continue in handlers). */
  loopDepth: number;
}

export interface TryCtx {
  frame: TryFrame;
  parent: TryCtx | null;
}

export interface CfgNode {
  id: number;
  kind: NodeKind;
  /** The syntax evaluated here (expression, declaration, condition, return statement, filter). */
  ast?: SyntaxNode;
  succs: CfgEdge[];
  /** Enclosing `__try` frames, innermost first. */
  ctx: TryCtx | null;
  /** Calls evaluated at this node, in source order. */
  calls: SyntaxNode[];
  /** A loop head (target of a back edge). */
  loopHead?: boolean;
  /**
   * Inside a copy of a `__finally` block: whether that copy runs for an abnormal termination of its
   * `__try` (exception, return, goto, break, continue) — the value of AbnormalTermination() there.
   */
  abnormal?: boolean;
  /**
   * A `return lam(...)` whose lambda's body was put before it (`localLambda`): the node returns what the body
   * returned, and evaluates nothing itself (the call is not a call of unknown code, its arguments ran already).
   */
  returnsLambda?: boolean;
  /** An argument of an inlined lambda's call: its value is this parameter's for the body (`Builder.inlineLambda`). */
  bind?: string;
  /** Position for explanations (1-based). */
  line: number;
  column: number;
}

export interface Cfg {
  fn: CfgFunction;
  nodes: CfgNode[];
  entry: number;
  exit: number;
  raiseExit: number;
  /** The function body held ERROR/MISSING nodes (they became havoc nodes). */
  hasErrors: boolean;
  /** The graph exceeded the node budget: do not analyze. */
  truncated: boolean;
  /**
   * The lambdas the function keeps in locals, by name. A call of one the graph did not put in place (its value
   * used, `status = release();`; a lambda with pointer parameters; past the inlining budget) runs code that
   * may do anything to what it captures.
   */
  lambdas?: ReadonlySet<string>;
}

interface Dangling {
  from: number;
  kind: EdgeKind;
  cond?: SyntaxNode;
  discriminant?: SyntaxNode;
  caseValues?: SyntaxNode[];
  label?: string;
  pp?: PpDecision;
}

interface Breakable {
  isLoop: boolean;
  breaks: Dangling[];
  continues: Dangling[];
  ctx: TryCtx | null;
}

/**
 * What a jumping macro does (read from its `#define` by src/analysis/project.ts): it tests `cond` (its text
 * over `params`), if it has one, and when that holds (or always) runs argument `arg` as a statement, if
 * given, then jumps to `label`, or to the label that argument `labelArg` names.
 */
export interface MacroJump {
  label?: string;
  labelArg?: number;
  arg?: number;
  cond?: string;
  params?: string[];
  /**
   * The body is an unbraced `if (c) goto L` (the WFP samples' `HLPR_BAIL_ON_FAILURE_WITH_LABEL`): as the
   * consequence of the caller's `if` with an `else`, the expansion takes that `else`, so it is not followed there.
   */
  dangling?: boolean;
}

export interface CfgOptions {
  /** Does a call to this function raise a structured exception? */
  raises: (callee: string) => boolean;
  /** Is this a function-like macro whose body ends in a `return` (a statement calling it ends the function)? */
  returns?: (callee: string) => boolean;
  /**
   * Is this a function-like macro that jumps to a label (`try_return(S)`: `{ S; goto try_exit; }`), maybe
   * on a condition (`IF_FAILED_JUMP(status, label)`: `if (!NT_SUCCESS(status)) { goto label; }`)?
   */
  jumps?: (callee: string) => MacroJump | undefined;
  /** The function's language (the grammar a jumping macro's test is read with). */
  lang?: Lang;
  /** Node budget; beyond it the CFG is marked truncated. */
  maxNodes?: number;
  /** The program's macros, for the `#if`/`#ifdef` conditions in the body (`ppTruth`); without it only literals (`#if 0`) decide. */
  macro?: MacroLookup;
}

/** Name of a call's callee (`Foo`, `obj->Method` → `Method`, `Ns::Foo` → `Foo`). */
export function calleeName(call: SyntaxNode): string | undefined {
  let f = call.childForFieldName('function');
  while (f && f.type === 'parenthesized_expression') f = f.namedChild(0);
  if (!f) return undefined;
  switch (f.type) {
    case 'identifier':
      return f.text;
    case 'field_expression':
      return f.childForFieldName('field')?.text;
    case 'qualified_identifier': {
      const name = f.childForFieldName('name');
      return name ? name.text.replace(/<.*$/s, '') : f.text;
    }
    case 'template_function':
      return f.childForFieldName('name')?.text;
    default:
      return undefined;
  }
}

/** Collect calls in evaluation order (arguments before the call), not descending into lambdas. */
export function collectCalls(node: SyntaxNode, out: SyntaxNode[] = []): SyntaxNode[] {
  // (two parallel stacks, the node and whether it is met after its children: no object per node visited,
  // for every statement of every CFG built)
  const stack: SyntaxNode[] = [node];
  const after: boolean[] = [false];
  while (stack.length) {
    const n = stack.pop()!;
    if (after.pop()) {
      out.push(n);
      continue;
    }
    if (n.type === 'lambda_expression' || n.type === 'compound_statement') continue;
    if (n.type === 'call_expression') {
      stack.push(n);
      after.push(true);
    }
    const kids = n.namedChildren;
    for (let k = kids.length - 1; k >= 0; k--) {
      stack.push(kids[k]!);
      after.push(false);
    }
  }
  return out;
}

const CONST_TRUE = new Set(['1', 'TRUE', 'true']);
const CONST_FALSE = new Set(['0', 'FALSE', 'false']);

function constantTruth(expr: SyntaxNode): boolean | undefined {
  const t = expr.text.trim();
  if (CONST_TRUE.has(t)) return true;
  if (CONST_FALSE.has(t)) return false;
  if (expr.type === 'number_literal') {
    const v = Number.parseInt(t.replace(/[uUlL]+$/, ''));
    if (!Number.isNaN(v)) return v !== 0;
  }
  return undefined;
}

/** Strip parentheses (and C++'s `condition_clause` around a plain expression). */
export function unparen(n: SyntaxNode): SyntaxNode {
  for (;;) {
    if (n.type === 'parenthesized_expression' && n.namedChildCount === 1) n = n.namedChild(0)!;
    else if (n.type === 'condition_clause') {
      const v = n.childForFieldName('value');
      if (!v || n.namedChildCount !== 1) return n;
      n = v;
    } else return n;
  }
}

/** Classify an `__except` filter: does it take every exception a probe can raise? */
export function classifyFilter(filter: SyntaxNode | null | undefined): FilterClass {
  if (!filter) return { kind: 'unknown' };
  let f = unparen(filter);
  // (Log(GetExceptionInformation()), EXCEPTION_CONTINUE_SEARCH): the value is the right operand
  while (f.type === 'comma_expression' && f.childForFieldName('right')) f = unparen(f.childForFieldName('right')!);
  const t = f.text.replace(/\s+/g, '');
  if (t === 'EXCEPTION_EXECUTE_HANDLER' || t === '1') return { kind: 'all' };
  if (t === 'EXCEPTION_CONTINUE_SEARCH' || t === '0') return { kind: 'none', why: 'continue-search' };
  if (t === 'EXCEPTION_CONTINUE_EXECUTION' || t === '-1') return { kind: 'none', why: 'continue-execution' };
  // GetExceptionCode() == STATUS_X [? EXCEPTION_EXECUTE_HANDLER : EXCEPTION_CONTINUE_SEARCH], or != with the arms swapped
  const codeTest = (n: SyntaxNode): { code: string; eq: boolean } | undefined => {
    n = unparen(n);
    if (n.type !== 'binary_expression') return undefined;
    const op = n.childForFieldName('operator')?.text;
    if (op !== '==' && op !== '!=') return undefined;
    const l = unparen(n.childForFieldName('left')!);
    const r = unparen(n.childForFieldName('right')!);
    const isCode = (x: SyntaxNode): boolean => {
      // (code = GetExceptionCode()) == STATUS_X
      if (x.type === 'assignment_expression' && x.childForFieldName('right')) return isCode(unparen(x.childForFieldName('right')!));
      return x.type === 'call_expression' && /^(GetExceptionCode|_exception_code)$/.test(calleeName(x) ?? '');
    };
    if (isCode(l) && !isCode(r)) return { code: r.text, eq: op === '==' };
    if (isCode(r) && !isCode(l)) return { code: l.text, eq: op === '==' };
    return undefined;
  };
  /** `code == A || code == B` (accepts a list), or `code != A && code != B` (rejects it); FsRtlIsNtstatusExpected(code). */
  const codeList = (n: SyntaxNode): { codes: string[]; eq: boolean } | undefined => {
    n = unparen(n);
    const single = codeTest(n);
    if (single) return { codes: [single.code], eq: single.eq };
    if (n.type === 'call_expression' && calleeName(n) === 'FsRtlIsNtstatusExpected') {
      // FALSE for STATUS_ACCESS_VIOLATION and STATUS_DATATYPE_MISALIGNMENT, the statuses a probe raises
      return { codes: ['the statuses for which FsRtlIsNtstatusExpected is TRUE'], eq: true };
    }
    if (n.type === 'binary_expression') {
      const op = n.childForFieldName('operator')?.text;
      const l = codeList(n.childForFieldName('left')!);
      const r = codeList(n.childForFieldName('right')!);
      if (l && r && l.eq && r.eq && op === '||') return { codes: [...l.codes, ...r.codes], eq: true };
      if (l && r && !l.eq && !r.eq && op === '&&') return { codes: [...l.codes, ...r.codes], eq: false };
    }
    return undefined;
  };
  const listed = (codes: string[]) => codes.join(' or ');
  const direct = codeList(f);
  if (direct?.eq) return { kind: 'narrow', code: listed(direct.codes) };
  if (f.type === 'conditional_expression') {
    const c = f.childForFieldName('condition');
    const cons = f.childForFieldName('consequence');
    const alt = f.childForFieldName('alternative');
    if (c && cons && alt) {
      const test = codeList(c);
      const ct = classifyFilter(cons);
      const at = classifyFilter(alt);
      if (test && test.eq && ct.kind === 'all' && at.kind === 'none') return { kind: 'narrow', code: listed(test.codes) };
      if (test && !test.eq && ct.kind === 'none' && at.kind === 'all') return { kind: 'narrow', code: listed(test.codes) };
      if (ct.kind === 'all' && at.kind === 'all') return { kind: 'all' };
      if (ct.kind === 'none' && at.kind === 'none') return ct;
    }
  }
  return { kind: 'unknown' };
}

class Builder {
  nodes: CfgNode[] = [];
  ctx: TryCtx | null = null;
  breakables: Breakable[] = [];
  leaveStack: Dangling[][] = [];
  labels = new Map<string, { node: number; ctx: TryCtx | null }>();
  private labelSet: Set<string> | undefined;
  /** The labels of the function's body (before the walk reaches them). */
  labelNames(): Set<string> {
    this.labelSet ??= new Set(nodesOfType(this.fn.body, LABELED).map((n) => n.childForFieldName('label')?.text ?? ''));
    return this.labelSet;
  }
  gotos: { preds: Dangling[]; ctx: TryCtx | null; label: string; loopDepth: number }[] = [];
  /** The consequences of `if` statements that have an `else`. */
  beforeElse = new Set<SyntaxNode>();
  exit: number;
  raiseExit: number;
  /** AbnormalTermination() in the `__finally` copy being built (undefined outside copies). */
  abnormal: boolean | undefined = undefined;
  hasErrors = false;
  truncated = false;
  maxNodes: number;

  constructor(
    readonly fn: CfgFunction,
    readonly opts: CfgOptions,
  ) {
    this.maxNodes = opts.maxNodes ?? 200_000;
    this.newNode('entry', undefined, [], fn.node);
    this.exit = this.newNode('exit', undefined, [], fn.body.lastChild ?? fn.body);
    this.raiseExit = this.newNode('raise-exit', undefined, [], fn.body.lastChild ?? fn.body);
  }

  newNode(kind: NodeKind, ast: SyntaxNode | undefined, preds: Dangling[], posNode?: SyntaxNode): number {
    const id = this.nodes.length;
    if (id >= this.maxNodes) {
      this.truncated = true;
      throw new TruncatedError();
    }
    const p = (posNode ?? ast)?.startPosition;
    const calls = ast && kind !== 'join' ? collectCalls(ast) : [];
    this.nodes.push({ id, kind, ast, succs: [], ctx: this.ctx, calls, line: (p?.row ?? 0) + 1, column: (p?.column ?? 0) + 1 });
    if (this.abnormal !== undefined) this.nodes[id]!.abnormal = this.abnormal;
    this.connect(preds, id);
    if (kind === 'stmt' || kind === 'branch' || kind === 'return' || kind === 'filter') {
      for (const call of calls) {
        const name = calleeName(call);
        if (name && this.opts.raises(name)) {
          this.nodes[id]!.succs.push({ to: this.exceptionTarget(this.ctx), kind: 'exception', raiser: call });
          break; // one exceptional edge per node: the state is the node's input either way
        }
      }
    }
    return id;
  }

  connect(preds: Dangling[], to: number): void {
    for (const d of preds) {
      const e: CfgEdge = { to, kind: d.kind };
      if (d.cond) e.cond = d.cond;
      if (d.discriminant) e.discriminant = d.discriminant;
      if (d.caseValues) e.caseValues = d.caseValues;
      if (d.label) e.label = d.label;
      if (d.pp) e.pp = d.pp;
      this.nodes[d.from]!.succs.push(e);
    }
  }

  fall(from: number): Dangling[] {
    return [{ from, kind: 'normal' }];
  }

  /** Where an exception raised in `ctx` goes. */
  exceptionTarget(ctx: TryCtx | null): number {
    if (!ctx) return this.raiseExit;
    const f = ctx.frame;
    if (f.kind === 'except') return f.filterNode!;
    if (f.exceptionEntry === undefined) {
      const saved = this.ctx;
      const savedBreakables = this.breakables;
      const savedAbnormal = this.abnormal;
      this.ctx = ctx.parent;
      this.breakables = this.breakables.slice(0, f.loopDepth);
      this.abnormal = true;
      const entry = this.newNode('join', undefined, [], finallyBody(f.stmt));
      f.exceptionEntry = entry;
      const end = this.stmt(finallyBody(f.stmt)!, this.fall(entry));
      this.abnormal = savedAbnormal;
      this.connect(
        end.map((d) => ({ ...d, kind: d.kind === 'normal' ? 'exception' : d.kind })),
        this.exceptionTarget(ctx.parent),
      );
      this.ctx = saved;
      this.breakables = savedBreakables;
    }
    return f.exceptionEntry;
  }

  /** Route dangling edges out of every frame between `from` and `to` (exclusive), running `__finally` copies. */
  unwind(preds: Dangling[], from: TryCtx | null, to: TryCtx | null): Dangling[] {
    let cur = from;
    while (cur && cur !== to) {
      if (cur.frame.kind === 'finally') {
        const saved = this.ctx;
        const savedBreakables = this.breakables;
        const savedAbnormal = this.abnormal;
        this.ctx = cur.parent;
        this.breakables = this.breakables.slice(0, cur.frame.loopDepth);
        this.abnormal = true; // a jump out of the __try is an abnormal termination
        const body = finallyBody(cur.frame.stmt)!;
        const entry = this.newNode('join', undefined, preds, body);
        preds = this.stmt(body, this.fall(entry));
        this.ctx = saved;
        this.breakables = savedBreakables;
        this.abnormal = savedAbnormal;
      }
      cur = cur.parent;
    }
    return preds;
  }

  seq(children: SyntaxNode[], preds: Dangling[]): Dangling[] {
    for (const c of children) preds = this.stmt(c, preds);
    return preds;
  }

  stmt(s: SyntaxNode, preds: Dangling[]): Dangling[] {
    switch (s.type) {
      case 'compound_statement':
        return this.seq(s.namedChildren, preds);
      case 'comment':
      case 'preproc_call':
      case 'preproc_def':
      case 'preproc_function_def':
      case 'preproc_include':
      case 'type_definition':
      case 'empty_statement':
      case 'static_assert_declaration':
      case 'using_declaration':
      case 'alias_declaration':
      case 'namespace_alias_definition':
      case 'struct_specifier':
      case 'enum_specifier':
      case 'union_specifier':
      case 'class_specifier':
        return preds;
      case 'attributed_statement': {
        const inner = s.namedChildren.filter((c) => c.type !== 'attribute_declaration');
        return this.seq(inner, preds);
      }
      case 'expression_statement': {
        if (s.namedChildCount === 0) return preds;
        const x = s.namedChild(0)!;
        // `EXIT_FAILURE(0);`: a macro that returns (the expression is evaluated, then the function returns)
        if (x.type === 'call_expression' && this.opts.returns) {
          const name = calleeName(x);
          if (name && this.opts.returns(name)) {
            const id = this.newNode('return', s, preds);
            this.connect(this.unwind(this.fall(id), this.ctx, null), this.exit);
            return [];
          }
        }
        // `try_return(Status = STATUS_X);`: the argument, as a statement, then the jump
        // (a plain name, `try_return(...)`, not `obj->Leave(...)`; and only to a label the function has: a jump
        // elsewhere would end the path)
        if (x.type === 'call_expression' && this.opts.jumps && x.childForFieldName('function')?.type === 'identifier') {
          const j = this.opts.jumps(x.childForFieldName('function')!.text);
          const args = j ? (x.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? []) : [];
          const label = j ? macroLabel(j, args) : undefined;
          // (`IF_FAILED_JUMP(status, Done)`: the macro's test, at the call, with the call's arguments)
          const test = j?.cond !== undefined ? macroCondition(j.cond, j.params ?? [], args, x, this.opts.lang ?? 'c') : undefined;
          if (j && label !== undefined && this.labelNames().has(label) && (j.cond === undefined || test) && !(j.dangling && this.beforeElse.has(s))) {
            const c = test ? this.cond(test, preds) : { t: preds, f: [] };
            const arg = j.arg !== undefined ? args[j.arg] : undefined;
            const id = arg ? this.newNode('stmt', arg, c.t) : this.newNode('join', undefined, c.t, s);
            this.gotos.push({ preds: [{ from: id, kind: 'goto', label }], ctx: this.ctx, label, loopDepth: this.breakables.length });
            return c.f;
          }
        }
        // `cleanup();` of a local lambda: its body, here
        const lambda = this.localLambda(x);
        if (lambda) return this.inlineLambda(lambda, x, preds);
        return this.fall(this.newNode('stmt', x, preds));
      }
      case 'declaration':
        return this.fall(this.newNode('stmt', s, preds));
      case 'return_statement': {
        if (this.lambdaReturns.length) {
          // a return of the lambda being inlined: its value is evaluated, and the lambda's call ends
          const value = s.namedChildren.find((c) => c.type !== 'comment');
          this.lambdaReturns[this.lambdaReturns.length - 1]!.push(...(value ? this.fall(this.newNode('stmt', value, preds)) : preds));
          return [];
        }
        // `return fail(status);` of a local lambda: its body, then the return of what it returned
        const value = s.namedChildren.find((c) => c.type !== 'comment');
        const lambda = value ? this.localLambda(unparen(value)) : undefined;
        if (lambda) preds = this.inlineLambda(lambda, unparen(value!), preds);
        const id = this.newNode('return', s, preds);
        if (lambda) {
          // (the lambda's body and its arguments ran above)
          this.nodes[id]!.calls = [];
          this.nodes[id]!.returnsLambda = true;
        }
        const out = this.unwind(this.fall(id), this.ctx, null);
        this.connect(out, this.exit);
        return [];
      }
      case 'throw_statement': {
        const id = this.newNode('stmt', s, preds);
        this.connect(this.fall(id), this.raiseExit);
        return [];
      }
      case 'if_statement':
        return this.ifStmt(s, preds);
      case 'while_statement':
        return this.whileStmt(s, preds);
      case 'do_statement':
        return this.doStmt(s, preds);
      case 'for_statement':
        return this.forStmt(s, preds);
      case 'for_range_loop':
        return this.rangeFor(s, preds);
      case 'switch_statement':
        return this.switchStmt(s, preds);
      case 'break_statement': {
        const b = this.breakables[this.breakables.length - 1];
        if (!b) return [];
        b.breaks.push(...this.unwind(preds, this.ctx, b.ctx));
        return [];
      }
      case 'continue_statement': {
        for (let k = this.breakables.length - 1; k >= 0; k--) {
          const b = this.breakables[k]!;
          if (b.isLoop) {
            b.continues.push(...this.unwind(preds, this.ctx, b.ctx));
            break;
          }
        }
        return [];
      }
      case 'goto_statement': {
        const label = s.childForFieldName('label')?.text ?? '';
        const id = this.newNode('join', undefined, preds, s);
        this.gotos.push({ preds: [{ from: id, kind: 'goto', label }], ctx: this.ctx, label, loopDepth: this.breakables.length });
        return [];
      }
      case 'labeled_statement': {
        const label = s.childForFieldName('label')?.text ?? '';
        const id = this.newNode('join', undefined, preds, s);
        this.labels.set(label, { node: id, ctx: this.ctx });
        const inner = s.namedChildren.filter((c) => c.type !== 'statement_identifier');
        return this.seq(inner, this.fall(id));
      }
      case 'seh_try_statement':
        return this.sehTry(s, preds);
      case 'seh_leave_statement': {
        const top = this.leaveStack[this.leaveStack.length - 1];
        if (top) top.push(...preds);
        return [];
      }
      case 'try_statement':
        return this.cppTry(s, preds);
      case 'preproc_if':
      case 'preproc_ifdef':
      case 'preproc_elif':
      case 'preproc_elifdef':
      case 'preproc_else':
        return this.preproc(s, preds);
      case 'case_statement':
        // a case label outside a switch body we handle: treat its statements in sequence
        return this.seq(caseBody(s), preds);
      case 'ERROR': {
        this.hasErrors = true;
        return this.fall(this.newNode('havoc', s, preds));
      }
      default: {
        if (s.type.endsWith('_statement') || s.type.endsWith('_expression') || s.type === 'identifier') {
          return this.fall(this.newNode('stmt', s, preds));
        }
        return preds;
      }
    }
  }

  /** Decompose a condition into atomic branch nodes. */
  cond(expr: SyntaxNode, preds: Dangling[]): { t: Dangling[]; f: Dangling[] } {
    const e = unparen(expr);
    if (e.type === 'unary_expression' && e.childForFieldName('operator')?.text === '!') {
      const r = this.cond(e.childForFieldName('argument')!, preds);
      return { t: r.f, f: r.t };
    }
    if (e.type === 'binary_expression') {
      const op = e.childForFieldName('operator')?.text;
      if (op === '&&') {
        const l = this.cond(e.childForFieldName('left')!, preds);
        const r = this.cond(e.childForFieldName('right')!, l.t);
        return { t: r.t, f: [...l.f, ...r.f] };
      }
      if (op === '||') {
        const l = this.cond(e.childForFieldName('left')!, preds);
        const r = this.cond(e.childForFieldName('right')!, l.f);
        return { t: [...l.t, ...r.t], f: r.f };
      }
    }
    if (e.type === 'conditional_expression') {
      const c = this.cond(e.childForFieldName('condition')!, preds);
      const cons = e.childForFieldName('consequence');
      const a = cons ? this.cond(cons, c.t) : { t: c.t, f: [] };
      const b = this.cond(e.childForFieldName('alternative')!, c.f);
      return { t: [...a.t, ...b.t], f: [...a.f, ...b.f] };
    }
    if (e.type === 'comma_expression') {
      const left = e.childForFieldName('left')!;
      const id = this.newNode('stmt', left, preds);
      return this.cond(e.childForFieldName('right')!, this.fall(id));
    }
    const k = constantTruth(e);
    if (k === true) return { t: preds, f: [] };
    if (k === false) return { t: [], f: preds };
    const id = this.newNode('branch', e, preds);
    return { t: [{ from: id, kind: 'true', cond: e }], f: [{ from: id, kind: 'false', cond: e }] };
  }

  ifStmt(s: SyntaxNode, preds: Dangling[]): Dangling[] {
    // an `else if` chain in a loop, not by recursion: generated code has chains of thousands of branches
    const out: Dangling[] = [];
    for (let at: SyntaxNode | null = s; ; ) {
      const c = this.cond(at.childForFieldName('condition')!, preds);
      const cons = at.childForFieldName('consequence');
      // (a macro that expands to an unbraced `if` would take this statement's `else`: see `MacroJump.dangling`)
      if (cons && at.childForFieldName('alternative')) this.beforeElse.add(cons);
      out.push(...(cons ? this.stmt(cons, c.t) : c.t));
      let alt = at.childForFieldName('alternative');
      if (alt && alt.type === 'else_clause') alt = alt.namedChildren.find((x) => x.type !== 'comment') ?? null;
      if (alt?.type === 'if_statement') {
        at = alt;
        preds = c.f;
        continue;
      }
      out.push(...(alt ? this.stmt(alt, c.f) : c.f));
      return out;
    }
  }

  loopBody(body: SyntaxNode | null, preds: Dangling[]): { end: Dangling[]; b: Breakable } {
    const b: Breakable = { isLoop: true, breaks: [], continues: [], ctx: this.ctx };
    this.breakables.push(b);
    const end = body ? this.stmt(body, preds) : preds;
    this.breakables.pop();
    return { end, b };
  }

  whileStmt(s: SyntaxNode, preds: Dangling[]): Dangling[] {
    const head = this.newNode('join', undefined, preds, s);
    this.nodes[head]!.loopHead = true;
    const c = this.cond(s.childForFieldName('condition')!, this.fall(head));
    const { end, b } = this.loopBody(s.childForFieldName('body'), c.t);
    this.connect([...end, ...b.continues], head);
    return [...c.f, ...b.breaks];
  }

  doStmt(s: SyntaxNode, preds: Dangling[]): Dangling[] {
    const head = this.newNode('join', undefined, preds, s);
    this.nodes[head]!.loopHead = true;
    const { end, b } = this.loopBody(s.childForFieldName('body'), this.fall(head));
    const condNode = s.childForFieldName('condition');
    const c = condNode ? this.cond(condNode, [...end, ...b.continues]) : { t: [...end, ...b.continues], f: [] };
    this.connect(c.t, head);
    return [...c.f, ...b.breaks];
  }

  forStmt(s: SyntaxNode, preds: Dangling[]): Dangling[] {
    const init = s.childForFieldName('initializer');
    if (init) preds = init.type === 'declaration' ? this.stmt(init, preds) : this.fall(this.newNode('stmt', init, preds));
    const head = this.newNode('join', undefined, preds, s);
    this.nodes[head]!.loopHead = true;
    const condNode = s.childForFieldName('condition');
    const c = condNode ? this.cond(condNode, this.fall(head)) : { t: this.fall(head), f: [] as Dangling[] };
    const { end, b } = this.loopBody(s.childForFieldName('body'), c.t);
    const update = s.childForFieldName('update');
    let back = [...end, ...b.continues];
    if (update) back = this.fall(this.newNode('stmt', update, back));
    this.connect(back, head);
    return [...c.f, ...b.breaks];
  }

  rangeFor(s: SyntaxNode, preds: Dangling[]): Dangling[] {
    const head = this.newNode('join', undefined, preds, s);
    this.nodes[head]!.loopHead = true;
    const right = s.childForFieldName('right');
    const evalNode = right ? this.newNode('stmt', right, this.fall(head)) : head;
    const { end, b } = this.loopBody(s.childForFieldName('body'), [{ from: evalNode, kind: 'pp' }]);
    this.connect([...end, ...b.continues], head);
    return [{ from: evalNode, kind: 'pp' }, ...b.breaks];
  }

  switchStmt(s: SyntaxNode, preds: Dangling[]): Dangling[] {
    const condNode = s.childForFieldName('condition')!;
    const disc = unparen(condNode);
    const d = this.newNode('stmt', disc, preds);
    const body = s.childForFieldName('body');
    const cases: SyntaxNode[] = body ? body.namedChildren.filter((c) => c.type === 'case_statement') : [];
    const values = cases.map((c) => c.childForFieldName('value')).filter((v): v is SyntaxNode => !!v);
    const b: Breakable = { isLoop: false, breaks: [], continues: [], ctx: this.ctx };
    this.breakables.push(b);
    let fallthrough: Dangling[] = [];
    let hasDefault = false;
    for (const c of cases) {
      const value = c.childForFieldName('value');
      const edge: Dangling = value
        ? { from: d, kind: 'case', discriminant: disc, caseValues: [value] }
        : { from: d, kind: 'default', discriminant: disc, caseValues: values };
      if (!value) hasDefault = true;
      const entry = this.newNode('join', undefined, [edge, ...fallthrough], c);
      fallthrough = this.seq(caseBody(c), this.fall(entry));
    }
    this.breakables.pop();
    const out = [...fallthrough, ...b.breaks];
    if (!hasDefault) out.push({ from: d, kind: 'default', discriminant: disc, caseValues: values });
    return out;
  }

  sehTry(s: SyntaxNode, preds: Dangling[]): Dangling[] {
    const body = s.childForFieldName('body');
    const exceptClause = s.namedChildren.find((c) => c.type === 'seh_except_clause');
    const finallyClause = s.namedChildren.find((c) => c.type === 'seh_finally_clause');
    const outer = this.ctx;
    if (exceptClause) {
      const filter = exceptClause.childForFieldName('filter') ?? undefined;
      const frame: TryFrame = { kind: 'except', stmt: s, filter, filterClass: classifyFilter(filter), loopDepth: this.breakables.length };
      // the filter runs in the outer context
      frame.filterNode = this.newNode('filter', filter ? unparen(filter) : undefined, [], filter ?? exceptClause);
      this.ctx = { frame, parent: outer };
      this.leaveStack.push([]);
      let end = body ? this.stmt(body, preds) : preds;
      end = [...end, ...this.leaveStack.pop()!];
      this.ctx = outer;
      const cls = frame.filterClass!;
      const handlerBody = exceptClause.childForFieldName('body');
      let handlerEnd: Dangling[] = [];
      if (cls.kind !== 'none') {
        const handlerEntry = this.newNode('join', undefined, [{ from: frame.filterNode, kind: 'catch' }], handlerBody ?? exceptClause);
        handlerEnd = handlerBody ? this.stmt(handlerBody, this.fall(handlerEntry)) : this.fall(handlerEntry);
      }
      if (cls.kind !== 'all') {
        this.nodes[frame.filterNode]!.succs.push({ to: this.exceptionTarget(outer), kind: 'pass' });
      }
      return [...end, ...handlerEnd];
    }
    if (finallyClause) {
      const frame: TryFrame = { kind: 'finally', stmt: s, loopDepth: this.breakables.length };
      this.ctx = { frame, parent: outer };
      this.leaveStack.push([]);
      let end = body ? this.stmt(body, preds) : preds;
      end = [...end, ...this.leaveStack.pop()!];
      this.ctx = outer;
      const fb = finallyBody(s);
      if (!fb) return end;
      const savedAbnormal = this.abnormal;
      this.abnormal = false; // fall-through and __leave terminate normally
      const entry = this.newNode('join', undefined, end, fb);
      const out = this.stmt(fb, this.fall(entry));
      this.abnormal = savedAbnormal;
      return out;
    }
    return body ? this.stmt(body, preds) : preds;
  }

  cppTry(s: SyntaxNode, preds: Dangling[]): Dangling[] {
    // C++ exceptions are not SEH: the probe's exception is not caught by catch(...) without /EHa.
    const body = s.childForFieldName('body');
    const end = body ? this.stmt(body, preds) : preds;
    const out = [...end];
    for (const h of s.namedChildren.filter((c) => c.type === 'catch_clause')) {
      const hb = h.childForFieldName('body');
      const entry = this.newNode('join', undefined, [], h);
      out.push(...(hb ? this.stmt(hb, this.fall(entry)) : this.fall(entry)));
    }
    return out;
  }

  /** The lambdas the function defines, by the local they initialize (`auto cleanup = [&]() { ... };`); undefined: not read yet. */
  private lambdas: Map<string, SyntaxNode> | undefined;
  /** The lambdas being inlined (a lambda that names another is inlined in it; one met again is a call of unknown code). */
  private inlining = new Set<SyntaxNode>();
  /** Nodes made for inlined bodies so far (a lambda that calls another twice, nested, doubles them at each level). */
  private inlined = 0;
  /** Per lambda: the names of its parameters, null when they do not let it be inlined (`plainParams`). */
  private paramsMemo = new Map<SyntaxNode, string[] | null>();
  /** Per lambda being inlined, the ends of its `return` statements. */
  private lambdaReturns: Dangling[][] = [];

  /**
   * `call` calls a lambda the function defines in a local (`auto cleanup = [&]() { MmUnlockPages(Mdl); };`, the
   * name initialized once, with a lambda): that lambda. C++ drivers write their cleanup and error paths so.
   */
  localLambda(call: SyntaxNode): SyntaxNode | undefined {
    if (call.type !== 'call_expression') return undefined;
    const f = call.childForFieldName('function');
    if (!f || f.type !== 'identifier') return undefined;
    if (!this.lambdas) {
      this.lambdas = new Map();
      if (LAMBDA_TEXT.test(this.fn.body.text)) {
        const twice = new Set<string>();
        for (const d of nodesOfType(this.fn.body, INIT_DECLARATOR)) {
          const name = d.childForFieldName('declarator');
          const value = d.childForFieldName('value');
          if (name?.type !== 'identifier') continue;
          if (this.lambdas.has(name.text) || twice.has(name.text)) {
            this.lambdas.delete(name.text);
            twice.add(name.text);
          } else if (value?.type === 'lambda_expression') this.lambdas.set(name.text, value);
          else twice.add(name.text);
        }
      }
    }
    const lambda = this.lambdas.get(f.text);
    if (!lambda || this.inlining.has(lambda) || !lambda.childForFieldName('body') || this.inlined > MAX_INLINED_NODES) return undefined;
    return this.paramsOf(lambda) ? lambda : undefined;
  }

  /** `plainParams` of a lambda of this function, once. */
  private paramsOf(lambda: SyntaxNode): string[] | null {
    let params = this.paramsMemo.get(lambda);
    if (params === undefined) this.paramsMemo.set(lambda, (params = plainParams(lambda, this.fn.body.text) ?? null));
    return params;
  }

  /** The names of the function's lambdas (for `Cfg.lambdas`). */
  lambdaNames(): ReadonlySet<string> | undefined {
    return this.lambdas?.size ? new Set(this.lambdas.keys()) : undefined;
  }

  /**
   * The body of `lambda`, called by `call`, in the caller's flow (what it captures by reference is the caller's
   * own variables; by value, copies of the same pointers): the arguments are evaluated, then the body runs, and
   * its `return` statements end the call. A `break`, `continue` or `__leave` in it belongs to it, not to a loop
   * or `__try` of the caller; an exception it raises goes to the caller's handler.
   */
  inlineLambda(lambda: SyntaxNode, call: SyntaxNode, preds: Dangling[]): Dangling[] {
    // the arguments, each bound to its parameter (a plain value: see `plainParams`)
    const args = (call.childForFieldName('arguments')?.namedChildren ?? []).filter((a) => a.type !== 'comment');
    const params = this.paramsOf(lambda) ?? [];
    args.forEach((a, k) => {
      const id = this.newNode('stmt', a, preds);
      if (params[k]) this.nodes[id]!.bind = params[k];
      preds = this.fall(id);
    });
    const savedBreakables = this.breakables;
    const savedLeave = this.leaveStack;
    this.breakables = [];
    this.leaveStack = [];
    this.inlining.add(lambda);
    this.lambdaReturns.push([]);
    const first = this.nodes.length;
    const end = this.stmt(lambda.childForFieldName('body')!, preds);
    this.inlined += this.nodes.length - first;
    const returns = this.lambdaReturns.pop()!;
    this.inlining.delete(lambda);
    this.breakables = savedBreakables;
    this.leaveStack = savedLeave;
    return [...end, ...returns];
  }

  preproc(s: SyntaxNode, preds: Dangling[]): Dangling[] {
    if (s.type === 'preproc_else') return this.seq(preprocChildren(s), preds);
    const condition = s.childForFieldName('condition');
    const alt = s.childForFieldName('alternative');
    // `#if 0`, or a condition the program's macros decide (`#if !MINI_PORT`, `#ifndef MINI_PORT`)
    const truth = (condition ? constantTruth(condition) : undefined) ?? (this.opts.macro ? ppTruth(s, this.opts.macro) : undefined);
    const never = truth === false;
    const always = truth === true;
    if (never) return alt ? this.preproc(alt, preds) : preds;
    const split = this.newNode('join', undefined, preds, s);
    // the decision is remembered on the path: the build that takes it one way takes it so at every test of the
    // condition, in this function and in the functions it calls or is called by (`#ifndef POST_LOCK_PAGES` in a
    // lock helper and in a mapping helper: their summaries carry it)
    const decided = ppCondition(s);
    const side = (truth: boolean): Dangling => (decided ? { from: split, kind: 'pp', pp: { key: decided.key, truth: truth === decided.taken } } : { from: split, kind: 'pp' });
    const taken = this.seq(preprocChildren(s), [side(true)]);
    if (always) return taken;
    const other = alt ? this.preproc(alt, [side(false)]) : [side(false)];
    return [...taken, ...other];
  }


  resolveGotos(): void {
    for (const g of this.gotos) {
      const target = this.labels.get(g.label);
      if (!target) continue; // unknown label: the path ends (code is incomplete)
      // frames the goto leaves: those in its context that do not enclose the label
      const enclosing = new Set<TryCtx>();
      for (let c = target.ctx; c; c = c.parent) enclosing.add(c);
      let stop: TryCtx | null = g.ctx;
      while (stop && !enclosing.has(stop)) stop = stop.parent;
      const saved = this.ctx;
      this.ctx = g.ctx;
      const out = this.unwind(g.preds, g.ctx, stop);
      this.ctx = saved;
      this.connect(out, target.node);
    }
  }
}

class TruncatedError extends Error {}

/** The most nodes inlined lambda bodies may add to a function's graph; past it, calls of lambdas are calls of code that may do anything to what they capture. */
const MAX_INLINED_NODES = 5_000;

/**
 * The names of a lambda's parameters when its body can run in its caller's graph (undefined when it cannot):
 * they are plain values (`NTSTATUS status`, not a pointer, a reference or a `P...` pointer type), bound to the
 * arguments by value, whose names the rest of the function does not use (the body's reads of a parameter
 * cannot be taken for the caller's variable of that name).
 */
function plainParams(lambda: SyntaxNode, fnText: string): string[] | undefined {
  const out: string[] = [];
  for (const p of lambda.childForFieldName('declarator')?.childForFieldName('parameters')?.namedChildren ?? []) {
    if (p.type === 'comment') continue;
    if (p.type !== 'parameter_declaration' && p.type !== 'optional_parameter_declaration') return undefined;
    const d = p.childForFieldName('declarator');
    const type = p.childForFieldName('type')?.text ?? '';
    if (!d) {
      if (type === 'void') continue;
      return undefined;
    }
    if (d.type !== 'identifier' || /^(?:P[A-Z]|LP[A-Z])|\*|&|\bauto\b|_PTR\b/.test(type)) return undefined;
    const word = new RegExp(`\\b${d.text}\\b`, 'g');
    if ((fnText.match(word)?.length ?? 0) > (lambda.text.match(word)?.length ?? 0)) return undefined;
    out.push(d.text);
  }
  return out;
}

/** A body that may define a lambda: a capture list followed by its parameters or its body (`[&](`, `[] {`). */
const LAMBDA_TEXT = /\[[^[\];]*\]\s*[({]/;

const INIT_DECLARATOR: ReadonlySet<string> = new Set(['init_declarator']);

/** The nodes of these types in a subtree, preorder, without recursion. */
const LABELED: ReadonlySet<string> = new Set(['labeled_statement']);

function nodesOfType(root: SyntaxNode, types: ReadonlySet<string>): SyntaxNode[] {
  const out: SyntaxNode[] = [];
  const stack: SyntaxNode[] = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (types.has(n.type)) out.push(n);
    const kids = n.namedChildren;
    for (let k = kids.length - 1; k >= 0; k--) stack.push(kids[k]!);
  }
  return out;
}

function finallyBody(tryStmt: SyntaxNode): SyntaxNode | undefined {
  const fc = tryStmt.namedChildren.find((c) => c.type === 'seh_finally_clause');
  return fc?.childForFieldName('body') ?? undefined;
}

function caseBody(c: SyntaxNode): SyntaxNode[] {
  const value = c.childForFieldName('value');
  return c.namedChildren.filter((x) => !value || x.id !== value.id);
}

/**
 * The condition an `#if`/`#ifdef`/`#ifndef`/`#elif` tests, as a key (`defined NAME` for `#ifdef NAME`,
 * `#ifndef NAME` and `#if defined(NAME)`; else the expression's text with its spaces collapsed), and the
 * truth of that key when the group is taken (false for `#ifndef`).
 */
export function ppCondition(s: SyntaxNode): { key: string; taken: boolean } | undefined {
  if (s.type === 'preproc_ifdef' || s.type === 'preproc_elifdef') {
    const name = s.childForFieldName('name')?.text;
    return name ? { key: `defined ${name}`, taken: !/^#\s*(?:el)?ifndef\b/.test(s.text) } : undefined;
  }
  const c = s.childForFieldName('condition');
  if (!c) return undefined;
  let text = c.text.replace(/\s+/g, ' ').trim();
  let taken = true;
  for (;;) {
    const paren = /^\((.*)\)$/.exec(text);
    if (paren && balanced(paren[1]!)) text = paren[1]!.trim();
    else if (/^!\s*[(\w]/.test(text) && (/^!\s*\w+$/.test(text) || /^!\s*defined\s*\(?\s*\w+\s*\)?$/.test(text) || (/^!\s*\((.*)\)$/.test(text) && balanced(text.slice(text.indexOf('(') + 1, -1))))) {
      text = text.slice(1).trim();
      taken = !taken;
    } else break;
  }
  const d = /^defined\s*\(?\s*(\w+)\s*\)?$/.exec(text);
  return { key: d ? `defined ${d[1]}` : text, taken };
}

/** The parentheses of `t` close in order (`a) && (b` is not a parenthesized expression). */
function balanced(t: string): boolean {
  let depth = 0;
  for (const ch of t) {
    if (ch === '(') depth++;
    else if (ch === ')' && --depth < 0) return false;
  }
  return depth === 0;
}

function preprocChildren(s: SyntaxNode): SyntaxNode[] {
  const skip = new Set<number>();
  for (const f of ['condition', 'name', 'alternative']) {
    const x = s.childForFieldName(f);
    if (x) skip.add(x.id);
  }
  return s.namedChildren.filter((x) => !skip.has(x.id));
}

export function buildCfg(fn: CfgFunction, opts: CfgOptions): Cfg {
  const b = new Builder(fn, opts);
  try {
    const end = b.stmt(fn.body, b.fall(0));
    b.connect(end, b.exit);
    b.resolveGotos();
  } catch (e) {
    if (!(e instanceof TruncatedError)) throw e;
  }
  const cfg: Cfg = { fn, nodes: b.nodes, entry: 0, exit: b.exit, raiseExit: b.raiseExit, hasErrors: b.hasErrors || fn.hasError, truncated: b.truncated };
  const lambdas = b.lambdaNames();
  if (lambdas) cfg.lambdas = lambdas;
  return cfg;
}

/** The label a jumping macro jumps to at a call: its own, or the one the call's argument names (`IF_TRUE_JUMP(c, Done)`). */
export function macroLabel(j: MacroJump, args: readonly AstNode[]): string | undefined {
  if (j.label !== undefined) return j.label;
  const a = j.labelArg !== undefined ? args[j.labelArg] : undefined;
  return a?.type === 'identifier' ? a.text : undefined;
}
