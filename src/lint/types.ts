/**
 * Result and rule types. Results follow ESLint's LintResult / LintMessage shape so that any ESLint
 * formatter can print them; ddi-lint adds the explanation path (`path`) to each message.
 */

export type Severity = 0 | 1 | 2;
export type SeverityName = 'off' | 'warn' | 'error';

/** One step of a finding's explanation: where the MDL was locked, which branches were taken, where it exits. */
export interface PathStep {
  line: number; // 1-based
  column: number; // 1-based
  /** What happens at this step: "locked here", "status failed", "returns". */
  message: string;
  /** Function the step is in, when it differs from the finding's function. */
  function?: string;
  /** File the step is in, when it differs from the finding's file. */
  file?: string;
}

export interface LintMessage {
  ruleId: string | null;
  severity: 1 | 2;
  message: string;
  messageId?: string;
  line: number; // 1-based
  column: number; // 1-based
  endLine?: number;
  endColumn?: number;
  nodeType?: string;
  fatal?: boolean;
  /** The function the finding is in. */
  function?: string;
  /** Explanation path (also rendered in the message). */
  path?: PathStep[];
  /** Placeholder values the message was built from. */
  data?: Record<string, string>;
  /** For suppressed messages, ESLint's shape. */
  suppressions?: { kind: 'directive'; justification: string }[];
}

export interface LintResult {
  filePath: string;
  messages: LintMessage[];
  suppressedMessages: LintMessage[];
  errorCount: number;
  warningCount: number;
  fatalErrorCount: number;
  fixableErrorCount: 0;
  fixableWarningCount: 0;
  source?: string;
  usedDeprecatedRules: [];
  /** ddi-lint extension: number of functions analyzed and how many held parse errors. */
  stats?: { functions: number; functionsWithParseErrors: number };
}

/** ESLint's `data` argument to formatters: `rulesMeta` keyed by rule id. */
export interface FormatterData {
  cwd: string;
  rulesMeta: Record<string, { type: string; docs: { description: string; url: string } }>;
}

/** A result with no messages, for a file that was not (or could not be) linted. */
export function emptyResult(filePath: string): LintResult {
  return {
    filePath,
    messages: [],
    suppressedMessages: [],
    errorCount: 0,
    warningCount: 0,
    fatalErrorCount: 0,
    fixableErrorCount: 0,
    fixableWarningCount: 0,
    usedDeprecatedRules: [],
  };
}
