/** Command-line parsing for `ddi-lint [options] [paths...]`. */
import { DEFAULT_SOURCE_CHARSET, sourceCharset } from '../parse/decode.js';

export interface CliOptions {
  patterns: string[];
  format: string;
  outputFile?: string;
  maxWarnings: number;
  quiet: boolean;
  /** `--rule id:severity`, in order. */
  rules: { id: string; severity: string }[];
  config?: string;
  printConfig?: string;
  printSchema: boolean;
  ignore: boolean;
  errorOnUnmatchedPattern: boolean;
  maxFileSizeMiB: number;
  /** `--source-charset NAME`: the code page of files that have no BOM and are not valid UTF-8 (canonical name). */
  sourceCharset: string;
  reportUnusedDisableDirectives: boolean;
  color?: boolean;
  /** `--threads N` (default 1: see the README, Benchmark). */
  threads?: number;
  /** `--shard i/N`: lint the i-th of N shards (1-based). */
  shard?: { index: number; count: number };
  /** `--progress` / `--no-progress`; undefined: on a terminal, outside CI. */
  progress?: boolean;
  /** `--cache`: reuse the results of files whose inputs did not change. */
  cache: boolean;
  cacheLocation?: string;
  /** `--baseline FILE`: report only findings not in it. */
  baseline?: string;
  /** `--baseline-write FILE`: record this run's findings. */
  baselineWrite?: string;
  /** `--summaries FILE`: the helper summaries of a `ddi-lint summarize` run. */
  summaries?: string;
  /** `ddi-lint summarize`: write the helper summaries to `out` instead of linting. */
  summarize?: boolean;
  out?: string;
  /** `--include-dir DIR` (`-I`), in order: searched for quoted includes after the including files' directories. */
  includeDirs: string[];
  /** `--no-follow-includes` sets false: included headers outside the linted files are not read. */
  followIncludes: boolean;
  version: boolean;
  help: boolean;
}

export class UsageError extends Error {}

export interface OptionSpec {
  names: string[];
  /** Name of the value, when the option takes one. */
  value?: string;
  apply(o: CliOptions, value: string): void;
}

function parseInteger(name: string, v: string, min: number): number {
  if (!/^-?\d+$/.test(v.trim())) throw new UsageError(`${name} needs an integer, got '${v}'`);
  const n = Number(v);
  if (n < min) throw new UsageError(`${name} must be at least ${min}, got ${n}`);
  return n;
}

/** Every option (exported so tests can check that --help documents each one). */
export const SPECS: OptionSpec[] = [
  { names: ['--format', '-f'], value: 'NAME|PATH', apply: (o, v) => (o.format = v) },
  { names: ['--output-file', '-o'], value: 'FILE', apply: (o, v) => (o.outputFile = v) },
  { names: ['--max-warnings'], value: 'N', apply: (o, v) => (o.maxWarnings = parseInteger('--max-warnings', v, -1)) },
  { names: ['--quiet'], apply: (o) => (o.quiet = true) },
  {
    names: ['--rule'],
    value: 'ID:SEVERITY',
    apply: (o, v) => {
      const m = /^\s*([^:\s]+)\s*:\s*(\S+)\s*$/.exec(v);
      if (!m) throw new UsageError(`--rule needs ID:SEVERITY (e.g. --rule mdl-probe-outside-try:warn), got '${v}'`);
      o.rules.push({ id: m[1]!, severity: m[2]! });
    },
  },
  { names: ['--config', '-c'], value: 'FILE', apply: (o, v) => (o.config = v) },
  { names: ['--print-config'], value: 'FILE', apply: (o, v) => (o.printConfig = v) },
  { names: ['--print-schema'], apply: (o) => (o.printSchema = true) },
  { names: ['--no-ignore'], apply: (o) => (o.ignore = false) },
  { names: ['--no-error-on-unmatched-pattern'], apply: (o) => (o.errorOnUnmatchedPattern = false) },
  { names: ['--max-file-size'], value: 'MIB', apply: (o, v) => (o.maxFileSizeMiB = parseInteger('--max-file-size', v, 1)) },
  {
    names: ['--source-charset'],
    value: 'NAME',
    apply: (o, v) => {
      const name = sourceCharset(v);
      if (!name) throw new UsageError(`--source-charset: unknown code page '${v}' (give an encoding label such as windows-1252, windows-1251, shift_jis, gbk, big5, euc-kr, or utf-8)`);
      o.sourceCharset = name;
    },
  },
  { names: ['--report-unused-disable-directives'], apply: (o) => (o.reportUnusedDisableDirectives = true) },
  { names: ['--threads'], value: 'N', apply: (o, v) => (o.threads = parseInteger('--threads', v, 1)) },
  {
    names: ['--shard'],
    value: 'I/N',
    apply: (o, v) => {
      const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(v);
      const index = m ? Number(m[1]) : NaN;
      const count = m ? Number(m[2]) : NaN;
      if (!m || count < 1 || index < 1 || index > count) throw new UsageError(`--shard needs I/N with 1 <= I <= N (e.g. --shard 2/3), got '${v}'`);
      o.shard = { index, count };
    },
  },
  { names: ['--progress'], apply: (o) => (o.progress = true) },
  { names: ['--no-progress'], apply: (o) => (o.progress = false) },
  { names: ['--cache'], apply: (o) => (o.cache = true) },
  { names: ['--cache-location'], value: 'PATH', apply: (o, v) => (o.cacheLocation = v) },
  { names: ['--baseline'], value: 'FILE', apply: (o, v) => (o.baseline = v) },
  { names: ['--baseline-write'], value: 'FILE', apply: (o, v) => (o.baselineWrite = v) },
  { names: ['--summaries'], value: 'FILE', apply: (o, v) => (o.summaries = v) },
  { names: ['--out'], value: 'FILE', apply: (o, v) => (o.out = v) },
  { names: ['--include-dir', '-I'], value: 'DIR', apply: (o, v) => o.includeDirs.push(v) },
  { names: ['--no-follow-includes'], apply: (o) => (o.followIncludes = false) },
  { names: ['--color'], apply: (o) => (o.color = true) },
  { names: ['--no-color'], apply: (o) => (o.color = false) },
  { names: ['--version', '-v'], apply: (o) => (o.version = true) },
  { names: ['--help', '-h'], apply: (o) => (o.help = true) },
];

export function defaultOptions(): CliOptions {
  return {
    patterns: [],
    format: 'stylish',
    maxWarnings: -1,
    quiet: false,
    rules: [],
    printSchema: false,
    ignore: true,
    errorOnUnmatchedPattern: true,
    maxFileSizeMiB: 64,
    sourceCharset: DEFAULT_SOURCE_CHARSET,
    reportUnusedDisableDirectives: false,
    cache: false,
    includeDirs: [],
    followIncludes: true,
    version: false,
    help: false,
  };
}

export function parseArgs(argv: readonly string[]): CliOptions {
  const o = defaultOptions();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      o.patterns.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('-') || arg === '-') {
      if (arg === '-') throw new UsageError(`reading from stdin ('-') is not supported; name the files to lint`);
      o.patterns.push(arg);
      continue;
    }
    const eq = arg.startsWith('--') ? arg.indexOf('=') : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const spec = SPECS.find((s) => s.names.includes(name));
    if (!spec) throw new UsageError(`unknown option '${name}' (see ddi-lint --help)`);
    if (spec.value) {
      let value: string | undefined;
      if (eq > 0) value = arg.slice(eq + 1);
      else {
        value = argv[i + 1];
        if (value === undefined || (value.startsWith('-') && value !== '-' && !/^-\d+$/.test(value))) {
          throw new UsageError(`option ${name} needs a value (${spec.value})`);
        }
        i++;
      }
      if (value === '') throw new UsageError(`option ${name} needs a value (${spec.value})`);
      spec.apply(o, value);
    } else {
      if (eq > 0) throw new UsageError(`option ${name} takes no value`);
      spec.apply(o, '');
    }
  }
  return o;
}
