/**
 * Where a local variable stops mattering to the path-sensitive analyses, so that its entries can be
 * dropped from the abstract state instead of being carried (and compared, and keyed) to the end of
 * the function. A function with hundreds of MDL or system-address locals, each used in a few lines,
 * otherwise carries all of them in every state: quadratic in the function's length.
 *
 * The test is coarse and sound, and linear in the graph. The nodes are numbered in a reverse postorder;
 * `minReach[n]` is the smallest number of any node reachable from `n`, and `lastMention[x]` the largest
 * number of a node whose syntax names `x`. Every node reachable from `t` has a number of at least
 * `minReach[t]`, so a variable with `lastMention[x] < minReach[t]` is never named again on any path
 * through `t`: it is dead on entry to `t`. Inside a loop `minReach` is at most the loop head's number,
 * so a variable used in the loop stays alive through it.
 *
 * Soundness holds for any numbering; precision needs the code that leaves early (an error return, an
 * exception handler, a `goto` to the cleanup) numbered before the code that goes on, so that a variable
 * last named in an error path is not kept alive through the rest of the function. The depth-first walk
 * therefore takes a node's successors last to first: the fall-through of `if (!m) return` and the
 * normal edge of a raising call are finished first and so numbered after the early exits. A variable whose address is taken (`&x`) or that a C++ reference
 * may alias is never dropped: a write through the pointer would be a use the syntax does not show.
 */
import type { AstNode } from '../parse/lite.js';
import type { Cfg } from '../cfg/cfg.js';

export interface Liveness {
  /**
   * The variables dead on entry to `to` that may still be alive on leaving `from` (the only ones an
   * edge must drop: those dead earlier were dropped on an earlier edge), as a range [lo, hi) of ranks.
   */
  dyingOn(from: number, to: number): { lo: number; hi: number };
  /** The variable of rank `k`. */
  nameAt(k: number): string;
  /** The rank of a variable (-1: never dropped). */
  rankOf(name: string): number;
}

const NEVER: Liveness = { dyingOn: () => ({ lo: 0, hi: 0 }), nameAt: () => '', rankOf: () => -1 };

/**
 * `candidates`: the variables worth dropping (locals of the function, not parameters).
 */
export function liveness(cfg: Cfg, candidates: ReadonlySet<string>): Liveness {
  const n = cfg.nodes.length;
  if (candidates.size === 0 || n === 0) return NEVER;
  const order = earlyExitsFirst(cfg);
  const last = new Map<string, number>();
  const pinned = new Set<string>();
  for (const node of cfg.nodes) {
    const at = order[node.id]!;
    if (at >= n || !node.ast) continue;
    const stack: AstNode[] = [node.ast];
    while (stack.length) {
      const x = stack.pop()!;
      if (x.type === 'identifier') {
        if (candidates.has(x.text) && (last.get(x.text) ?? -1) < at) last.set(x.text, at);
        continue;
      }
      if (x.type === 'pointer_expression' && x.childForFieldName('operator')?.text === '&') {
        // `&x`, `&x.f`, `&x[i]`: the address of the variable escapes
        let a = x.childForFieldName('argument');
        while (a && (a.type === 'field_expression' || a.type === 'subscript_expression' || a.type === 'parenthesized_expression')) {
          a = a.type === 'parenthesized_expression' ? a.namedChild(0) : a.childForFieldName('argument');
        }
        if (a?.type === 'identifier') pinned.add(a.text);
      }
      if (x.type === 'reference_declarator' || x.type === 'init_declarator' && x.childForFieldName('declarator')?.type === 'reference_declarator') {
        // `T& r = x;`: r and x name one object; keep every variable of the initializer
        const v = x.childForFieldName('value');
        if (v) for (const id of identifiersIn(v)) pinned.add(id);
      }
      for (let i = x.namedChildCount - 1; i >= 0; i--) stack.push(x.namedChild(i)!);
    }
  }
  const minReach = minimumReachable(cfg, order);
  // the variables by the index of their last mention, for a range lookup per edge
  const vars = [...last].filter(([v]) => !pinned.has(v)).sort((a, b) => a[1] - b[1]);
  if (vars.length === 0) return NEVER;
  const at = vars.map(([, i]) => i);
  const names = vars.map(([v]) => v);
  const lowerBound = (k: number): number => {
    let lo = 0;
    let hi = at.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (at[mid]! < k) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  };
  const rank = new Map(names.map((v, k) => [v, k]));
  return {
    dyingOn(from, to) {
      const a = minReach[from]!;
      const b = minReach[to]!;
      if (b <= a) return { lo: 0, hi: 0 };
      return { lo: lowerBound(a), hi: lowerBound(b) };
    },
    nameAt: (k) => names[k]!,
    rankOf: (v) => rank.get(v) ?? -1,
  };
}

/** Reverse postorder of a depth-first walk that takes successors last to first (unreachable: n). */
export function earlyExitsFirst(cfg: Cfg): Int32Array {
  const n = cfg.nodes.length;
  const order = new Int32Array(n).fill(n);
  const seen = new Uint8Array(n);
  const post: number[] = [];
  const stack: { id: number; i: number }[] = [{ id: cfg.entry, i: cfg.nodes[cfg.entry]!.succs.length }];
  seen[cfg.entry] = 1;
  while (stack.length) {
    const top = stack[stack.length - 1]!;
    if (top.i > 0) {
      const to = cfg.nodes[top.id]!.succs[--top.i]!.to;
      if (!seen[to]) {
        seen[to] = 1;
        stack.push({ id: to, i: cfg.nodes[to]!.succs.length });
      }
    } else {
      post.push(top.id);
      stack.pop();
    }
  }
  for (let k = 0; k < post.length; k++) order[post[post.length - 1 - k]!] = k;
  return order;
}

/** The identifiers of an expression or statement, in no particular order, with repeats. */
export function identifiersIn(e: AstNode): string[] {
  const out: string[] = [];
  const stack = [e];
  while (stack.length) {
    const x = stack.pop()!;
    if (x.type === 'identifier') out.push(x.text);
    for (let i = 0; i < x.namedChildCount; i++) stack.push(x.namedChild(i)!);
  }
  return out;
}

/**
 * For each node, the smallest reverse-postorder index among the nodes it reaches (itself included).
 * Visiting indices in increasing order and walking predecessors from each, every node is settled by the
 * first walk that reaches it (that walk started from the smallest index it reaches), so each node and
 * edge is looked at once.
 */
export function minimumReachable(cfg: Cfg, order: Int32Array): Int32Array {
  const n = cfg.nodes.length;
  const preds: number[][] = cfg.nodes.map(() => []);
  for (const node of cfg.nodes) for (const e of node.succs) preds[e.to]!.push(node.id);
  const byOrder = new Int32Array(n).fill(-1);
  for (let id = 0; id < n; id++) if (order[id]! < n) byOrder[order[id]!] = id;
  const min = new Int32Array(n).fill(n);
  const stack: number[] = [];
  for (let k = 0; k < n; k++) {
    const start = byOrder[k]!;
    if (start < 0 || min[start]! < n) continue;
    min[start] = k;
    stack.push(start);
    while (stack.length) {
      const id = stack.pop()!;
      for (const p of preds[id]!) {
        if (min[p]! < n || order[p]! >= n) continue;
        min[p] = k;
        stack.push(p);
      }
    }
  }
  return min;
}
