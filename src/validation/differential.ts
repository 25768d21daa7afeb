/**
 * Differential testing: lint and simulate generated programs, compare per (function, rule, line).
 * This harness may import both the linter and the simulator; the simulator itself imports neither.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { lintSource } from '../lint/linter.js';
import { parseSource } from '../parse/parser.js';
import { SimProgram, simulateFunction, type SimulateOptions } from '../sim/simulate.js';
import { features, generateProgram, render, shrinkCandidates, type GenProgram } from './generator.js';
import { classify, type KnownDifferentialImprecision } from './known.js';
import { RULE_FAULTS, rulesForFault } from './mapping.js';

export interface Key {
  function: string;
  rule: string;
  line: number;
}

export interface Disagreement extends Key {
  direction: 'fp' | 'fn';
  /** No explored path executes the line. */
  unreachable: boolean;
  /** The linter's explanation path goes through a line no explored path executes. */
  infeasibleLinterPath: boolean;
  simKinds: Set<string>;
  /** Fault kinds the simulator shows at the reported line (attributed to this function). */
  simKindsAtLine: Set<string>;
  /** Rules the linter reports at the reported line. */
  lintRulesAtLine: Set<string>;
  /** Every linter message of the function (all rules under test). */
  lintMessages: string[];
  /** First line of the function (helpers of the file come before the generated function). */
  functionLine: number;
  /** Fault kinds the simulator shows, by (attributed) line of the function. */
  simByLine: ReadonlyMap<number, ReadonlySet<string>>;
  /** The linter's message (fp) or the simulated fault and its path (fn). */
  detail: string;
  known?: KnownDifferentialImprecision;
}

export interface ProgramComparison {
  text: string;
  counts: Map<string, { tp: number; fp: number; fn: number }>;
  disagreements: Disagreement[];
  /** Functions whose exploration hit the path cap (excluded from the counts). */
  inconclusive: string[];
  paths: number;
}

export const DIFF_SIM_OPTIONS: SimulateOptions = { maxPaths: 4000, loopBound: 3, callDepth: 3 };

/**
 * Rules whose defects the generator does not produce yet (compared on neither side: a simulated fault that maps
 * only to them is not counted). Empty since the generator produces the four IRQL rules of session 4 (waits,
 * pageable code and paged pool at DISPATCH_LEVEL, IRQL not restored, unbalanced spin locks: its `lock-x`,
 * `raise-x`, `paged-call` and `paged-free` statements); a rule added to the linter before the generator knows it
 * goes here until it does.
 */
export const NOT_GENERATED_YET: readonly string[] = [];

export function rulesUnderTest(): string[] {
  return Object.keys(RULE_FAULTS).filter((r) => !NOT_GENERATED_YET.includes(r));
}

export function compareText(text: string, file = 'generated.c', feats?: ReadonlySet<string>): ProgramComparison {
  const src = parseSource(file, text);
  const lint = lintSource(src, { rules: Object.fromEntries(rulesUnderTest().map((r) => [r, { severity: 2 as const }])) });
  const prog = new SimProgram(src);
  const counts = new Map<string, { tp: number; fp: number; fn: number }>();
  for (const r of rulesUnderTest()) counts.set(r, { tp: 0, fp: 0, fn: 0 });
  const disagreements: Disagreement[] = [];
  const inconclusive: string[] = [];
  let paths = 0;
  // Each function simulated on its own first: a fault inside a callee that the callee shows on its own is the
  // callee's defect (reported there); any other fault inside a callee is caused by the caller's state and is
  // the caller's, at its call (the linter's cross-function summaries report it at the call line).
  const results = new Map(prog.defs.map((def) => [def, simulateFunction(prog, def, DIFF_SIM_OPTIONS)] as const));
  const own = new Set<string>();
  for (const [def, res] of results) for (const f of res.faults) if (f.function === def.name) own.add(`${f.function}|${f.kind}|${f.line}`);
  for (const def of prog.defs) {
    const res = results.get(def)!;
    paths += res.paths;
    if (res.capped || res.error) {
      inconclusive.push(def.name);
      continue;
    }
    const sim = new Map<string, string>();
    const simAt = new Map<number, Set<string>>();
    const mine = res.faults.filter((f) => f.function === def.name || !own.has(`${f.function}|${f.kind}|${f.line}`));
    const simKinds = new Set(mine.map((f) => f.kind as string));
    for (const f of mine) {
      if (!simAt.has(f.entryLine)) simAt.set(f.entryLine, new Set());
      simAt.get(f.entryLine)!.add(f.kind);
      for (const rule of rulesForFault(f.kind, f)) {
        // Rules not under test (NOT_GENERATED_YET) are compared on neither side.
        if (!counts.has(rule)) continue;
        const k = `${rule}|${f.entryLine}`;
        const where = f.function === def.name ? '' : ` (in ${f.function}, line ${f.line})`;
        if (!sim.has(k)) sim.set(k, `${f.kind}: ${f.message}${where}; path: ${f.path.decisions.map((d) => `${d.line}: ${d.label}`).join('; ') || '(no decisions)'}`);
      }
    }
    const lin = new Map<string, string>();
    const linPath = new Map<string, { line: number; message: string }[]>();
    for (const m of lint.messages) {
      if (!m.ruleId || !counts.has(m.ruleId)) continue;
      if (m.function !== def.name && !(m.line >= def.line && m.line <= def.endLine)) continue;
      lin.set(`${m.ruleId}|${m.line}`, m.message);
      if (m.path) linPath.set(`${m.ruleId}|${m.line}`, m.path);
    }
    const lintAt = (line: number) => new Set([...lin.keys()].filter((k) => k.endsWith(`|${line}`)).map((k) => k.split('|')[0]!));
    let logs: number[][] | null | undefined;
    const feasible = (msg: string, path: { line: number; message: string }[] | undefined): boolean => {
      const constraints = path ? pathConstraints(path, src.text) : linterBranches(msg, src.text);
      if (!constraints.length) return true;
      if (!logs) {
        // Every path, unmerged, with a generous unroll count: if none follows the linter's steps, they are infeasible.
        const r = simulateFunction(prog, def, { ...DIFF_SIM_OPTIONS, merge: false, logBranches: true, maxPaths: 20000, loopBound: 8 });
        logs = r.capped || r.ends['loop-bound'] ? null : r.branchLogs ?? [];
      }
      if (logs === null) return true; // exploration incomplete: no claim
      return logs.some((log) => isSubsequence(constraints, log));
    };
    for (const [k, msg] of lin) {
      const [rule, line] = k.split('|') as [string, string];
      const c = counts.get(rule)!;
      if (sim.has(k)) c.tp++;
      else {
        c.fp++;
        disagreements.push({
          function: def.name,
          rule,
          line: Number(line),
          direction: 'fp',
          detail: msg,
          unreachable: !res.covered.has(Number(line)),
          infeasibleLinterPath:
            (linPath.get(k)?.map((st) => st.line) ?? pathLines(msg)).some(
              (l) => l !== Number(line) && l !== def.endLine && l >= def.line && l <= def.endLine && !res.covered.has(l),
            ) ||
            // `N [va is NULL]` where the mapping call on line N-1 never returned NULL on any explored path
            [...msg.matchAll(/(\d+) \[va is NULL\]/g)].some((m) => !res.nullReturnLines.has(Number(m[1]) - 1)) ||
            // a first mapping succeeded, a later one (of the still-mapped MDL) "fails"
            /\[va is not NULL\].*\[va is NULL\]/s.test(msg) ||
            // no explored path takes the branches the linter's explanation takes, in that order
            !feasible(msg, linPath.get(k)),
          simKinds,
          simKindsAtLine: simAt.get(Number(line)) ?? new Set(),
          lintRulesAtLine: lintAt(Number(line)),
          lintMessages: [...lin.values()],
          functionLine: def.line,
          simByLine: simAt,
        });
      }
    }
    for (const [k, detail] of sim) {
      if (lin.has(k)) continue;
      const [rule, line] = k.split('|') as [string, string];
      counts.get(rule)!.fn++;
      disagreements.push({
        function: def.name,
        rule,
        line: Number(line),
        direction: 'fn',
        detail,
        unreachable: false,
        infeasibleLinterPath: false,
        simKinds,
        simKindsAtLine: simAt.get(Number(line)) ?? new Set(),
        lintRulesAtLine: lintAt(Number(line)),
        lintMessages: [...lin.values()],
        functionLine: def.line,
        simByLine: simAt,
      });
    }
  }
  if (feats) {
    for (const d of disagreements) d.known = classify({ ...d, features: feats });
  }
  return { text, counts, disagreements, inconclusive, paths };
}

/** The steps a linter explanation path (`LintMessage.path`) asserts, encoded as in {@link linterBranches}. */
export function pathConstraints(path: { line: number; message: string }[], text: string): number[] {
  const lines = text.split('\n');
  const out: number[] = [];
  for (const st of path) {
    if (/ locked by MmProbeAndLock/.test(st.message)) {
      out.push(st.line * 4 + 3);
      continue;
    }
    const cm = /^\s*(?:\}\s*else\s+)?if \((.*)\) \{?\s*$/.exec(lines[st.line - 1] ?? '');
    const taken = cm ? outcomeOf(st.message, cm[1]!.trim()) : undefined;
    out.push(taken === undefined ? st.line * 4 + 2 : st.line * 4 + (taken ? 1 : 0));
  }
  return out;
}

/** Whether an `if (cond)` is taken, from a linter step label about it ("x is NULL", "c is true"...). */
function outcomeOf(label: string, cond: string): boolean | undefined {
  let x: RegExpExecArray | null;
  if ((x = /^(.*) is (true|false)$/.exec(label)) && x[1] === cond) return x[2] === 'true';
  if ((x = /^(\w+) is (TRUE|FALSE)$/.exec(label))) {
    if (cond === x[1]) return x[2] === 'TRUE';
    if (cond === `!${x[1]}`) return x[2] === 'FALSE';
    return undefined;
  }
  if ((x = /^(\w+) is (not )?NULL$/.exec(label))) {
    const isNull = !x[2];
    if (cond === `${x[1]} == NULL`) return isNull;
    if (cond === `${x[1]} != NULL`) return !isNull;
    if (cond.startsWith(`${x[1]} != NULL && `) && isNull) return false;
    return undefined;
  }
  if ((x = /^status (succeeded|failed)$/.exec(label))) {
    if (cond === '!NT_SUCCESS(status)') return x[1] === 'failed';
    if (cond === 'NT_SUCCESS(status)') return x[1] === 'succeeded';
  }
  return undefined;
}

/**
 * The steps a linter explanation path asserts: `line * 4 + taken` for an `if` whose outcome its label states,
 * `line * 4 + 2` for any other executed line; outcomes are derived from the step labels
 * and the condition written on that line (only the forms the generator writes; others are skipped).
 */
export function linterBranches(message: string, text: string): number[] {
  const m = /\(path: ([^\n]*)\)/.exec(message);
  if (!m) return [];
  const lines = text.split('\n');
  const out: number[] = [];
  // "locked at line N": the path starts with a probe at N that succeeded.
  const lockedAt = /locked at line (\d+)/.exec(message);
  let first = true;
  for (const step of m[1]!.split('→')) {
    if (first && lockedAt && step.trim() === lockedAt[1]) {
      out.push(Number(lockedAt[1]) * 4 + 3);
      first = false;
      continue;
    }
    first = false;
    const sm = /^\s*(\d+)(?: \[(.*)\])?\s*$/.exec(step);
    if (!sm) continue;
    const line = Number(sm[1]);
    const label = sm[2] ?? '';
    const cm = /^\s*(?:\}\s*else\s+)?if \((.*)\) \{?\s*$/.exec(lines[line - 1] ?? '');
    if (!cm) {
      out.push(line * 4 + 2);
      continue;
    }
    const cond = cm[1]!.trim();
    let taken: boolean | undefined;
    let x: RegExpExecArray | null;
    if ((x = /^(.*) is (true|false)$/.exec(label)) && x[1] === cond) taken = x[2] === 'true';
    else if ((x = /^(\w+) is (TRUE|FALSE)$/.exec(label))) {
      if (cond === x[1]) taken = x[2] === 'TRUE';
      else if (cond === `!${x[1]}`) taken = x[2] === 'FALSE';
    } else if ((x = /^(\w+) is (not )?NULL$/.exec(label))) {
      const isNull = !x[2];
      if (cond === `${x[1]} == NULL`) taken = isNull;
      else if (cond === `${x[1]} != NULL`) taken = !isNull;
      else if (cond.startsWith(`${x[1]} != NULL && `) && isNull) taken = false;
    } else if ((x = /^status (succeeded|failed)$/.exec(label))) {
      if (cond === '!NT_SUCCESS(status)') taken = x[1] === 'failed';
      else if (cond === 'NT_SUCCESS(status)') taken = x[1] === 'succeeded';
    }
    out.push(taken === undefined ? line * 4 + 2 : line * 4 + (taken ? 1 : 0));
  }
  // the reported line itself ends the path; the explanation may name it with a closing-brace line
  return out;
}

export function isSubsequence(needle: number[], hay: number[]): boolean {
  let i = 0;
  for (const h of hay) if (h === needle[i] && ++i === needle.length) return true;
  return i === needle.length;
}

/** Line numbers of the explanation path in a linter message (`(path: 31 → 36 [mdl0 is not NULL] → 40)`). */
function pathLines(message: string): number[] {
  const m = /\(path: ([^)]*)\)/.exec(message);
  if (!m) return [];
  return [...m[1]!.matchAll(/(?:^|→)\s*(\d+)/g)].map((x) => Number(x[1]));
}

export function compareProgram(p: GenProgram): ProgramComparison {
  return compareText(render(p).text, `${p.name}.c`, features(p));
}

/**
 * Greedy shrinking: keep the smallest variant that still shows a disagreement of the same rule,
 * direction and classification (so the reproducer shows the same problem, not a simpler one).
 */
export function shrink(p: GenProgram, d: Pick<Disagreement, 'rule' | 'direction' | 'known'>, budget = 400): GenProgram {
  let cur = p;
  let tries = 0;
  for (let improved = true; improved && tries < budget; ) {
    improved = false;
    for (const cand of shrinkCandidates(cur)) {
      if (++tries > budget) break;
      const c = compareProgram(cand);
      if (c.disagreements.some((x) => x.rule === d.rule && x.direction === d.direction && x.known?.id === d.known?.id)) {
        cur = cand;
        improved = true;
        break;
      }
    }
  }
  return cur;
}

export interface DifferentialReport {
  seed: number;
  count: number;
  functions: number;
  paths: number;
  ms: number;
  table: {
    rule: string;
    tp: number;
    fp: number;
    fn: number;
    precision: number;
    recall: number;
    accepted: number;
    openBugs: number;
    /** Precision and recall once the accepted imprecisions are left out. */
    precisionInScope?: number;
    recallInScope?: number;
  }[];
  disagreements: (Disagreement & { program: string; index: number; reproducer?: string })[];
  inconclusive: number;
}

export interface DifferentialOptions {
  count: number;
  seed: number;
  /** Directory for reproducers (none written when undefined). */
  outDir?: string;
  shrink?: boolean;
  onProgress?: (done: number) => void;
}

export function runDifferential(o: DifferentialOptions): DifferentialReport {
  const t0 = performance.now();
  const totals = new Map<string, { tp: number; fp: number; fn: number }>();
  for (const r of rulesUnderTest()) totals.set(r, { tp: 0, fp: 0, fn: 0 });
  const disagreements: DifferentialReport['disagreements'] = [];
  let functions = 0;
  let paths = 0;
  let inconclusive = 0;
  if (o.outDir) mkdirSync(o.outDir, { recursive: true });
  for (let index = 0; index < o.count; index++) {
    const p = generateProgram(o.seed, index);
    const c = compareProgram(p);
    functions += render(p).functions.length;
    paths += c.paths;
    inconclusive += c.inconclusive.length;
    for (const [r, v] of c.counts) {
      const t = totals.get(r)!;
      t.tp += v.tp;
      t.fp += v.fp;
      t.fn += v.fn;
    }
    const seen = new Set<string>();
    for (const d of c.disagreements) {
      const entry: DifferentialReport['disagreements'][number] = { ...d, program: p.name, index };
      // One reproducer per program, rule and direction.
      const key = `${d.rule}|${d.direction}|${d.known?.id ?? ''}`;
      if (o.outDir && !seen.has(key)) {
        seen.add(key);
        const small = o.shrink === false ? p : shrink(p, d);
        const sc = compareProgram(small);
        const sd = sc.disagreements.find((x) => x.rule === d.rule && x.direction === d.direction && x.known?.id === d.known?.id) ?? d;
        const file = join(o.outDir, `${p.name}-${d.rule}-${d.direction}-${d.known?.id ?? 'unclassified'}.c`);
        const header =
          `/*\n * Disagreement (${d.direction === 'fp' ? 'linter reports, no simulated path faults' : 'a simulated path faults, the linter is silent'})\n` +
          ` * rule ${sd.rule}, function ${sd.function}, line ${sd.line}\n` +
          ` * generator: seed ${o.seed}, index ${index} (npm run validate -- --seed ${o.seed} --count ${index + 1})\n` +
          ` * classification: ${d.known ? `${d.known.id} (${d.known.status})` : 'UNCLASSIFIED'}\n` +
          ` * ${sd.detail.replace(/\*\//g, '* /').replace(/\n/g, '\n * ')}\n */\n`;
        writeFileSync(file, header + sc.text);
        entry.reproducer = file;
      }
      disagreements.push(entry);
    }
    o.onProgress?.(index + 1);
  }
  const table = [...totals].map(([rule, v]) => ({
    rule,
    ...v,
    precision: v.tp + v.fp === 0 ? 1 : v.tp / (v.tp + v.fp),
    recall: v.tp + v.fn === 0 ? 1 : v.tp / (v.tp + v.fn),
    accepted: disagreements.filter((d) => d.rule === rule && d.known?.status === 'accepted').length,
    openBugs: disagreements.filter((d) => d.rule === rule && d.known?.status === 'open-linter-bug').length,
  }));
  // The same figures with the accepted imprecisions (documented rule scope) left out.
  for (const t of table) {
    const accFp = disagreements.filter((d) => d.rule === t.rule && d.direction === 'fp' && d.known?.status === 'accepted').length;
    const accFn = disagreements.filter((d) => d.rule === t.rule && d.direction === 'fn' && d.known?.status === 'accepted').length;
    const fp = t.fp - accFp;
    const fn = t.fn - accFn;
    Object.assign(t, { precisionInScope: t.tp + fp === 0 ? 1 : t.tp / (t.tp + fp), recallInScope: t.tp + fn === 0 ? 1 : t.tp / (t.tp + fn) });
  }
  return { seed: o.seed, count: o.count, functions, paths, ms: performance.now() - t0, table, disagreements, inconclusive };
}

export function formatTable(r: DifferentialReport): string {
  const lines: string[] = [];
  lines.push(`seed ${r.seed}, ${r.count} programs (${r.functions} functions), ${r.paths} simulated paths in ${(r.ms / 1000).toFixed(1)} s` + (r.inconclusive ? `, ${r.inconclusive} function(s) inconclusive (path cap)` : ''));
  lines.push('');
  const pct = (x: number | undefined) => `${(100 * (x ?? 1)).toFixed(2)}%`;
  lines.push(
    `${'rule'.padEnd(24)} ${'TP'.padStart(6)} ${'FP'.padStart(6)} ${'FN'.padStart(6)} ${'precision'.padStart(10)} ${'recall'.padStart(8)}  ` +
      `${'excl. accepted: prec.'.padStart(22)} ${'recall'.padStart(8)}   FP+FN = accepted / open linter bugs / unclassified`,
  );
  for (const t of r.table) {
    const unclassified = t.fp + t.fn - t.accepted - t.openBugs;
    lines.push(
      `${t.rule.padEnd(24)} ${String(t.tp).padStart(6)} ${String(t.fp).padStart(6)} ${String(t.fn).padStart(6)} ${pct(t.precision).padStart(10)} ${pct(t.recall).padStart(8)}  ` +
        `${pct(t.precisionInScope).padStart(22)} ${pct(t.recallInScope).padStart(8)}   ${t.accepted} / ${t.openBugs} / ${unclassified}`,
    );
  }
  return lines.join('\n') + '\n';
}
