/**
 * The `ddi-lint` command, independent of which linter and rules it drives (so it can be tested with
 * a fake engine). `main.ts` binds it to the real linter.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { batched, jsonChunks, writeFileInPieces } from '../report/json-chunks.js';
import { dirname, relative, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ConfigError, ConfigResolver, CONFIG_FILE_NAME, parseSeverity, severityName, type RuleLike } from '../lint/config.js';
import { emptyResult, type FormatterData, type LintMessage, type LintResult, type Severity } from '../lint/types.js';
import type { RuleMeta } from '../lint/rule.js';
import type { IrqlContract } from '../ddi/irql.js';
import { readSourceText } from '../parse/decode.js';
import { StoredText } from '../parse/stored-text.js';
import { includedFiles } from '../parse/includes.js';
import { SOURCE_EXTENSIONS } from '../parse/parser.js';
import { unusedDirectiveMessages } from '../lint/suppressions.js';
import { applyBaseline, baselineOf, BaselineError, readBaseline, type BaselineFile } from './baseline.js';
import { cacheKeys, cachePath, LintCache } from './cache.js';
import { Progress, type ProgressSink } from './progress.js';
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { toSarif, type SarifNotification } from '../report/sarif.js';
import type { ThreadOutcome, ThreadRequest } from './threads.js';
import { parseArgs, UsageError, type CliOptions } from './args.js';
import { IgnoreChecker, listFiles } from './files.js';
import { FormatterError, loadFormatter, type FormatterFunction } from './formatters.js';
import { packageInfo } from './package-info.js';
import { resultWith, SourceTexts, withSource, type SourceLookup } from './source-texts.js';

export interface CliIO {
  stdout: { write(s: string): unknown };
  stderr: { write(s: string): unknown };
  cwd: string;
}

export interface LintEngine {
  rules: readonly RuleLike[];
  lintText(
    text: string,
    filePath: string,
    options: {
      rules: Record<string, { severity: Severity; options?: Record<string, unknown> }>;
      project?: unknown;
      /** The run's IRQL contracts from the config files; given only when there is no `project` and there are some. */
      irqlContracts?: Readonly<Record<string, IrqlContract>>;
    },
  ): LintResult | Promise<LintResult>;
  /**
   * Lint in worker threads (`--threads N`; the real engine's pool is `src/cli/threads.ts`): every input is
   * part of the program, the jobs are the files to lint. Resolves to each job's result or error (a job
   * without one is linted on this thread) with lines for stderr, or undefined when the threads could not
   * run (every file is then linted on this thread).
   */
  lintInThreads?(req: ThreadRequest): Promise<ThreadOutcome | undefined>;
  /**
   * Called once with every file of the run before any is linted: the engine computes what spans files
   * (helper summaries, the IRQL contract table); its result is passed back to `lintText` as
   * `options.project`. `options.irqlContracts`: the `irqlContracts` of every config file of the run,
   * merged (empty when there are none). May return a promise (the engine lets the event loop turn while
   * it parses). `options.onHeld`: the engine may call it for a file whose text the result holds from then
   * on, with a function that gives that text: the caller reads the text there and drops its own copy.
   */
  prepare?(inputs: readonly { path: string; text: string }[], root: string, options?: { irqlContracts: Readonly<Record<string, IrqlContract>>; summaries?: unknown; onHeld?: (path: string, text: () => string) => void }): unknown;
  /**
   * The summary pre-pass (`ddi-lint summarize --out FILE`, `--summaries FILE`, worker threads): a store of
   * helper summaries that `prepare` fills and reuses (option `summaries`), written to and read from text
   * with paths relative to `root`. `read` throws an Error with a one-line message for a file it cannot use.
   */
  summaries?: {
    create(): unknown;
    write(store: unknown, root: string): string;
    read(text: string, root: string): unknown;
    /** How many summaries the store gave and how many were computed, since it was created or read. */
    stats(store: unknown): { reused: number; computed: number };
  };
}

/** Subcommands: `ddi-lint NAME ...` loads the module and calls the function with the rest of argv. */
export const SUBCOMMANDS: Record<string, { module: string; fn: string; summary: string; usage?: string }> = {
  simulate: {
    module: '../sim/cli.js',
    fn: 'runSimulateCommand',
    usage: 'FILE... [options]',
    summary: "Execute each function's paths against a model of the Windows kernel and report the bug checks they would cause.",
  },
};

/** The shard (1-based) a file belongs to: a stable hash of its path relative to the working directory. */
export function shardOf(cwd: string, file: string, count: number): number {
  const rel = relative(cwd, file).split(sep).join('/');
  return (createHash('sha256').update(rel).digest().readUInt32BE(0) % count) + 1;
}

/** What `--shard i/N` writes and `ddi-lint merge` reads. */
export interface ShardFile {
  tool: 'ddi-lint';
  version: string;
  shard: { index: number; count: number };
  results: LintResult[];
  texts: Record<string, string>;
  notifications: SarifNotification[];
  /** A usage error or an internal failure in the shard (the merged exit code is 2). */
  failed: boolean;
  skipped: number;
}

export const EXIT_OK = 0;
export const EXIT_FINDINGS = 1;
export const EXIT_ERROR = 2;

function wrap(text: string, width: number, indent: string): string {
  const words = text.split(/\s+/).filter(Boolean);
  const lines: string[] = [];
  let cur = '';
  for (const w of words) {
    if (cur && cur.length + 1 + w.length > width) {
      lines.push(cur);
      cur = w;
    } else cur = cur ? `${cur} ${w}` : w;
  }
  if (cur) lines.push(cur);
  return lines.join(`\n${indent}`);
}

export function helpText(rules: readonly RuleLike[]): string {
  const opt = (flags: string, text: string) => {
    const pad = 34;
    const head = `  ${flags}`;
    const body = wrap(text, 78 - pad, ' '.repeat(pad));
    return head.length >= pad ? `${head}\n${' '.repeat(pad)}${body}` : `${head.padEnd(pad)}${body}`;
  };
  const ruleLines = rules.map((r) => {
    const m: RuleMeta = r.meta;
    const body = wrap(`${m.docs.description} [default: ${m.defaultSeverity}]`, 52, ' '.repeat(28));
    // a rule id as wide as the column gets its description on the next line
    return m.id.length >= 26 ? `  ${m.id}\n${' '.repeat(28)}${body}` : `  ${m.id.padEnd(26)}${body}`;
  });
  const caRules = rules.filter((r) => r.meta.caWarnings && r.meta.caWarnings.length > 0).map((r) => `${r.meta.id}: ${r.meta.caWarnings!.map((w) => `C${w}`).join(', ')}`);
  const subUsage = [...Object.entries(SUBCOMMANDS).map(([name, sub]) => `       ddi-lint ${name} ${sub.usage ?? '[options]'}`), '       ddi-lint merge SHARD.json... [--format F] [-o FILE] [--max-warnings N]', '       ddi-lint summarize [options] [paths...] --out FILE', '       ddi-lint --lsp'];
  const subLines = [
    ...Object.entries(SUBCOMMANDS).map(([name, sub]) => opt(name, `${sub.summary} See ddi-lint ${name} --help.`)),
    opt('merge', 'Combine the outputs of --shard runs into one result set (one SARIF run), then apply the formatter, --quiet and --max-warnings once.'),
    opt('summarize', 'Compute the cross-file helper summaries of the paths (the pre-pass of a sharded or threaded run) and write them to --out FILE, for --summaries FILE.'),
  ];
  const para = (text: string, indent = '') => indent + wrap(text, 78 - indent.length, indent);
  return [
    'Usage: ddi-lint [options] [file|directory|glob ...]',
    ...subUsage,
    '',
    para('Static analysis of Windows kernel-mode driver sources (C/C++): the MDL page-locking contract of MmProbeAndLockPages and IRQL discipline.'),
    '',
    para(
      `Paths default to the current directory. Directories are searched recursively for ${SOURCE_EXTENSIONS.join(' ')} files; a file named explicitly is linted whatever its extension (as C unless the extension is a C++ one). Quote globs ('src/**/*.c') so that ddi-lint expands them. Files excluded by .gitignore files (nested ones too, as git applies them) or by the configuration's ignorePatterns are skipped; .git and node_modules directories are never searched.`,
    ),
    '',
    'Commands:',
    ...subLines,
    opt('--lsp', 'Start the language server on stdin/stdout (JSON-RPC; editors launch it: see the README, section Editors). Diagnostics while typing, code actions, simulated paths.'),
    '',
    'Options:',
    opt(
      '-f, --format NAME|PATH',
      `Output format: stylish (default), json, unix, visualstudio (Visual Studio / MSBuild error list), junit, codeframe, sarif (SARIF 2.1.0, for GitHub code scanning), any installed eslint-formatter-NAME package (looked up from the current directory), or the path of a formatter module.`,
    ),
    opt('-o, --output-file FILE', 'Write the report to FILE instead of standard output.'),
    opt('--max-warnings N', 'Exit with code 1 when there are more than N warnings (default -1: no limit). Warnings hidden by --quiet still count.'),
    opt('--quiet', 'Report errors only, not warnings.'),
    opt('--threads N', 'Lint in N worker threads (default 1). The files are shared out among the threads; each parses its share once and hands the others the files the cross-file analysis needs, so the findings are those of one thread. Each thread holds the whole program, so memory grows with N; whether it is faster depends on the tree (README, Benchmark).'),
    opt('--shard I/N', 'Lint only the I-th of N shards (files picked by a stable hash of their path): every file is still read, so the cross-file analysis, and every finding, is the same whatever N. Writes JSON for ddi-lint merge (to --output-file or stdout).'),
    opt('--progress', 'Show a progress bar on stderr (files done, files/s, time left). Default: on a terminal for runs over a second, never when the CI environment variable is set.'),
    opt('--no-progress', 'Never show the progress bar.'),
    opt('--cache', 'Lint only the files whose inputs changed since the last --cache run: the file, its configuration, ddi-lint and its tables, and the files it shares functions or macros with (the cross-file analysis); reuse the others\' results.'),
    opt('--cache-location PATH', 'The cache file, or a directory to hold .ddi-lint-cache (default: .ddi-lint-cache in the current directory).'),
    opt('--baseline-write FILE', "Record this run's findings in FILE (JSON: file, rule, function and a fingerprint of the flagged line that survives line shifts, reformatting and renamed functions)."),
    opt('--summaries FILE', 'Reuse the helper summaries in FILE, written by ddi-lint summarize --out FILE (on this or another checkout of the same sources): only the functions whose summary inputs changed are analysed again for it. The findings are the same with or without it.'),
    opt('--baseline FILE', 'Report only the findings that are not in the baseline FILE, and say how many of its entries are no longer found (fixed or changed: write the baseline again to tighten it). The findings it holds are kept as suppressed (json, sarif).'),
    opt('--rule ID:SEVERITY', 'Set a rule to off, warn or error (or 0, 1, 2) for all files, over any configuration file. Repeatable.'),
    opt('-c, --config FILE', `Use FILE as the configuration of every linted file instead of looking up ${CONFIG_FILE_NAME} files.`),
    opt('--print-config FILE', 'Print the configuration that applies to FILE (rules, options, ignore patterns, whether FILE is ignored, IRQL contracts) as JSON, then exit.'),
    opt('--print-schema', `Print the JSON schema of ${CONFIG_FILE_NAME} (for editor completion), then exit.`),
    opt('-I, --include-dir DIR', 'Search DIR for the headers named by #include "..." after the including files\' own directories (as the compiler\'s /I). Repeatable.'),
    opt('--no-follow-includes', 'Do not read included headers that are not among the linted files. By default a header that a linted file includes with #include "..." (found, case-insensitively, in the directory of the file that includes it, of the files that included that one, or of --include-dir) joins the program: its macros, declarations and inline functions are known to the files that include it, and it is not linted itself.'),
    opt('--no-ignore', 'Lint files even when .gitignore or ignorePatterns exclude them.'),
    opt('--no-error-on-unmatched-pattern', 'A path or glob that matches no file is not an error.'),
    opt('--max-file-size MIB', 'Skip (with a message) files larger than MIB mebibytes (default 64).'),
    opt('--source-charset NAME', 'The code page of source files that have no byte order mark and are not valid UTF-8, as the compiler\'s /source-charset: any encoding label (windows-1252, windows-1251, shift_jis, gbk, big5, euc-kr...). Default windows-1252, the code page the compiler reads such a file in on a Western-European or US system. utf-8: such files are skipped with a message.'),
    opt('--report-unused-disable-directives', 'Report, as errors, ddi-lint-disable comments that suppress nothing and rule ids in them that name no rule.'),
    opt('--color, --no-color', 'Force colored output on or off (stylish, codeframe).'),
    opt('-v, --version', 'Print the version, then exit.'),
    opt('-h, --help', 'Print this help, then exit.'),
    '',
    `Configuration file: ${CONFIG_FILE_NAME}`,
    '  {',
    '    "root": true,',
    '    "rules": {',
    '      "mdl-probe-outside-try": "warn",',
    '      "mdl-unmatched-lock": ["error", { }]',
    '    },',
    '    "ignorePatterns": ["generated/", "*.tmh"],',
    '    "irqlContracts": {',
    '      "MyDrvWaitForDevice": { "max": 1, "source": "mydrv.h" }',
    '    }',
    '  }',
    para(
      `Severities are "off", "warn", "error" or 0, 1, 2; ["severity", {options}] also sets the rule's options. For each file, the ${CONFIG_FILE_NAME} files of its directory and of every parent directory up to one with "root": true apply; nearer files override farther ones rule by rule. ignorePatterns use .gitignore syntax, relative to the configuration file's directory. An invalid configuration (not JSON, unknown key or rule, bad severity or options) is an error naming the file and the key.`,
      '  ',
    ),
    para(
      `irqlContracts gives the IRQL contract of the driver's own routines, or corrects a built-in one (the entry replaces it): min, max (IRQL 0..31), when (conditions on arguments), effect (raise, lower, acquire, release, callback-at), source; see --print-schema. The IRQL analysis spans all linted files, so the irqlContracts of every configuration file of the run form one table; two files may define the same routine only identically (otherwise it is a configuration error naming both).`,
      '  ',
    ),
    '',
    'Inline suppressions (in // or /* */ comments):',
    '  // ddi-lint-disable-next-line RULE[, RULE...] -- reason',
    '  code(); // ddi-lint-disable-line RULE -- reason',
    '  /* ddi-lint-disable RULE */ ... /* ddi-lint-enable RULE */',
    '  code(); // NOLINT(ddi-lint/RULE[, ddi-lint/RULE...]) reason',
    '  // NOLINTNEXTLINE(ddi-lint/RULE) reason    (clang-tidy style; ddi-lint/*: all)',
    para(
      'Without rule ids a directive applies to all rules. Suppressed findings are not reported; they are kept as suppressedMessages (json) and as suppressed results with the reason as justification (sarif).',
      '  ',
    ),
    ...(caRules.length > 0
      ? [
          para(
            `Code Analysis (PREfast) pragmas suppress the rules that correspond to the warning: #pragma warning(suppress: N) for the next line, #pragma warning(disable: N) until #pragma warning(default: N) or a #pragma warning(pop); N is the number or its <CodeAnalysis/warnings.h> name (__WARNING_IRQ_TOO_HIGH for 28121), several separated by spaces; the comment on the pragma's line is the reason. ${caRules.join('; ')}.`,
            '  ',
          ),
        ]
      : []),
    '',
    'Rules:',
    ...ruleLines,
    '',
    'Input problems:',
    para(
      'A path that does not exist, or a directory or glob without any source file, is a usage error (exit code 2; the other paths are still linted). A file that cannot be read, is binary, or is too large gets one line on standard error naming it and is skipped (UTF-8, UTF-16 with a byte order mark, and, for a file that is neither, the code page of --source-charset are read); this does not change the exit code, unless no file at all could be linted (exit code 2). Empty files get a note and no findings. A rule that fails on a function yields an internal-error message for that function (exit code 2); the other functions and files are still linted.',
      '  ',
    ),
    '',
    'Environment:',
    para(
      'CI: set, no progress bar unless --progress. DDI_LINT_NO_WORKER=1: run the command on the main thread (it runs in a worker thread whose heap has a 24 MiB young generation, to keep memory down), for instance to give node heap flags of your own.',
      '  ',
    ),
    '',
    'Exit codes:',
    '  0  no errors, and no more warnings than --max-warnings allows',
    '  1  at least one error, or more warnings than --max-warnings',
    '  2  usage or configuration error, no file could be linted, or internal error',
    '',
  ].join('\n');
}

/**
 * A file of the run as read: its text, or why it could not be read. Every text is read before any file is
 * linted (the program spans files) and held once: here until the program holds the file (`prepare`'s
 * `onHeld`), then read from the program's copy; and no longer once the file is linted (a result that shows
 * it keeps its own reference). The engine is given views (`view`), which hold no text of their own.
 */
class RunInput {
  private own: string | undefined;
  private held: (() => string) | undefined;
  private stored: StoredText | undefined;
  constructor(
    readonly file: string,
    text: string | undefined,
    readonly reason?: string,
  ) {
    this.own = text;
  }
  /** The text; undefined when the file could not be read (`reason`), or once released. */
  get text(): string | undefined {
    return this.own ?? this.stored?.whole() ?? this.held?.();
  }
  /** The program holds the text (the same text): read it from there. */
  handOver(text: () => string): void {
    this.held = text;
    this.own = undefined;
  }
  /** The program is made without this file's text: it is kept compressed until the file is linted (see stored-text.ts). */
  keepCompressed(): void {
    if (this.own === undefined) return;
    this.stored = new StoredText(this.own);
    this.own = undefined;
  }
  /** The file is linted: its text is not read again. */
  release(): void {
    this.own = undefined;
    this.held = undefined;
    this.stored = undefined;
  }
  /** The file as the engine takes it (a readable file): its text is read through this input, not kept twice. */
  view(): { path: string; text: string } {
    const input = this;
    return {
      path: this.file,
      get text(): string {
        const text = input.text;
        if (text === undefined) throw new Error(`${input.file}: the text was read after the file was linted`);
        return text;
      },
    };
  }
}

function displayPath(cwd: string, p: string): string {
  const rel = relative(cwd, p);
  return rel === '' ? '.' : rel.startsWith('..') ? p : rel;
}

function configErrorText(e: ConfigError, cwd: string): string {
  const file = displayPath(cwd, resolve(cwd, e.file));
  return `ddi-lint: configuration error in ${file}: ${e.key ? `${e.key}: ` : ''}${e.detail}`;
}

function countMessages(messages: LintMessage[]): { errorCount: number; warningCount: number; fatalErrorCount: number } {
  let errorCount = 0;
  let warningCount = 0;
  let fatalErrorCount = 0;
  for (const m of messages) {
    if (m.fatal) fatalErrorCount++;
    if (m.severity === 2) errorCount++;
    else warningCount++;
  }
  return { errorCount, warningCount, fatalErrorCount };
}


function internalErrorResult(filePath: string, e: unknown): LintResult {
  const err = e as Error;
  const where = err?.stack?.split('\n')[1]?.trim();
  const message: LintMessage = {
    ruleId: null,
    severity: 2,
    fatal: true,
    message: `internal error while linting this file: ${err?.message ?? String(e)}${where ? ` (${where})` : ''}`,
    line: 1,
    column: 1,
  };
  return { ...emptyResult(filePath), messages: [message], errorCount: 1, fatalErrorCount: 1 };
}

function ruleMetaData(rules: readonly RuleLike[], cwd: string): FormatterData {
  const rulesMeta: FormatterData['rulesMeta'] = {};
  for (const r of rules) rulesMeta[r.meta.id] = { type: r.meta.type, docs: { description: r.meta.docs.description, url: r.meta.docs.url } };
  return { cwd, rulesMeta };
}

/** The pieces of `JSON.stringify(value, null, space)` and a newline (see json-chunks.ts). */
function* jsonLine(value: unknown, space: number, levels: number): Generator<string> {
  yield* jsonChunks(value, space, levels);
  yield '\n';
}

/**
 * Write the output to `--output-file` (its directory made) or to standard output, a batch of pieces at a
 * time. On standard output, text that does not end with a newline gets one (`newlineOnStdout`), and empty
 * output writes nothing. False (after saying why on standard error) when the file cannot be written.
 */
function writeOutput(io: CliIO, outputFile: string | undefined, pieces: Iterable<string>, newlineOnStdout: boolean): boolean {
  if (outputFile) {
    try {
      const out = resolve(io.cwd, outputFile);
      mkdirSync(dirname(out), { recursive: true });
      writeFileInPieces(out, pieces);
    } catch (e) {
      io.stderr.write(`ddi-lint: cannot write the output file ${outputFile}: ${(e as Error).message}\n`);
      return false;
    }
    return true;
  }
  let last = '';
  for (const b of batched(pieces)) {
    if (b.length === 0) continue;
    io.stdout.write(b);
    last = b;
  }
  if (newlineOnStdout && last.length > 0 && !last.endsWith('\n')) io.stdout.write('\n');
  return true;
}

/** A writer usable both as a function, `io.stdout(text)`, and as a stream, `io.stdout.write(text)`. */
export type Writer = ((s: string) => void) & { write(s: string): void };
/** What a subcommand receives: `{ stdout, stderr, cwd }`. */
export interface SubcommandIO {
  stdout: Writer;
  stderr: Writer;
  cwd: string;
}

function writer(target: { write(s: string): unknown }): Writer {
  const w = ((s: string) => {
    target.write(s);
  }) as Writer;
  w.write = (s: string) => {
    target.write(s);
  };
  return w;
}

export function subcommandIO(io: CliIO): SubcommandIO {
  return { stdout: writer(io.stdout), stderr: writer(io.stderr), cwd: io.cwd };
}

async function runSubcommand(name: string, argv: string[], io: CliIO): Promise<number> {
  const sub = SUBCOMMANDS[name]!;
  let mod: Record<string, unknown>;
  try {
    mod = (await import(sub.module)) as Record<string, unknown>;
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const target = fileURLToPath(new URL(sub.module, import.meta.url));
    const missing = err?.code === 'ERR_MODULE_NOT_FOUND' && String(err.message).includes(target);
    io.stderr.write(
      missing
        ? `ddi-lint: the '${name}' command is not available in this build (module ${sub.module} is missing; run npm run build)\n`
        : `ddi-lint: cannot load the '${name}' command: ${err?.message ?? String(e)}\n`,
    );
    return EXIT_ERROR;
  }
  const fn = mod[sub.fn];
  if (typeof fn !== 'function') {
    io.stderr.write(`ddi-lint: the '${name}' command is not available: ${sub.module} does not export ${sub.fn}()\n`);
    return EXIT_ERROR;
  }
  const code = await (fn as (argv: string[], io: SubcommandIO) => number | Promise<number>)(argv, subcommandIO(io));
  return typeof code === 'number' ? code : EXIT_OK;
}

export async function runCli(argv: readonly string[], io: CliIO, engine: LintEngine): Promise<number> {
  try {
    if (argv[0] === 'merge') return await mergeCommand(argv.slice(1), io, engine);
    if (argv.length > 0 && Object.hasOwn(SUBCOMMANDS, argv[0]!)) return await runSubcommand(argv[0]!, argv.slice(1), io);
    let opts: CliOptions;
    try {
      const summarize = argv[0] === 'summarize';
      opts = parseArgs(summarize ? argv.slice(1) : argv);
      if (summarize) {
        opts.summarize = true;
        if (!opts.out && !opts.help) throw new UsageError('summarize needs --out FILE');
      } else if (opts.out !== undefined) throw new UsageError('--out is an option of ddi-lint summarize (to lint into a file: --output-file)');
    } catch (e) {
      if (e instanceof UsageError) {
        io.stderr.write(`ddi-lint: ${e.message}\n`);
        return EXIT_ERROR;
      }
      throw e;
    }
    return await lintCommand(opts, io, engine, argv);
  } catch (e) {
    if (e instanceof ConfigError) {
      io.stderr.write(`${configErrorText(e, io.cwd)}\n`);
      return EXIT_ERROR;
    }
    const err = e as Error;
    io.stderr.write(`ddi-lint: internal error: ${err?.stack ?? String(e)}\n`);
    return EXIT_ERROR;
  }
}

async function lintCommand(opts: CliOptions, io: CliIO, engine: LintEngine, argv: readonly string[]): Promise<number> {
  const { cwd } = io;
  if (opts.help) {
    io.stdout.write(helpText(engine.rules));
    return EXIT_OK;
  }
  if (opts.version) {
    io.stdout.write(`ddi-lint ${packageInfo().version}\n`);
    return EXIT_OK;
  }
  if (opts.color !== undefined) process.env.FORCE_COLOR = opts.color ? '1' : '0';

  // --rule overrides
  const known = new Set(engine.rules.map((r) => r.meta.id));
  const overrides = new Map<string, Severity>();
  for (const { id, severity } of opts.rules) {
    if (!known.has(id)) {
      io.stderr.write(`ddi-lint: --rule ${id}:${severity}: unknown rule '${id}' (known rules: ${[...known].join(', ')})\n`);
      return EXIT_ERROR;
    }
    const sev = parseSeverity(/^\d$/.test(severity) ? Number(severity) : severity);
    if (sev === undefined) {
      io.stderr.write(`ddi-lint: --rule ${id}:${severity}: invalid severity '${severity}' (use off, warn or error)\n`);
      return EXIT_ERROR;
    }
    overrides.set(id, sev);
  }

  const resolver = new ConfigResolver(engine.rules, { configFile: opts.config ? resolve(cwd, opts.config) : undefined, overrides });

  if (opts.printSchema) {
    io.stdout.write(`${JSON.stringify(resolver.validator.schema, null, 2)}\n`);
    return EXIT_OK;
  }
  if (opts.printConfig !== undefined) {
    if (opts.patterns.length > 0) {
      io.stderr.write(`ddi-lint: --print-config takes one file and no other paths\n`);
      return EXIT_ERROR;
    }
    const file = resolve(cwd, opts.printConfig);
    const cfg = resolver.forFile(file);
    const checker = new IgnoreChecker({ cwd, useIgnore: opts.ignore, config: resolver });
    const out = {
      filePath: file,
      configFiles: cfg.configFiles,
      ignored: checker.isIgnored(file, false),
      rules: Object.fromEntries(Object.entries(cfg.rules).map(([id, r]) => [id, [severityName(r.severity), r.options]])),
      ignorePatterns: cfg.ignores.map((s) => ({ basePath: s.dir, patterns: s.patterns, configFile: s.file })),
      // the contribution of this file's configs to the run's IRQL contract table
      irqlContracts: { ...resolver.irqlContractsFor([file]) },
    };
    io.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return EXIT_OK;
  }

  // Load the formatter first: an unknown format is a usage error before any work.
  let formatter: FormatterFunction | undefined;
  const isSarif = opts.format === 'sarif';
  if (!isSarif) {
    try {
      formatter = await loadFormatter(opts.format, cwd);
    } catch (e) {
      if (e instanceof FormatterError) {
        io.stderr.write(`ddi-lint: ${e.message}\n`);
        return EXIT_ERROR;
      }
      throw e;
    }
  }

  const patterns = opts.patterns.length > 0 ? opts.patterns : ['.'];
  const listing = await listFiles(patterns, { cwd, useIgnore: opts.ignore, config: resolver });
  let usageError = false;
  for (const u of listing.unmatched) {
    if (opts.errorOnUnmatchedPattern) {
      io.stderr.write(`ddi-lint: ${u.path}: ${u.reason}\n`);
      usageError = true;
    }
  }
  const notifications: SarifNotification[] = [];
  for (const w of listing.warnings) {
    io.stderr.write(`ddi-lint: ${w.path}: ${w.reason}\n`);
    notifications.push({ filePath: resolve(cwd, w.path), message: w.reason, level: 'warning' });
  }
  for (const f of listing.ignoredExplicit) {
    io.stderr.write(`ddi-lint: ${f}: ignored by a .gitignore or ignorePatterns entry (use --no-ignore to lint it)\n`);
  }
  // One IRQL contract table for the run (the IRQL analysis spans files): a conflict between two
  // config files is a configuration error.
  const irqlContracts = resolver.irqlContractsFor(listing.files);
  const hasIrqlContracts = Object.keys(irqlContracts).length > 0;

  let baseline: BaselineFile | undefined;
  if (opts.baseline) {
    try {
      baseline = readBaseline(resolve(cwd, opts.baseline));
    } catch (e) {
      if (!(e instanceof BaselineError)) throw e;
      io.stderr.write(`ddi-lint: ${e.message}\n`);
      return EXIT_ERROR;
    }
  }

  let results: LintResult[] = [];
  // (the sources of the files with findings, compressed until the report reads them)
  const texts = new SourceTexts();
  /**
   * Like ESLint: a result carries its source when it has something to show; the run keeps the source of a
   * file with findings or suppressions for the baseline and SARIF (both read from `texts`, compressed).
   */
  const keepSource = (result: LintResult, text: string): LintResult => {
    if (result.messages.length === 0 && result.suppressedMessages.length === 0) return result;
    const stored = texts.set(result.filePath, text);
    return result.messages.length > 0 ? withSource(result, stored) : result;
  };
  let skipped = 0;
  let internalFailure = false;
  const maxBytes = opts.maxFileSizeMiB * 1024 * 1024;
  // Read every file first: helpers defined in one file are applied where another calls them.
  const inputs: RunInput[] = [];
  for (const file of listing.files) {
    const decoded = await readSourceText(file, maxBytes, opts.sourceCharset);
    inputs.push(decoded.ok ? new RunInput(file, decoded.text) : new RunInput(file, undefined, decoded.reason));
  }
  const lintable = inputs.filter((i) => i.text !== undefined && i.text.trim().length > 0).map((i) => i.view());
  // the headers those files include that are not linted: part of the program (macros, declarations,
  // inline helpers), not linted themselves (src/parse/includes.ts)
  const context = opts.followIncludes
    ? includedFiles(lintable, { maxBytes, charset: opts.sourceCharset, includeDirs: opts.includeDirs.map((d) => resolve(cwd, d)) }).map((f) => new RunInput(f.path, f.text))
    : [];
  /** Every file of the program: the linted ones, then the included headers. */
  const program = [...lintable, ...context.map((i) => i.view())];
  // --cache: the key of each file; when every file is in the cache the cross-file preparation is skipped too
  let cache: LintCache | undefined;
  let keys = new Map<string, string>();
  if (opts.cache) {
    cache = new LintCache(cachePath(cwd, opts.cacheLocation));
    cache.load();
    keys = cacheKeys(program, (p) => JSON.stringify(resolver.forFile(p).rules), {
      version: packageInfo().version,
      irqlContracts,
      options: JSON.stringify({ unused: opts.reportUnusedDisableDirectives }),
    });
  }
  const allCached = !opts.summarize && cache !== undefined && lintable.every((f) => cache!.has(f.path, keys.get(f.path)!));
  // the summary pre-pass: summaries read from --summaries FILE, or a store this run fills (summarize, threads)
  let summaries: unknown;
  if (opts.summaries !== undefined && engine.summaries) {
    const file = resolve(cwd, opts.summaries);
    try {
      summaries = engine.summaries.read(readFileSync(file, 'utf8'), cwd);
    } catch (e) {
      io.stderr.write(`ddi-lint: --summaries ${opts.summaries}: ${e instanceof Error ? (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'no such file' : e.message.split('\n')[0] : String(e)}\n`);
      return EXIT_ERROR;
    }
  } else if (engine.summaries && opts.summarize) summaries = engine.summaries.create();
  // the cross-file preparation of this thread, made when a file is linted here (with worker threads, only
  // for the files of a worker that failed: each worker builds the program from the files the pool hands it)
  let project: unknown;
  let prepared = false;
  // the line saying how much of --summaries FILE served, once per run (worker threads report theirs)
  let summaryStatsShown = false;
  const showSummaryStats = (st: { reused: number; computed: number }) => {
    if (summaryStatsShown) return;
    summaryStatsShown = true;
    io.stderr.write(`ddi-lint: --summaries ${opts.summaries}: ${st.reused} helper summaries reused, ${st.computed} computed\n`);
  };
  const getProject = async (): Promise<unknown> => {
    if (prepared) return project;
    prepared = true;
    if (engine.prepare && !allCached) {
      try {
        const byPath = new Map([...inputs, ...context].map((i) => [i.file, i]));
        // (a file the program holds is read from there: see `RunInput`)
        const onHeld = (path: string, text: () => string) => byPath.get(path)?.handOver(text);
        project = await engine.prepare(
          program,
          cwd,
          summaries !== undefined ? { irqlContracts, summaries, onHeld } : { irqlContracts, onHeld },
        );
        // (the texts the program does not hold wait for their lint compressed)
        for (const i of byPath.values()) i.keepCompressed();
      } catch (e) {
        io.stderr.write(`ddi-lint: cross-file summaries could not be computed (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); each file is linted on its own\n`);
        project = undefined;
      }
      if (opts.summaries !== undefined && engine.summaries && summaries !== undefined && project !== undefined && !opts.summarize) showSummaryStats(engine.summaries.stats(summaries));
    }
    return project;
  };
  if (opts.summarize) {
    const project = await getProject();
    if (!engine.summaries || project === undefined) {
      io.stderr.write('ddi-lint summarize: no summaries could be computed\n');
      return EXIT_ERROR;
    }
    const out = resolve(cwd, opts.out!);
    const text = engine.summaries.write(summaries, cwd);
    try {
      writeFileSync(out, text);
    } catch (e) {
      io.stderr.write(`ddi-lint summarize: cannot write ${opts.out}: ${(e as Error).message}\n`);
      return EXIT_ERROR;
    }
    const st = engine.summaries.stats(summaries);
    io.stderr.write(`ddi-lint summarize: ${lintable.length} file(s) read, ${st.reused + st.computed} helper summaries (${st.computed} computed, ${st.reused} reused), written to ${displayPath(cwd, out)}\n`);
    return EXIT_OK;
  }
  // --threads: the files are shared out among worker threads, each parsing its share once for the whole
  // program and linting it (the findings are those of one thread; with --summaries, from the same
  // summaries) while this thread waits.
  /** The rules a file is linted with (its configuration's), as the engine takes them. */
  const rulesFor = (file: string) => Object.fromEntries(Object.entries(resolver.forFile(file).rules).map(([id, r]) => [id, { severity: r.severity, options: r.options }]));
  const pre = new Map<string, LintResult | string>();
  const progress = new Progress(io.stderr as ProgressSink, inputs.length, opts.progress);
  let pooled = 0;
  /** The workers' --summaries figures, shown where one thread shows them: when the first file is linted. */
  let pooledSummaryStats: { reused: number; computed: number } | undefined;
  // (one by default: on two cores two threads are faster on some trees and slower on others, README, Benchmark)
  const threads = Math.min(opts.threads ?? 1, availableParallelism() * 2);
  if (engine.lintInThreads && threads > 1 && !allCached && lintable.length >= 2) {
    const jobs = lintable
      .filter((f) => !(opts.shard && shardOf(cwd, f.path, opts.shard.count) !== opts.shard.index) && !cache?.has(f.path, keys.get(f.path)!))
      .map((f) => ({ path: f.path, rules: rulesFor(f.path) }));
    if (jobs.length >= 1) {
      // summaries read from --summaries FILE are handed to the workers: they do not compute them again
      const shared = summaries !== undefined && engine.summaries ? engine.summaries.write(summaries, cwd) : undefined;
      pooled = inputs.length - jobs.length;
      let outcome: ThreadOutcome | undefined;
      try {
        outcome = await engine.lintInThreads({
          inputs: program,
          jobs,
          threads,
          cwd,
          irqlContracts,
          ...(shared !== undefined ? { summaries: shared } : {}),
          onResult: () => progress.update(++pooled),
        });
      } catch {
        outcome = undefined; // the pool itself failed: every file is linted here
      }
      if (outcome) {
        for (const line of outcome.notices) io.stderr.write(`ddi-lint: ${line}\n`);
        if (outcome.summaries && opts.summaries !== undefined) pooledSummaryStats = outcome.summaries;
        for (const [path, r] of outcome.results) pre.set(path, r);
      } else io.stderr.write(`ddi-lint: the worker threads could not parse the program; every file is linted on the main thread\n`);
    }
  }
  let done = 0;
  for (const input of inputs) {
    progress.update(Math.max(done++, pooled));
    const file = input.file;
    // --shard i/N: every file is read and prepared (the program is the same for every shard), this shard lints its own
    if (opts.shard && shardOf(cwd, file, opts.shard.count) !== opts.shard.index) continue;
    const shown = displayPath(cwd, file);
    if (input.text === undefined) {
      const reason = input.reason!.replace('(--max-file-size)', '(see --max-file-size)');
      io.stderr.write(`ddi-lint: ${shown}: ${reason}; skipped\n`);
      notifications.push({ filePath: file, message: `not analyzed: ${reason}`, level: 'warning' });
      skipped++;
      continue;
    }
    const text = input.text;
    if (text.trim().length === 0) {
      io.stderr.write(`ddi-lint: ${shown}: empty file, nothing to lint\n`);
      notifications.push({ filePath: file, message: 'empty file, nothing to lint', level: 'note' });
      results.push(emptyResult(file));
      continue;
    }
    const cached = cache?.get(file, keys.get(file)!);
    if (cached) {
      const result: LintResult = { ...cached, filePath: file };
      results.push(keepSource(result, text));
      if (prepared) input.release();
      continue;
    }
    const lintOptions = { rules: rulesFor(file) };
    let result: LintResult;
    try {
      const fromWorker = pre.get(file);
      if (fromWorker !== undefined && pooledSummaryStats) showSummaryStats(pooledSummaryStats);
      if (typeof fromWorker === 'string') throw new Error(fromWorker);
      const program = fromWorker ? undefined : await getProject();
      result = fromWorker ?? await engine.lintText(text, file, program !== undefined ? { ...lintOptions, project: program } : hasIrqlContracts ? { ...lintOptions, irqlContracts } : lintOptions);
      result = { ...result, filePath: file };
    } catch (e) {
      result = internalErrorResult(file, e);
    }
    if (result.messages.some((m) => m.fatal && m.ruleId === null)) internalFailure = true;
    else if (opts.reportUnusedDisableDirectives) {
      const unused = unusedDirectiveMessages(text, result.suppressedMessages, known, 2);
      if (unused.length > 0) {
        const messages = [...result.messages, ...unused].sort((a, b) => a.line - b.line || a.column - b.column);
        result = { ...result, messages, ...countMessages(messages) };
      }
    }
    const { source: _drop, ...rest } = result;
    // (a result with an internal error is not cached: the next run tries again)
    if (cache && !rest.messages.some((m) => m.fatal)) cache.set(file, keys.get(file)!, rest);
    results.push(keepSource(rest, text));
    // (the program, once made, is made of the texts it was given: a text is no longer read once its file is linted)
    if (prepared) input.release();
    // Let the event loop turn: the native tree-sitter binding frees trees only then.
    await new Promise<void>((r) => setImmediate(r));
  }

  progress.update(done);
  progress.done();
  if (cache) {
    try {
      cache.save();
    } catch (e) {
      io.stderr.write(`ddi-lint: cannot write the cache ${cache.path}: ${(e as Error).message}\n`);
    }
  }
  if (opts.baselineWrite) {
    const out = resolve(cwd, opts.baselineWrite);
    const b = baselineOf(results, texts, cwd, packageInfo().version);
    try {
      mkdirSync(dirname(out), { recursive: true });
      writeFileSync(out, `${JSON.stringify(b, null, 2)}\n`);
    } catch (e) {
      io.stderr.write(`ddi-lint: cannot write the baseline ${opts.baselineWrite}: ${(e as Error).message}\n`);
      return EXIT_ERROR;
    }
    io.stderr.write(`ddi-lint: wrote ${b.entries.length} finding${b.entries.length === 1 ? '' : 's'} to the baseline ${opts.baselineWrite}\n`);
  }
  if (baseline) {
    const applied = applyBaseline(results, texts, baseline, cwd, opts.baseline!);
    results = applied.results;
    io.stderr.write(
      `ddi-lint: baseline ${opts.baseline}: ${applied.matched} finding${applied.matched === 1 ? '' : 's'} in it not reported; ` +
        `${applied.gone.length} of its ${baseline.entries.length} entries no longer found` +
        (applied.gone.length ? ` (fixed or changed: --baseline-write ${opts.baseline} tightens it)` : '') +
        '\n',
    );
  }

  if (opts.shard) {
    // a shard's results with what `ddi-lint merge` needs to report them as one run
    const shard: ShardFile = {
      tool: 'ddi-lint',
      version: packageInfo().version,
      shard: opts.shard,
      results,
      texts: texts.toRecord(),
      notifications,
      failed: usageError || internalFailure,
      skipped,
    };
    // (results and texts are as large as the sources: written a piece at a time)
    if (!writeOutput(io, opts.outputFile, jsonLine(shard, 0, 2), false)) return EXIT_ERROR;
    if (usageError || internalFailure) return EXIT_ERROR;
    return results.some((r) => r.messages.some((m) => m.severity === 2)) ? EXIT_FINDINGS : EXIT_OK;
  }
  return report({ results, texts, notifications, opts, io, engine, argv, formatter, usageError, internalFailure, nothingLinted: results.length === 0 && skipped > 0 });
}

/** Format the results of a run (or of merged shards) once, and the exit code. */
async function report(r: {
  results: LintResult[];
  texts: SourceLookup;
  notifications: SarifNotification[];
  opts: CliOptions;
  io: CliIO;
  engine: LintEngine;
  argv: readonly string[];
  formatter: FormatterFunction | undefined;
  usageError: boolean;
  internalFailure: boolean;
  nothingLinted: boolean;
}): Promise<number> {
  const { results, texts, notifications, opts, io, engine, argv, formatter, usageError, internalFailure } = r;
  const { cwd } = io;
  const isSarif = opts.format === 'sarif';
  let warningTotal = 0;
  let errorTotal = 0;
  for (const r of results) {
    const c = countMessages(r.messages);
    warningTotal += c.warningCount;
    errorTotal += c.errorCount;
  }
  const shownResults = opts.quiet
    ? results.map((r) => {
        const messages = r.messages.filter((m) => m.severity === 2);
        const c = countMessages(messages);
        // (the source, read when asked, stays so: see source-texts.ts)
        return resultWith(r, { messages, ...c, fixableWarningCount: 0, ...(messages.length === 0 ? { source: undefined } : {}) });
      })
    : results.map((r) => resultWith(r, countMessages(r.messages)));

  // The output: JSON and SARIF written a piece at a time (as large as the sources with findings: see
  // json-chunks.ts); another formatter's string as it is.
  let output: Iterable<string>;
  if (isSarif) {
    const log = toSarif(shownResults, {
      cwd,
      rules: engine.rules.map((r) => r.meta),
      toolVersion: packageInfo().version,
      informationUri: packageInfo().homepage,
      getSourceText: (p) => texts.get(p),
      notifications,
      commandLine: ['ddi-lint', ...argv].map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' '),
    });
    output = jsonLine(log, 2, 4);
  } else if (opts.format === 'json') {
    // ESLint's json formatter is `JSON.stringify(results)` (eslint-formatter-json): the same text
    output = jsonChunks(shownResults, 0, 1);
  } else {
    let text: unknown;
    try {
      text = await formatter!(shownResults, ruleMetaData(engine.rules, cwd));
    } catch (e) {
      io.stderr.write(`ddi-lint: the '${opts.format}' formatter failed: ${(e as Error)?.message ?? String(e)}\n`);
      return EXIT_ERROR;
    }
    output = [typeof text === 'string' ? text : String(text ?? '')];
  }
  if (!writeOutput(io, opts.outputFile, output, true)) return EXIT_ERROR;

  const tooManyWarnings = opts.maxWarnings >= 0 && warningTotal > opts.maxWarnings;
  if (tooManyWarnings) {
    io.stderr.write(`ddi-lint found too many warnings (maximum: ${opts.maxWarnings}, found: ${warningTotal}).\n`);
  }
  const nothingLinted = r.nothingLinted;
  if (nothingLinted) io.stderr.write(`ddi-lint: no file could be linted\n`);
  if (usageError || internalFailure || nothingLinted) return EXIT_ERROR;
  if (errorTotal > 0 || tooManyWarnings) return EXIT_FINDINGS;
  return EXIT_OK;
}

/** `ddi-lint merge SHARD.json...`: the shards of one run reported as one. */
async function mergeCommand(argv: readonly string[], io: CliIO, engine: LintEngine): Promise<number> {
  let opts: CliOptions;
  try {
    opts = parseArgs(argv);
  } catch (e) {
    if (e instanceof UsageError) {
      io.stderr.write(`ddi-lint merge: ${e.message}\n`);
      return EXIT_ERROR;
    }
    throw e;
  }
  if (opts.patterns.length === 0) {
    io.stderr.write('ddi-lint merge: name the shard files (the outputs of ddi-lint --shard I/N)\n');
    return EXIT_ERROR;
  }
  const shards: ShardFile[] = [];
  for (const p of opts.patterns) {
    try {
      const data = JSON.parse(readFileSync(resolve(io.cwd, p), 'utf8')) as Partial<ShardFile>;
      if (data.tool !== 'ddi-lint' || !data.shard || !Array.isArray(data.results)) throw new Error('not the output of ddi-lint --shard');
      shards.push(data as ShardFile);
    } catch (e) {
      io.stderr.write(`ddi-lint merge: ${p}: ${(e as Error).message}\n`);
      return EXIT_ERROR;
    }
  }
  const count = shards[0]!.shard.count;
  const seen = new Set<number>();
  for (const sh of shards) {
    if (sh.shard.count !== count) {
      io.stderr.write(`ddi-lint merge: the shards are of different runs (${count} and ${sh.shard.count} shards)\n`);
      return EXIT_ERROR;
    }
    if (seen.has(sh.shard.index)) {
      io.stderr.write(`ddi-lint merge: shard ${sh.shard.index}/${count} is given twice\n`);
      return EXIT_ERROR;
    }
    seen.add(sh.shard.index);
  }
  const missing = [...Array(count).keys()].map((k) => k + 1).filter((k) => !seen.has(k));
  if (missing.length) io.stderr.write(`ddi-lint merge: shard${missing.length > 1 ? 's' : ''} ${missing.map((k) => `${k}/${count}`).join(', ')} missing: the results are incomplete\n`);
  let formatter: FormatterFunction | undefined;
  if (opts.format !== 'sarif') {
    try {
      formatter = await loadFormatter(opts.format, io.cwd);
    } catch (e) {
      if (e instanceof FormatterError) {
        io.stderr.write(`ddi-lint merge: ${e.message}\n`);
        return EXIT_ERROR;
      }
      throw e;
    }
  }
  // one result per file, in path order (the order of a single run does not depend on the shards)
  const results = shards.flatMap((sh) => sh.results).sort((a, b) => (a.filePath < b.filePath ? -1 : a.filePath > b.filePath ? 1 : 0));
  const texts = new Map<string, string>(shards.flatMap((sh) => Object.entries(sh.texts)));
  const notes = new Map<string, SarifNotification>();
  for (const n of shards.flatMap((sh) => sh.notifications)) notes.set(`${n.filePath}\u0000${n.message}`, n);
  const failed = shards.some((sh) => sh.failed) || missing.length > 0;
  return report({
    results,
    texts,
    notifications: [...notes.values()],
    opts,
    io,
    engine,
    argv: ['merge', ...argv],
    formatter,
    usageError: failed,
    internalFailure: false,
    nothingLinted: results.length === 0 && shards.some((sh) => sh.skipped > 0),
  });
}
