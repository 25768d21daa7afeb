/**
 * Baselines (issue 7): adopt ddi-lint on code that already has findings.
 *
 * `--baseline-write FILE` records today's findings; `--baseline FILE` reports only the findings that
 * are not in it and says how many of its entries are gone (so the file can be tightened).
 *
 * A finding is identified by its file (relative to the working directory, `/`-separated), its rule and
 * messageId, and the text of the flagged line without its spacing, plus its rank among the
 * findings of the same file with the same identity. The line number and the function's name are not
 * part of it: lines inserted or removed above a finding, a reformatted line or a renamed function
 * leave it matched; editing the flagged statement makes it a new finding.
 */
import { readFileSync } from 'node:fs';
import { relative, sep } from 'node:path';
import type { LintMessage, LintResult } from '../lint/types.js';
import { FingerprintRanks } from '../report/fingerprint.js';
import { resultWith, type SourceLookup } from './source-texts.js';

export const BASELINE_VERSION = 1;

export interface BaselineEntry {
  /** File relative to the directory ddi-lint ran in, with `/` separators. */
  file: string;
  rule: string;
  messageId?: string;
  /** Function the finding was in when the baseline was written (informational). */
  function?: string;
  /** Line when the baseline was written (informational: not used to match). */
  line: number;
  fingerprint: string;
  message: string;
}

export interface BaselineFile {
  tool: 'ddi-lint';
  version: typeof BASELINE_VERSION;
  /** ddi-lint version that wrote it. */
  writtenBy: string;
  entries: BaselineEntry[];
}

export class BaselineError extends Error {}

const fileKey = (filePath: string, cwd: string): string => relative(cwd, filePath).split(sep).join('/');

/** The fingerprint of each finding of a file, in the order of its messages. */
export function fingerprints(messages: readonly LintMessage[], text: string | undefined): string[] {
  const lines = text?.split(/\r?\n/);
  const ranks = new FingerprintRanks(24);
  return messages.map((m) => {
    const lineText = (lines?.[m.line - 1] ?? '').replace(/\s+/g, '');
    return ranks.next(`${m.ruleId ?? ''}\u0000${m.messageId ?? ''}\u0000${lineText}`);
  });
}

/** The baseline of a run's results (`texts`: the source of each file with findings). */
export function baselineOf(results: readonly LintResult[], texts: SourceLookup, cwd: string, version: string): BaselineFile {
  const entries: BaselineEntry[] = [];
  for (const r of results) {
    const messages = r.messages.filter((m) => m.ruleId && !m.fatal);
    const fps = fingerprints(messages, texts.get(r.filePath));
    messages.forEach((m, i) => {
      const e: BaselineEntry = { file: fileKey(r.filePath, cwd), rule: m.ruleId!, line: m.line, fingerprint: fps[i]!, message: m.message };
      if (m.messageId) e.messageId = m.messageId;
      if (m.function) e.function = m.function;
      entries.push(e);
    });
  }
  entries.sort((a, b) => (a.file < b.file ? -1 : a.file > b.file ? 1 : a.line - b.line));
  return { tool: 'ddi-lint', version: BASELINE_VERSION, writtenBy: version, entries };
}

/** Read and check a baseline file; a clear one-line error otherwise. */
export function readBaseline(path: string): BaselineFile {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new BaselineError(`cannot read the baseline ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new BaselineError(`the baseline ${path} is not JSON: ${(e as Error).message}`);
  }
  const b = data as Partial<BaselineFile>;
  if (!b || typeof b !== 'object' || b.tool !== 'ddi-lint' || b.version !== BASELINE_VERSION || !Array.isArray(b.entries)) {
    throw new BaselineError(`the baseline ${path} is not a ddi-lint baseline of version ${BASELINE_VERSION} (write one with --baseline-write)`);
  }
  for (const e of b.entries) {
    if (!e || typeof e.file !== 'string' || typeof e.rule !== 'string' || typeof e.fingerprint !== 'string') {
      throw new BaselineError(`the baseline ${path} has a malformed entry: ${JSON.stringify(e).slice(0, 120)}`);
    }
  }
  return b as BaselineFile;
}

/**
 * Results with the findings of the baseline moved to `suppressedMessages` (justification: the baseline),
 * and the number of findings matched and of baseline entries no longer found.
 */
export function applyBaseline(
  results: readonly LintResult[],
  texts: SourceLookup,
  baseline: BaselineFile,
  cwd: string,
  label: string,
): { results: LintResult[]; matched: number; gone: BaselineEntry[] } {
  const left = new Map<string, BaselineEntry[]>();
  for (const e of baseline.entries) {
    const k = `${e.file}\u0000${e.fingerprint}`;
    const list = left.get(k) ?? [];
    list.push(e);
    left.set(k, list);
  }
  let matched = 0;
  const out = results.map((r) => {
    const file = fileKey(r.filePath, cwd);
    const findings = r.messages.filter((m) => m.ruleId && !m.fatal);
    const fps = fingerprints(findings, texts.get(r.filePath));
    const known = new Set<LintMessage>();
    findings.forEach((m, i) => {
      const list = left.get(`${file}\u0000${fps[i]}`);
      if (list && list.length) {
        list.pop();
        known.add(m);
      }
    });
    if (!known.size) return r;
    matched += known.size;
    const messages = r.messages.filter((m) => !known.has(m));
    const suppressed = [...known].map((m) => ({ ...m, suppressions: [{ kind: 'directive' as const, justification: `in the baseline ${label}` }] }));
    // (`resultWith`: a source read when asked stays so)
    return resultWith(r, {
      messages,
      suppressedMessages: [...r.suppressedMessages, ...suppressed],
      errorCount: messages.filter((m) => m.severity === 2).length,
      warningCount: messages.filter((m) => m.severity === 1).length,
    });
  });
  const gone = [...left.values()].flat();
  return { results: out, matched, gone };
}
