/**
 * SARIF 2.1.0 output, fit for GitHub code scanning upload (`github/codeql-action/upload-sarif`).
 *
 * - `tool.driver`: name `ddi-lint`, version, informationUri, and every rule (id, name, short and full
 *   description, helpUri, help text, default level); results refer to rules by `ruleIndex`.
 * - Locations are relative to the working directory with `uriBaseId: "%SRCROOT%"` (declared in
 *   `originalUriBaseIds`); files outside it get absolute `file://` URIs. Regions are 1-based, columns
 *   in UTF-16 code units (`columnKind`), the same as the lint messages.
 * - `partialFingerprints["ddiLintFingerprint/v1"]`: a hash of the rule id, the function, the flagged
 *   line's text with whitespace normalized, and the occurrence index of that triple in the file, so
 *   a finding keeps its identity when code above it moves.
 * - The explanation path (`LintMessage.path`) becomes `codeFlows[0].threadFlows[0].locations`.
 * - Suppressed findings are results with `suppressions: [{ kind: "inSource", justification }]`.
 * - Messages without a rule id (internal errors) and files that could not be read become
 *   `invocations[0].toolExecutionNotifications`.
 */
import { isAbsolute, relative, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type * as Sarif from 'sarif';
import { FingerprintRanks, hashKey } from './fingerprint.js';
import type { RuleMeta } from '../lint/rule.js';
import type { LintMessage, LintResult } from '../lint/types.js';

export const SARIF_SCHEMA = 'https://json.schemastore.org/sarif-2.1.0.json';
export const SRCROOT = '%SRCROOT%';
export const FINGERPRINT_KEY = 'ddiLintFingerprint/v1';

export interface SarifNotification {
  /** File the notification is about (absolute or relative to cwd). */
  filePath?: string;
  message: string;
  level: 'error' | 'warning' | 'note';
  line?: number;
  column?: number;
}

export interface SarifOptions {
  /** Directory URIs are made relative to (`%SRCROOT%`). */
  cwd: string;
  /** All rules known to the tool, in a stable order (their indexes are `ruleIndex`). */
  rules: readonly RuleMeta[];
  toolVersion: string;
  informationUri?: string;
  /** Source text of a linted file, for fingerprints and snippets (default: `result.source`). */
  getSourceText?: (filePath: string) => string | undefined;
  /** Problems that are not findings: unreadable files, internal errors. */
  notifications?: SarifNotification[];
  /** Command line, for `invocations[0].commandLine`. */
  commandLine?: string;
}

export const DEFAULT_INFORMATION_URI = 'https://github.com/ddi-lint/ddi-lint';

function level(severity: number): Sarif.Result.level {
  return severity >= 2 ? 'error' : severity === 1 ? 'warning' : 'none';
}

function defaultLevel(meta: RuleMeta): Sarif.ReportingConfiguration.level {
  return meta.defaultSeverity === 'error' ? 'error' : meta.defaultSeverity === 'warn' ? 'warning' : 'none';
}

/** `mdl-unmatched-lock` → `MdlUnmatchedLock` */
export function ruleName(id: string): string {
  return id
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w[0]!.toUpperCase() + w.slice(1))
    .join('');
}

function fullDescription(meta: RuleMeta): string {
  let text = meta.docs.description.trim();
  if (!/[.!?]$/.test(text)) text += '.';
  if (meta.simulator.validates === 'fault' && meta.simulator.bugChecks.length > 0) {
    text += ` Left unfixed, it leads to bug check ${meta.simulator.bugChecks.join(' or ')}.`;
  }
  if (meta.caWarnings && meta.caWarnings.length > 0) {
    text += ` Related Code Analysis warnings: ${meta.caWarnings.map((w) => `C${w}`).join(', ')}.`;
  }
  return text;
}

export function sarifRule(meta: RuleMeta): Sarif.ReportingDescriptor {
  const full = fullDescription(meta);
  return {
    id: meta.id,
    name: ruleName(meta.id),
    shortDescription: { text: meta.docs.description },
    fullDescription: { text: full },
    helpUri: meta.docs.url,
    help: {
      text: `${full}\nDocumentation: ${meta.docs.url}`,
      markdown: `${full}\n\nSee [${meta.id}](${meta.docs.url}) for incorrect and correct code and the rule's options.`,
    },
    defaultConfiguration: { level: defaultLevel(meta), enabled: meta.defaultSeverity !== 'off' },
    properties: {
      tags: [meta.type === 'problem' ? 'correctness' : 'maintainability', 'reliability', 'windows-kernel'],
      precision: 'high',
      'problem.severity': meta.defaultSeverity === 'error' ? 'error' : meta.defaultSeverity === 'warn' ? 'warning' : 'recommendation',
      ...(meta.caWarnings && meta.caWarnings.length > 0 ? { caWarnings: meta.caWarnings } : {}),
    },
  };
}

/** Percent-encode a path's segments for a URI reference, keeping '/'. */
function encodePath(p: string): string {
  return p
    .split('/')
    .map((s) => encodeURIComponent(s))
    .join('/');
}

export function artifactLocation(filePath: string, cwd: string): Sarif.ArtifactLocation {
  const abs = isAbsolute(filePath) ? filePath : `${cwd}${sep}${filePath}`;
  const rel = relative(cwd, abs);
  if (rel !== '' && !rel.startsWith('..') && !isAbsolute(rel)) {
    return { uri: encodePath(rel.split(sep).join('/')), uriBaseId: SRCROOT };
  }
  return { uri: pathToFileURL(abs).href };
}

function lineText(lines: string[] | undefined, line: number): string | undefined {
  if (!lines || line < 1 || line > lines.length) return undefined;
  return lines[line - 1]!.replace(/\r$/, '');
}

function region(m: { line: number; column: number; endLine?: number; endColumn?: number }, lines?: string[]): Sarif.Region {
  const r: Sarif.Region = { startLine: Math.max(1, m.line), startColumn: Math.max(1, m.column) };
  if (m.endLine !== undefined && m.endLine >= r.startLine!) {
    r.endLine = m.endLine;
    if (m.endColumn !== undefined && (m.endLine > r.startLine! || m.endColumn > r.startColumn!)) r.endColumn = m.endColumn;
  }
  const text = lineText(lines, r.startLine!);
  if (text !== undefined) r.snippet = { text };
  return r;
}

function fingerprintKey(m: LintMessage, lines: string[] | undefined): string {
  const text = (lineText(lines, m.line) ?? '').replace(/\s+/g, ' ').trim();
  return `${m.ruleId ?? ''}\u0000${m.function ?? ''}\u0000${text}`;
}

function resultFor(
  m: LintMessage,
  file: string,
  lines: string[] | undefined,
  occurrence: number,
  ruleIndex: Map<string, number>,
  cwd: string,
  suppressed: boolean,
): Sarif.Result {
  const loc: Sarif.Location = {
    physicalLocation: { artifactLocation: artifactLocation(file, cwd), region: region(m, lines) },
  };
  if (m.function) loc.logicalLocations = [{ name: m.function, kind: 'function' }];
  const result: Sarif.Result = {
    ruleId: m.ruleId!,
    level: level(m.severity),
    message: { text: m.message },
    locations: [loc],
    partialFingerprints: { [FINGERPRINT_KEY]: `${hashKey(fingerprintKey(m, lines), 32)}:${occurrence}` },
  };
  const idx = ruleIndex.get(m.ruleId!);
  if (idx !== undefined) result.ruleIndex = idx;
  if (m.path && m.path.length > 0) {
    result.codeFlows = [
      {
        threadFlows: [
          {
            locations: m.path.map((step, i) => {
              const stepFile = step.file ?? file;
              const tfl: Sarif.ThreadFlowLocation = {
                location: {
                  physicalLocation: {
                    artifactLocation: artifactLocation(stepFile, cwd),
                    region: region({ line: step.line, column: step.column }, stepFile === file ? lines : undefined),
                  },
                  message: { text: step.message },
                  ...(step.function ? { logicalLocations: [{ name: step.function, kind: 'function' }] } : {}),
                },
                executionOrder: i + 1,
              };
              return tfl;
            }),
          },
        ],
      },
    ];
  }
  if (suppressed) {
    result.suppressions = (m.suppressions && m.suppressions.length > 0 ? m.suppressions : [{ kind: 'directive', justification: '' }]).map((s) => {
      const sup: Sarif.Suppression = { kind: 'inSource' };
      if (s.justification) sup.justification = s.justification;
      return sup;
    });
  }
  return result;
}

/** Build a SARIF log from lint results. */
export function toSarif(results: readonly LintResult[], opts: SarifOptions): Sarif.Log {
  const ruleIndex = new Map<string, number>();
  const rules = opts.rules.map((meta, i) => {
    ruleIndex.set(meta.id, i);
    return sarifRule(meta);
  });
  const sarifResults: Sarif.Result[] = [];
  const notifications: Sarif.Notification[] = [];
  let internalFailure = false;
  for (const n of opts.notifications ?? []) {
    const note: Sarif.Notification = { level: n.level, message: { text: n.message } };
    if (n.filePath) {
      note.locations = [
        {
          physicalLocation: {
            artifactLocation: artifactLocation(n.filePath, opts.cwd),
            ...(n.line ? { region: { startLine: n.line, ...(n.column ? { startColumn: n.column } : {}) } } : {}),
          },
        },
      ];
    }
    notifications.push(note);
  }
  for (const r of results) {
    const text = opts.getSourceText?.(r.filePath) ?? r.source;
    const lines = text?.split('\n');
    const ranks = new FingerprintRanks(32);
    const occurrence = (m: LintMessage) => ranks.rank(fingerprintKey(m, lines));
    // Sort by position so occurrence indexes are stable whatever order the linter reported in.
    const all = [
      ...r.messages.map((m) => ({ m, suppressed: false })),
      ...r.suppressedMessages.map((m) => ({ m, suppressed: true })),
    ].sort((a, b) => a.m.line - b.m.line || a.m.column - b.m.column || String(a.m.ruleId).localeCompare(String(b.m.ruleId)));
    for (const { m, suppressed } of all) {
      if (m.ruleId === null || m.fatal) {
        // Internal errors (fatal) mean the file was not fully analyzed; other rule-less messages
        // (unused suppression directives) are reported as warnings about the configuration.
        if (m.fatal) internalFailure = true;
        notifications.push({
          level: m.fatal || m.severity === 2 ? 'error' : 'warning',
          message: { text: m.message },
          locations: [{ physicalLocation: { artifactLocation: artifactLocation(r.filePath, opts.cwd), region: region(m) } }],
        });
        continue;
      }
      sarifResults.push(resultFor(m, r.filePath, lines, occurrence(m), ruleIndex, opts.cwd, suppressed));
    }
  }
  const invocation: Sarif.Invocation = {
    executionSuccessful: !internalFailure,
    toolExecutionNotifications: notifications,
  };
  if (opts.commandLine) invocation.commandLine = opts.commandLine;
  const srcroot = pathToFileURL(opts.cwd).href;
  const run: Sarif.Run = {
    tool: {
      driver: {
        name: 'ddi-lint',
        version: opts.toolVersion,
        semanticVersion: opts.toolVersion,
        informationUri: opts.informationUri ?? DEFAULT_INFORMATION_URI,
        rules,
      },
    },
    invocations: [invocation],
    originalUriBaseIds: { [SRCROOT]: { uri: srcroot.endsWith('/') ? srcroot : `${srcroot}/` } },
    columnKind: 'utf16CodeUnits',
    results: sarifResults,
  };
  return { $schema: SARIF_SCHEMA, version: '2.1.0', runs: [run] };
}
