/**
 * `ddi-lint simulate FILE... [--entry NAME] [--irql LEVEL] [--verifier] [--format json]`
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { readSourceText } from '../parse/decode.js';
import { languageForPath, parseSource, type SourceFile } from '../parse/parser.js';
import { formatBugCheck } from './faults.js';
import { parseIrql, SimProgram, simulateFunction, tracePath, type FunctionSimResult, type SimulateOptions } from './simulate.js';
import type { TraceStep } from './interp.js';

export interface SimIo {
  stdout: (s: string) => void;
  stderr: (s: string) => void;
}

const HELP = `Usage: ddi-lint simulate FILE|DIR... [options]

Executes every path of each function of FILE against a model of the Windows kernel
(MDL state machine, IRQL, SEH, IRP completion) and reports each fault with the bug
check a real machine would show. Unknown values (parameters, results of unmodelled
calls, whether a probe raises or an allocation fails) fork the execution.

The files given (and the C/C++ sources of the directories given) are one program, as
for the linter: a call resolves to the calling file's own definition, else to the
only non-static definition in another file, and a helper's entry IRQL comes from its
callers in any file (role declarations and registrations are read from every file).
Faults are listed under the file that holds the function simulated.

Options:
  --entry NAME       simulate only function NAME (default: every function)
  --irql LEVEL       entry IRQL: PASSIVE_LEVEL, APC_LEVEL, DISPATCH_LEVEL or a number
                     (default: from the role type / _IRQL_requires_ annotation, else PASSIVE_LEVEL)
  --verifier         show Driver Verifier outcomes (default: plain kernel)
  --format FORMAT    text (default) or json
  --max-paths N      cap on paths per function (default 5000; reported when hit)
  --loop-bound N     unroll count: iterations entered on an unknown condition before a
                     path is abandoned (default 3; loops with a known trip count run it)
  --call-depth N     nesting of calls into functions of the program (default 3)
  --each-file        simulate each file alone, as a program of its own
  --all-paths        also list functions without faults (text format)
  -h, --help         show this help

Exit status: 0 no fault, 1 at least one faulting path, 2 usage or input error.
`;

interface Parsed {
  files: string[];
  opts: SimulateOptions;
  format: 'text' | 'json';
  all: boolean;
  help: boolean;
  eachFile: boolean;
}

function parseArgs(argv: string[]): Parsed | string {
  const p: Parsed = { files: [], opts: {}, format: 'text', all: false, help: false, eachFile: false };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const eq = a.indexOf('=');
    const name = a.startsWith('--') && eq > 0 ? a.slice(0, eq) : a;
    const inline = a.startsWith('--') && eq > 0 ? a.slice(eq + 1) : undefined;
    const value = (): string | undefined => inline ?? argv[++i];
    const intValue = (): number | string => {
      const v = value();
      const n = v === undefined ? NaN : Number(v);
      return Number.isInteger(n) && n > 0 ? n : `${name} needs a positive integer`;
    };
    switch (name) {
      case '-h':
      case '--help':
        p.help = true;
        break;
      case '--entry': {
        const v = value();
        if (!v) return '--entry needs a function name';
        p.opts.entry = v;
        break;
      }
      case '--irql': {
        const v = value();
        const n = v === undefined ? undefined : parseIrql(v);
        if (n === undefined || n < 0 || n > 31) return `--irql: unknown level ${v ?? ''}`;
        p.opts.irql = n;
        break;
      }
      case '--verifier':
        p.opts.verifier = true;
        break;
      case '--format': {
        const v = value();
        if (v !== 'json' && v !== 'text') return `--format must be text or json`;
        p.format = v;
        break;
      }
      case '--max-paths':
      case '--loop-bound':
      case '--call-depth': {
        const n = intValue();
        if (typeof n === 'string') return n;
        if (name === '--max-paths') p.opts.maxPaths = n;
        else if (name === '--loop-bound') p.opts.loopBound = n;
        else p.opts.callDepth = n;
        break;
      }
      case '--all-paths':
        p.all = true;
        break;
      case '--each-file':
        p.eachFile = true;
        break;
      default:
        if (a.startsWith('-') && a !== '-') return `unknown option ${a}`;
        p.files.push(a);
    }
  }
  return p;
}

interface JsonFault {
  kind: string;
  line: number;
  column: number;
  function: string;
  /** The file of the function the fault is in. */
  file: string;
  entryLine: number;
  message: string;
  bugCheck: string;
  plainBugCheck: string;
  verifierBugCheck: string;
  bugCheckDetail: unknown;
  occurrences: number;
  path: { decisions: { line: number; label: string }[]; length: number; steps: TraceStep[] };
}

export async function runSimulateCommand(argv: string[], io: SimIo): Promise<number> {
  const parsed = parseArgs(argv);
  if (typeof parsed === 'string') {
    io.stderr(`ddi-lint simulate: ${parsed}\n\n${HELP}`);
    return 2;
  }
  if (parsed.help) {
    io.stdout(HELP);
    return 0;
  }
  if (!parsed.files.length) {
    io.stderr(`ddi-lint simulate: no input file\n\n${HELP}`);
    return 2;
  }
  let anyFault = false;
  let inputError = false;
  const json: unknown[] = [];
  // Directories: their C/C++ sources, recursively.
  const files: string[] = [];
  const walk = (p: string, top: boolean) => {
    let st;
    try {
      st = statSync(p);
    } catch {
      if (top) files.push(p); // reported by the reader
      return;
    }
    if (st.isDirectory()) {
      for (const e of readdirSync(p).sort()) if (!e.startsWith('.') && e !== 'node_modules') walk(join(p, e), false);
    } else if (top || languageForPath(p)) files.push(p);
  };
  for (const f of parsed.files) walk(f, true);
  const sources: SourceFile[] = [];
  for (const file of files) {
    const r = await readSourceText(file);
    if (!r.ok) {
      io.stderr(`ddi-lint simulate: ${file}: ${r.reason}\n`);
      inputError = true;
      continue;
    }
    sources.push(parseSource(file, r.text));
  }
  // One program of every file (default), or one per file (--each-file).
  const programs = parsed.eachFile ? sources.map((s) => new SimProgram(s)) : sources.length ? [SimProgram.fromFiles(sources)] : [];
  if (parsed.opts.entry && programs.length && !parsed.eachFile && !programs[0]!.defs.some((d) => d.name === parsed.opts.entry)) {
    io.stderr(`ddi-lint simulate: no function named ${parsed.opts.entry}\n`);
    inputError = true;
  }
  for (const prog of programs) {
    for (const d of prog.tooDeep) io.stderr(`ddi-lint simulate: ${d.file}:${d.line}: function '${d.name}' nests ${d.depth} levels deep (more than the simulator walks): not simulated\n`);
    for (const src of prog.files) {
      const file = src.path;
      const defs = prog.defsOf(src).filter((d) => !parsed.opts.entry || d.name === parsed.opts.entry);
      if (parsed.opts.entry && !defs.length) {
        if (parsed.eachFile) {
          io.stderr(`ddi-lint simulate: ${file}: no function named ${parsed.opts.entry}\n`);
          inputError = true;
        }
        continue;
      }
      const results: { res: FunctionSimResult; traces: TraceStep[][] }[] = [];
      for (const def of defs) {
        const res = simulateFunction(prog, def, parsed.opts);
        const traces = res.faults.map((f) => tracePath(prog, def, f.path.choices, parsed.opts).trace);
        if (res.faults.length) anyFault = true;
        results.push({ res, traces });
      }
      if (parsed.format === 'json') {
        json.push({
          filePath: file,
          verifier: !!parsed.opts.verifier,
          functions: results.map(({ res, traces }) => ({
            function: res.function,
            line: res.line,
            entryIrql: res.entryIrql,
            irqlSource: res.irqlSource,
            paths: res.paths,
            faultingPaths: res.faultingPaths,
            ends: res.ends,
            capped: res.capped,
            error: res.error,
            faults: res.faults.map(
              (f, i): JsonFault => ({
                kind: f.kind,
                line: f.line,
                column: f.column,
                function: f.function,
                file: f.stack[0]?.file ?? file,
                entryLine: f.entryLine,
                message: f.message,
                bugCheck: formatBugCheck(f.bugCheck),
                plainBugCheck: formatBugCheck(f.plainBugCheck),
                verifierBugCheck: formatBugCheck(f.verifierBugCheck),
                bugCheckDetail: { plain: f.plainBugCheck, verifier: f.verifierBugCheck },
                occurrences: f.occurrences,
                path: { decisions: f.path.decisions, length: f.path.length, steps: traces[i] ?? [] },
              }),
            ),
          })),
        });
      } else {
        const lineCache = new Map<string, string[]>();
        const linesOf = (p: string) => {
          let l = lineCache.get(p);
          if (!l) lineCache.set(p, (l = (prog.files.find((f) => f.path === p) ?? src).text.split(/\r?\n/)));
          return l;
        };
        io.stdout(renderText(file, results, parsed.all, !!parsed.opts.verifier, linesOf));
      }
    }
  }
  if (parsed.format === 'json') io.stdout(JSON.stringify(json, null, 2) + '\n');
  if (inputError) return 2;
  return anyFault ? 1 : 0;
}

export function renderText(
  file: string,
  results: { res: FunctionSimResult; traces: TraceStep[][] }[],
  all: boolean,
  verifier: boolean,
  linesOf: (file: string) => string[],
): string {
  const lines = linesOf(file);
  const out: string[] = [];
  let faults = 0;
  for (const { res, traces } of results) {
    if (!res.faults.length && !all && !res.capped && !res.error) continue;
    const endNotes: string[] = [];
    if (res.ends['loop-bound']) endNotes.push(`${res.ends['loop-bound']} abandoned at the loop bound`);
    if (res.ends['step-bound']) endNotes.push(`${res.ends['step-bound']} abandoned at the step bound`);
    if (res.ends.exception) endNotes.push(`${res.ends.exception} end with an exception escaping to the callers (a helper: ${[...new Set(res.escapes.map((f) => `${f.kind} at line ${f.line}`))].join(', ')})`);
    if (res.capped) endNotes.push(`PATH CAP HIT: exploration incomplete`);
    if (res.error) endNotes.push(`INCOMPLETE: ${res.error}`);
    out.push(
      `${file}:${res.line}: ${res.function} — entry IRQL ${res.entryIrql} (${res.irqlSource}), ${res.paths} path(s), ${res.faultingPaths} faulting` +
        (endNotes.length ? `; ${endNotes.join('; ')}` : ''),
    );
    res.faults.forEach((f, i) => {
      faults++;
      const other = f.stack[0]?.file !== undefined && f.stack[0].file !== file ? ` of ${f.stack[0].file}` : '';
      const loc = f.function === res.function ? `line ${f.line}` : `line ${f.line} in ${f.function}${other} (called at line ${f.entryLine})`;
      out.push(`  ${f.fatal ? 'BUG CHECK' : 'FAULT'} ${f.kind} at ${loc}: ${f.message}`);
      out.push(`    ${verifier ? 'Driver Verifier' : 'plain kernel'}: ${formatBugCheck(f.bugCheck)}`);
      out.push(`    ${verifier ? 'plain kernel' : 'Driver Verifier'}: ${formatBugCheck(verifier ? f.plainBugCheck : f.verifierBugCheck)}`);
      out.push(`    shortest path (${f.path.length} statements, seen on ${f.occurrences} path(s)):`);
      if (f.path.decisions.length) {
        out.push(`      decisions: ${f.path.decisions.map((d) => `line ${d.line}: ${d.label}`).join('; ')}`);
      }
      let lastKey = '';
      for (const s of traces[i] ?? []) {
        const key = `${s.line}|${s.event}`;
        if (key === lastKey) continue;
        lastKey = key;
        const src = ((s.file !== undefined && s.file !== file ? linesOf(s.file) : lines)[s.line - 1] ?? '').trim();
        const evt = s.event === 'statement' || s.event === 'declaration' || s.event === 'if' ? src : s.event;
        out.push(`      ${String(s.line).padStart(5)}  IRQL ${s.irql}  ${evt.length > 90 ? evt.slice(0, 87) + '...' : evt}${s.mdls ? `   [${s.mdls}]` : ''}`);
      }
    });
  }
  if (!out.length) return `${file}: no faulting path (${results.reduce((a, r) => a + r.res.paths, 0)} paths in ${results.length} function(s))\n`;
  out.push(`${file}: ${faults} fault(s)`);
  return out.join('\n') + '\n';
}
