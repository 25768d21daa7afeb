/**
 * The rule API, in ESLint's shape: `meta` plus a checker. A checker does not walk the control-flow
 * graph itself: it reads the shared analysis of the function (observations at DDI calls and exits,
 * the CFG's try/except context) and reports.
 */
import type { FunctionInfo, SourceFile } from '../parse/parser.js';
import type { AstNode } from '../parse/lite.js';
import type { FunctionAnalysis } from '../analysis/mdl-analysis.js';
import type { Project } from '../analysis/project.js';
import type { PathStep, SeverityName } from './types.js';

export interface RuleMeta {
  id: string;
  type: 'problem' | 'suggestion';
  docs: {
    description: string;
    url: string;
    /** Part of the default rule set. */
    recommended: boolean;
  };
  /** Message templates by messageId, with `{{placeholder}}`s. */
  messages: Record<string, string>;
  defaultSeverity: SeverityName;
  /** JSON schema of the rule's options object (validated when the config is loaded). */
  schema: Record<string, unknown>;
  /** Default option values. */
  defaultOptions?: Record<string, unknown>;
  /**
   * How the runtime simulator validates this rule: 'fault' = every finding must correspond to a
   * simulated fault on a concrete path; otherwise the reason why no execution can show it.
   */
  simulator:
    | {
        validates: 'fault';
        bugChecks: string[];
        /** When the defect raises no bug check (a security hole, a silent corruption): what the simulated fault shows instead. */
        noBugCheck?: string;
      }
    | { validates: 'none'; reason: string };
  /** Code Analysis (PREfast) warning numbers this rule corresponds to, for `#pragma warning(suppress: N)`. */
  caWarnings?: number[];
  /**
   * Identifiers that must appear in a function for this rule to have anything to report there.
   * Functions that mention none of the active rules' triggers skip the dataflow analysis.
   */
  triggers?: string[];
}

export interface ReportDescriptor {
  /** Node to report at (its start), or an explicit 1-based position. */
  node?: AstNode;
  loc?: { line: number; column: number; endLine?: number; endColumn?: number };
  messageId: string;
  data?: Record<string, string | number>;
  path?: PathStep[];
}

export interface RuleContext {
  readonly file: SourceFile;
  readonly fn: FunctionInfo;
  readonly analysis: FunctionAnalysis;
  readonly options: Record<string, unknown>;
  /** The linted files as one program (helpers' summaries, call sites). */
  readonly project: Project;
  report(descriptor: ReportDescriptor): void;
}

export interface Rule {
  meta: RuleMeta;
  /** Called once per analyzed function. */
  check(context: RuleContext): void;
}

/** Replace `{{name}}` placeholders. Unknown placeholders are left as written. */
export function formatMessage(template: string, data: Record<string, string | number> | undefined): string {
  if (!data) return template;
  return template.replace(/\{\{\s*([A-Za-z0-9_]+)\s*\}\}/g, (m, key: string) => (key in data ? String(data[key]) : m));
}

export const DOCS_BASE = 'https://github.com/ddi-lint/ddi-lint/blob/main/docs/rules/';
export function docsUrl(id: string): string {
  return `${DOCS_BASE}${id}.md`;
}
