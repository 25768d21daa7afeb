/**
 * `ddi-lint --lsp`: the language server (stdio, JSON-RPC), built on `vscode-languageserver`.
 *
 * - Diagnostics of open C/C++ documents on open, change and save: pull diagnostics
 *   (`textDocument/diagnostic`) for clients that have them, published diagnostics after a debounce for
 *   the others. Each carries the rule id (`code`), the rule's page (`codeDescription.href`), the
 *   configured severity and the explanation path as `relatedInformation`.
 * - Incremental (see program.ts): an edit reparses the document from its previous tree, re-lints the
 *   functions the edit can affect and keeps the others' findings; the workspace's other files are read
 *   once in the background and re-read when they change on disk (`workspace/didChangeWatchedFiles`).
 * - Code actions: disable a rule for a line; show the simulated path of a finding (the simulator runs
 *   the function: command `ddi-lint.showSimulatedPath`, or request `ddi-lint/simulatedPath`); wrap a
 *   bare `MmProbeAndLockPages` in `__try`/`__except` where that fix is safe (quickfix.ts).
 * - The workspace's `ddi-lint.config.json` files apply as on the command line, reloaded when they change.
 * - Edits only record the new text; the work happens when diagnostics are asked for (pull) or when the
 *   debounce expires (push), on the latest text: a burst of edits costs one analysis. Every handler
 *   catches what it throws: a failure is logged and answered with an empty result, never a crash.
 */
import { readdirSync } from 'node:fs';
import { dirname, join, resolve as resolvePath, sep } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  CodeActionKind,
  createConnection,
  DiagnosticSeverity,
  DidChangeWatchedFilesNotification,
  DocumentDiagnosticReportKind,
  FileChangeType,
  ProposedFeatures,
  TextDocuments,
  TextDocumentSyncKind,
  type CodeAction,
  type Connection,
  type Diagnostic,
  type InitializeParams,
  type InitializeResult,
  type WorkspaceEdit,
} from 'vscode-languageserver/node';
import { TextDocument } from 'vscode-languageserver-textdocument';
import { allRules, rulesById } from '../../rules/index.js';
import { withOverrides, type IrqlTable } from '../ddi/irql.js';
import { ConfigError, ConfigResolver, CONFIG_FILE_NAME } from '../lint/config.js';
import { lintSource, type LintOptions } from '../lint/linter.js';
import type { LintMessage, LintResult } from '../lint/types.js';
import { languageForPath } from '../parse/parser.js';
import { DEFAULT_SOURCE_CHARSET, readSourceText, sourceCharset } from '../parse/decode.js';
import { includedFiles, quotedIncludes } from '../parse/includes.js';
import { listFiles } from '../cli/files.js';
import { DocumentLinter, nodeOf, Program } from './program.js';
import { probeQuickFix } from './quickfix.js';
import { simulatedPath } from './trace.js';

export const SIMULATE_COMMAND = 'ddi-lint.showSimulatedPath';
export const SIMULATE_REQUEST = 'ddi-lint/simulatedPath';

/** Settings a client may pass as `initializationOptions`. */
export interface ServerSettings {
  /** Debounce of published diagnostics after an edit, in ms (default 150). */
  debounceMs?: number;
  /** Documents over this size are not analyzed (default 16 MiB). */
  maxFileSizeMiB?: number;
  /** The code page of files on disk that have no BOM and are not valid UTF-8 (`--source-charset`; default windows-1252). */
  sourceCharset?: string;
  /** Read the workspace's other C/C++ files for cross-file summaries (default true). */
  scanWorkspace?: boolean;
  /** The client shows simulated paths itself (the VS Code extension): the server does not register the command. */
  clientShowsTraces?: boolean;
}

export function uriToPath(uri: string): string | undefined {
  try {
    return uri.startsWith('file:') ? fileURLToPath(uri) : undefined;
  } catch {
    return undefined;
  }
}

function pathToUri(path: string): string {
  return pathToFileURL(path).href;
}

/** A lint message as an LSP diagnostic. */
export function toDiagnostic(m: LintMessage, root: string | undefined, docUri: string): Diagnostic {
  const line = Math.max(0, m.line - 1);
  const character = Math.max(0, m.column - 1);
  const endLine = m.endLine !== undefined ? Math.max(0, m.endLine - 1) : line;
  const endCharacter = m.endColumn !== undefined ? Math.max(0, m.endColumn - 1) : character + 1;
  const d: Diagnostic = {
    range: { start: { line, character }, end: { line: endLine, character: endCharacter } },
    severity: m.severity === 2 ? DiagnosticSeverity.Error : DiagnosticSeverity.Warning,
    source: 'ddi-lint',
    message: m.message,
  };
  if (m.ruleId) {
    d.code = m.ruleId;
    const url = rulesById.get(m.ruleId)?.meta.docs.url;
    if (url) d.codeDescription = { href: url };
  }
  if (m.path?.length) {
    d.relatedInformation = m.path.map((s) => {
      const uri = s.file ? pathToUri(root ? resolvePath(root, s.file) : s.file) : docUri;
      const pos = { line: Math.max(0, s.line - 1), character: Math.max(0, s.column - 1) };
      return { location: { uri, range: { start: pos, end: pos } }, message: s.function ? `${s.message} (in ${s.function})` : s.message };
    });
  }
  d.data = { ruleId: m.ruleId, messageId: m.messageId, function: m.function, line: m.line, column: m.column };
  return d;
}

class Server {
  readonly documents = new TextDocuments(TextDocument);
  /** One program per driver project (see `projectRootOf`), by project root. */
  private readonly programs = new Map<string, { program: Program; scan: Promise<void> | undefined }>();
  private readonly markerCache = new Map<string, boolean>();
  /** Open documents by file path (clients spell a path's URI in more than one way: `c%3A` and `c:`). */
  private readonly openPaths = new Map<string, string>();
  /** Push mode: the version each document was last scheduled for (open fires a change event of the same version). */
  private readonly scheduledVersion = new Map<string, number>();
  private workspaceEditVersions = false;
  private readonly linters = new Map<string, DocumentLinter>();
  private readonly results = new Map<string, { program: Program; version: number; generation: number; result: LintResult | undefined; diagnostics: Diagnostic[] }>();
  private root: string | undefined;
  private resolver = new ConfigResolver(allRules);
  private irqlTable: IrqlTable | undefined;
  private pull = false;
  private refreshSupport = false;
  private watchRegistration = false;
  private settings: Required<ServerSettings> = { debounceMs: 150, maxFileSizeMiB: 16, sourceCharset: DEFAULT_SOURCE_CHARSET, scanWorkspace: true, clientShowsTraces: false };
  private timers = new Map<string, NodeJS.Timeout>();
  private refreshTimer: NodeJS.Timeout | undefined;

  constructor(readonly connection: Connection) {}

  private log(s: string): void {
    this.connection.console.log(s);
  }

  private guard<A extends unknown[], R>(what: string, fallback: R, fn: (...a: A) => R): (...a: A) => R {
    return (...a: A) => {
      try {
        return fn(...a);
      } catch (e) {
        this.connection.console.error(`ddi-lint: ${what} failed: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
        return fallback;
      }
    };
  }

  start(): Promise<number> {
    const c = this.connection;
    c.onInitialize(this.guard('initialize', { capabilities: {} }, (p: InitializeParams) => this.initialize(p)));
    c.onInitialized(() => {
      if (this.watchRegistration) {
        void c.client.register(DidChangeWatchedFilesNotification.type, {
          watchers: [{ globPattern: '**/*.{c,h,cpp,cc,cxx,hpp,hxx,hh}' }, { globPattern: `**/${CONFIG_FILE_NAME}` }, { globPattern: '**/*', kind: 1 | 4 }],
        });
      }
    });
    this.documents.onDidOpen(
      this.guard('open', undefined, (e) => {
        const path = uriToPath(e.document.uri);
        if (path) this.openPaths.set(path, e.document.uri);
        this.changed(e.document, true);
      }),
    );
    this.documents.onDidChangeContent(this.guard('change', undefined, (e) => this.changed(e.document, false)));
    this.documents.onDidSave(this.guard('save', undefined, (e) => this.schedule(e.document.uri, 0)));
    this.documents.onDidClose(
      this.guard('close', undefined, (e) => {
        const path = uriToPath(e.document.uri);
        this.linters.delete(e.document.uri);
        this.results.delete(e.document.uri);
        this.scheduledVersion.delete(e.document.uri);
        const t = this.timers.get(e.document.uri);
        if (t) clearTimeout(t);
        this.timers.delete(e.document.uri);
        if (!this.pull) void c.sendDiagnostics({ uri: e.document.uri, diagnostics: [] });
        if (!path) return;
        this.openPaths.delete(path);
        // back to the file on disk (the other documents may see it change); a program without open
        // documents is dropped
        void this.reloadFromDisk(path).then(() => {
          this.dropUnusedPrograms();
          this.refreshOthers();
        });
      }),
    );
    c.languages.diagnostics.on(
      this.guard('diagnostics', { kind: DocumentDiagnosticReportKind.Full, items: [] as Diagnostic[] }, (p) => ({
        kind: DocumentDiagnosticReportKind.Full,
        items: this.diagnosticsFor(p.textDocument.uri),
      })),
    );
    c.onCodeAction(this.guard('code action', [] as CodeAction[], (p) => this.codeActions(p.textDocument.uri, p.context.diagnostics)));
    c.onExecuteCommand(
      this.guard('command', null as unknown, (p) => {
        if (p.command !== SIMULATE_COMMAND) return null;
        const r = this.simulate(p.arguments ?? []);
        if (r) {
          void c.window.showInformationMessage(r.title);
          this.log(r.text);
        }
        return r;
      }),
    );
    c.onRequest(SIMULATE_REQUEST, this.guard('simulated path', null as unknown, (args: unknown) => this.simulate(Array.isArray(args) ? args : [args])));
    c.onDidChangeWatchedFiles(
      this.guard('watched files', undefined, (p) => {
        for (const ch of p.changes) void this.watched(ch.uri, ch.type);
      }),
    );
    this.documents.listen(c);
    return new Promise((done) => {
      c.onExit(() => done(0));
      c.listen();
    });
  }

  private initialize(p: InitializeParams): InitializeResult {
    const folder = p.workspaceFolders?.[0]?.uri ?? p.rootUri ?? undefined;
    this.root = folder ? uriToPath(folder) : undefined;
    const opts = (p.initializationOptions ?? {}) as ServerSettings;
    if (typeof opts.debounceMs === 'number' && opts.debounceMs >= 0) this.settings.debounceMs = opts.debounceMs;
    if (typeof opts.maxFileSizeMiB === 'number' && opts.maxFileSizeMiB > 0) this.settings.maxFileSizeMiB = opts.maxFileSizeMiB;
    if (typeof opts.sourceCharset === 'string') {
      const name = sourceCharset(opts.sourceCharset);
      if (name) this.settings.sourceCharset = name;
      else this.log(`ddi-lint: sourceCharset: unknown code page '${opts.sourceCharset}'; reading files that are not UTF-8 as ${this.settings.sourceCharset}`);
    }
    if (opts.scanWorkspace === false) this.settings.scanWorkspace = false;
    if (opts.clientShowsTraces === true) this.settings.clientShowsTraces = true;
    this.pull = !!p.capabilities.textDocument?.diagnostic;
    this.refreshSupport = !!p.capabilities.workspace?.diagnostics?.refreshSupport;
    this.watchRegistration = !!p.capabilities.workspace?.didChangeWatchedFiles?.dynamicRegistration;
    this.workspaceEditVersions = !!p.capabilities.workspace?.workspaceEdit?.documentChanges;
    this.configure();
    const result: InitializeResult = {
      capabilities: {
        textDocumentSync: { openClose: true, change: TextDocumentSyncKind.Incremental, save: { includeText: false } },
        codeActionProvider: { codeActionKinds: [CodeActionKind.QuickFix] },
      },
      serverInfo: { name: 'ddi-lint' },
    };
    if (!this.settings.clientShowsTraces) result.capabilities.executeCommandProvider = { commands: [SIMULATE_COMMAND] };
    if (this.pull) result.capabilities.diagnosticProvider = { identifier: 'ddi-lint', interFileDependencies: true, workspaceDiagnostics: false };
    return result;
  }

  /** (Re)load the configuration: rule settings per file, the IRQL contract table of each program. */
  private configure(): void {
    try {
      // read (and validate) every config file that applies to a file of a program or an open document
      // before adopting the new configuration
      const resolver = new ConfigResolver(allRules);
      const open = [...this.documents.keys()].map(uriToPath).filter((p): p is string => !!p);
      for (const p of open) resolver.forFile(p);
      for (const [root, entry] of this.programs) resolver.irqlContractsFor([...entry.program.paths(), join(root, 'x.c')]);
      this.resolver = resolver;
    } catch (e) {
      this.configError(e);
      return;
    }
    for (const [root, entry] of this.programs) this.configureProgram(root, entry.program);
  }

  private configError(e: unknown): void {
    const msg = e instanceof ConfigError ? e.message : e instanceof Error ? e.message : String(e);
    void this.connection.window.showErrorMessage(`ddi-lint: ${msg} (the previous configuration stays in force)`);
    this.connection.console.error(`ddi-lint: ${msg}`);
  }

  private readonly tables = new Map<string, IrqlTable | undefined>();
  private configureProgram(root: string, program: Program): void {
    let table = this.tables.get(root);
    try {
      // the IRQL contracts of every config file that applies to a file of the program
      const contracts = this.resolver.irqlContractsFor([...program.paths(), join(root, 'x.c')]);
      table = Object.keys(contracts).length ? withOverrides(contracts) : undefined;
      this.tables.set(root, table);
    } catch (e) {
      this.configError(e);
    }
    const opts: { root?: string; irqlTable?: IrqlTable } = { root };
    if (table) opts.irqlTable = table;
    program.configure(opts);
  }

  /**
   * The driver project a file belongs to: the nearest directory above it (up to the workspace folder) with a
   * Visual Studio project (`*.vcxproj`), a WDK `sources` file, a `ddi-lint.config.json` or a `.git`; else
   * the workspace folder (else the file's directory). Each project is one program, as `ddi-lint DIR` on
   * that directory: the samples of a repository of drivers are not linked with each other.
   */
  projectRootOf(path: string): string {
    const top = this.root && (path.startsWith(this.root + sep) || path === this.root) ? this.root : undefined;
    for (let d = dirname(path); ; d = dirname(d)) {
      if (this.isProjectDir(d)) return d;
      if ((top && d === top) || dirname(d) === d) return top ?? dirname(path);
    }
  }

  private isProjectDir(dir: string): boolean {
    let v = this.markerCache.get(dir);
    if (v === undefined) {
      try {
        v = readdirSync(dir).some((e) => e === 'sources' || e === 'SOURCES' || e === CONFIG_FILE_NAME || e === '.git' || e.toLowerCase().endsWith('.vcxproj'));
      } catch {
        v = false;
      }
      this.markerCache.set(dir, v);
    }
    return v;
  }

  /** The program of a file (created, and its project's files read in the background, on first use). */
  programFor(path: string): Program {
    const root = this.projectRootOf(path);
    let entry = this.programs.get(root);
    if (!entry) {
      const program = new Program({ root });
      entry = { program, scan: undefined };
      this.programs.set(root, entry);
      this.configureProgram(root, program);
      // a file outside the workspace folder (a WDK header opened by go-to-definition) is not a reason to
      // read its whole directory
      const inside = this.root !== undefined ? root === this.root || root.startsWith(this.root + sep) : this.isProjectDir(root);
      if (this.settings.scanWorkspace && inside) entry.scan = this.scanProject(root, program);
    }
    return entry.program;
  }

  private isOpen(path: string): boolean {
    return this.openPaths.has(path);
  }

  /** Programs none of whose files is open any more are forgotten (their files are read again on demand). */
  private dropUnusedPrograms(): void {
    const used = new Set([...this.openPaths.keys()].map((p) => this.projectRootOf(p)));
    for (const root of [...this.programs.keys()]) {
      if (!used.has(root)) {
        this.programs.delete(root);
        this.tables.delete(root);
      }
    }
  }

  /** The project boundaries may have moved (a config file appeared or went): every program is rebuilt from the open documents. */
  private resetPrograms(): void {
    this.markerCache.clear();
    this.programs.clear();
    this.tables.clear();
    this.results.clear();
    for (const [path, uri] of this.openPaths) {
      const doc = this.documents.get(uri);
      if (doc && languageForPath(path)) this.programFor(path).setText(path, doc.getText());
    }
  }

  /** The program that holds `path`, if one was created. */
  private programHolding(path: string): Program | undefined {
    return this.programs.get(this.projectRootOf(path))?.program;
  }

  private lintOptions(path: string): LintOptions {
    try {
      const cfg = this.resolver.forFile(path);
      return { rules: Object.fromEntries(Object.entries(cfg.rules).map(([id, r]) => [id, { severity: r.severity, options: r.options }])) };
    } catch (e) {
      this.connection.console.error(`ddi-lint: ${e instanceof Error ? e.message : String(e)}`);
      return {};
    }
  }

  private changed(doc: TextDocument, opened: boolean): void {
    const path = uriToPath(doc.uri);
    if (!path || !languageForPath(path)) return;
    const text = doc.getText();
    const program = this.programFor(path);
    if (text.length > this.settings.maxFileSizeMiB * 1048576) program.remove(path);
    else {
      program.setText(path, text);
      this.readIncludes(path, text, program);
    }
    // opening fires a change event of the same version: the publish on open is not delayed by it
    if (!opened && this.scheduledVersion.get(doc.uri) === doc.version) return;
    this.scheduledVersion.set(doc.uri, doc.version);
    this.schedule(doc.uri, opened ? 0 : this.settings.debounceMs);
  }

  /** The quoted includes of each open document when its headers were last looked for. */
  private readonly includeNames = new Map<string, string>();
  /**
   * A document that includes a header the program does not hold (one added while editing, or in a
   * directory the project's scan does not cover) brings it in, as the command line does; looked for when
   * the document's `#include "..."` lines change.
   */
  private readIncludes(path: string, text: string, program: Program): void {
    const names = quotedIncludes(text).join('\n');
    if (this.includeNames.get(path) === names) return;
    this.includeNames.set(path, names);
    if (!names) return;
    const held = program.paths().flatMap((p) => {
      const t = p === path ? text : program.textOf(p);
      return t === undefined ? [] : [{ path: p, text: t }];
    });
    for (const h of includedFiles(held, { maxBytes: this.settings.maxFileSizeMiB * 1048576, charset: this.settings.sourceCharset })) {
      if (!this.isOpen(h.path) && !program.has(h.path)) program.setText(h.path, h.text);
    }
  }

  /** Push mode: publish the document's diagnostics after the debounce; pull mode: the client asks. */
  private schedule(uri: string, ms: number): void {
    if (this.pull) return;
    const t = this.timers.get(uri);
    if (t) clearTimeout(t);
    this.timers.set(
      uri,
      setTimeout(
        this.guard('publish', undefined, () => {
          this.timers.delete(uri);
          const doc = this.documents.get(uri);
          if (!doc) return;
          void this.connection.sendDiagnostics({ uri, version: doc.version, diagnostics: this.diagnosticsFor(uri) });
        }),
        ms,
      ),
    );
  }

  /** The diagnostics of an open document for its current text (computed at most once per version and program). */
  diagnosticsFor(uri: string): Diagnostic[] {
    const doc = this.documents.get(uri);
    const path = uriToPath(uri);
    if (!doc || !path || !languageForPath(path)) return [];
    const text = doc.getText();
    if (text.length > this.settings.maxFileSizeMiB * 1048576) {
      return [
        {
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          severity: DiagnosticSeverity.Warning,
          source: 'ddi-lint',
          message: `${path}: document is ${(text.length / 1048576).toFixed(1)} MiB, over the ${this.settings.maxFileSizeMiB} MiB limit: not analyzed`,
        },
      ];
    }
    const program = this.programFor(path);
    program.setText(path, text);
    const before = program.generation;
    program.current();
    if (program.generation !== before) this.refreshAffected(uri, program);
    const cached = this.results.get(uri);
    if (cached && cached.program === program && cached.version === doc.version && cached.generation === program.generation) return cached.diagnostics;
    let linter = this.linters.get(uri);
    if (!linter) this.linters.set(uri, (linter = new DocumentLinter(path)));
    let result: LintResult | undefined;
    try {
      result = linter.lint(program, this.lintOptions(path));
    } catch (e) {
      this.results.delete(uri);
      const msg = e instanceof Error ? e.message.split('\n')[0] : String(e);
      return [
        {
          range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
          severity: DiagnosticSeverity.Error,
          source: 'ddi-lint',
          message: `${path}: ddi-lint could not analyze this file: ${msg}`,
        },
      ];
    }
    const diagnostics = (result?.messages ?? []).map((m) => toDiagnostic(m, this.root, uri));
    this.results.set(uri, { program, version: doc.version, generation: program.generation, result, diagnostics });
    const r = program.lastRebuild;
    this.log(
      `ddi-lint: ${path} v${doc.version}: ${diagnostics.length} finding(s); ${linter.last.relinted} function(s) analyzed, ${linter.last.reused} reused; program of ${r.files} file(s), summaries ${r.summaryHits} reused / ${r.summaryMisses} computed`,
    );
    return diagnostics;
  }

  /** After a rebuild for `uri`: the other open documents whose functions the change can affect are refreshed. */
  private refreshAffected(uri: string, program: Program): void {
    const affected = program.lastRebuild.affected;
    for (const [path, other] of this.openPaths) {
      if (other === uri || this.programs.get(this.projectRootOf(path))?.program !== program) continue;
      if (affected === 'all') return this.refreshOthers(uri);
      const file = program.sourceOf(path);
      if (file?.functions.some((f) => affected.has(nodeOf(path, f.name)))) return this.refreshOthers(uri);
    }
  }

  /** Another document's findings may have changed: ask the client to pull again, or publish them. */
  private refreshOthers(except?: string): void {
    if (this.refreshTimer) clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(
      this.guard('refresh', undefined, () => {
        this.refreshTimer = undefined;
        if (this.pull) {
          if (this.refreshSupport) void this.connection.languages.diagnostics.refresh();
          return;
        }
        for (const uri of this.documents.keys()) if (uri !== except) this.schedule(uri, 0);
      }),
      this.settings.debounceMs * 2,
    );
  }

  private async reloadFromDisk(path: string): Promise<void> {
    if (!languageForPath(path)) return;
    if (this.isOpen(path)) return; // the editor's text wins
    const program = this.programHolding(path);
    if (!program) return;
    const r = await readSourceText(path, this.settings.maxFileSizeMiB * 1048576, this.settings.sourceCharset);
    if (this.isOpen(path)) return; // opened again meanwhile
    if (r.ok) program.setText(path, r.text);
    else program.remove(path);
  }

  private async watched(uri: string, type: number): Promise<void> {
    const path = uriToPath(uri);
    if (!path) return;
    if (path.endsWith(CONFIG_FILE_NAME)) {
      this.log(`ddi-lint: ${path} changed: configuration reloaded`);
      // a config file that appears or goes may start or end a project
      if (type !== FileChangeType.Changed) this.resetPrograms();
      this.configure();
      this.results.clear();
      this.refreshOthers();
      return;
    }
    if (type === FileChangeType.Deleted) {
      // a file, or a directory (clients report a deleted folder once): every file under it goes
      for (const { program } of this.programs.values()) {
        for (const p of program.paths()) if ((p === path || p.startsWith(path + sep)) && !this.isOpen(p)) program.remove(p);
      }
    } else if (languageForPath(path)) await this.reloadFromDisk(path);
    else {
      // a directory created or renamed into place: its files
      const program = this.programHolding(join(path, 'x.c'));
      if (program) {
        try {
          for (const f of (await listFiles([path], { cwd: path, useIgnore: true, config: this.resolver })).files) await this.reloadFromDisk(f);
        } catch {
          // not a directory, or unreadable: nothing to add
        }
      }
    }
    this.refreshOthers();
  }

  /** Read the C/C++ files of a project (in the background, a batch at a time). */
  private async scanProject(root: string, program: Program): Promise<void> {
    const t0 = performance.now();
    let files: string[] = [];
    try {
      files = (await listFiles([root], { cwd: root, useIgnore: true, config: this.resolver })).files;
    } catch (e) {
      this.connection.console.error(`ddi-lint: reading ${root} failed: ${e instanceof Error ? e.message : String(e)}`);
      return;
    }
    let read = 0;
    for (const f of files) {
      if (this.isOpen(f) || program.has(f)) continue;
      const r = await readSourceText(f, this.settings.maxFileSizeMiB * 1048576, this.settings.sourceCharset);
      if (r.ok) {
        if (!this.isOpen(f) && !program.has(f)) program.setText(f, r.text);
        read++;
      } else this.log(`ddi-lint: ${f}: ${r.reason}; not part of the program`);
      if (read % 50 === 0) await new Promise<void>((done) => setImmediate(done));
    }
    // the headers its files include from outside it (a shared inc/ directory), as on the command line
    let included = 0;
    const own = program.paths().flatMap((p) => {
      const text = program.textOf(p);
      return text === undefined ? [] : [{ path: p, text }];
    });
    for (const h of includedFiles(own, { maxBytes: this.settings.maxFileSizeMiB * 1048576, charset: this.settings.sourceCharset })) {
      if (this.isOpen(h.path) || program.has(h.path)) continue;
      program.setText(h.path, h.text);
      included++;
    }
    this.configureProgram(root, program); // the IRQL contracts of the config files of every directory read
    this.log(`ddi-lint: project ${root} read: ${read} C/C++ file(s)${included > 0 ? ` and ${included} included header(s) from outside it` : ''} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    this.refreshOthers();
  }

  private findingAt(uri: string, data: { ruleId?: string; line?: number; column?: number; function?: string }): LintMessage | undefined {
    const r = this.results.get(uri)?.result;
    return r?.messages.find((m) => m.ruleId === data.ruleId && m.line === data.line && (data.column === undefined || m.column === data.column));
  }

  private codeActions(uri: string, diagnostics: Diagnostic[]): CodeAction[] {
    const doc = this.documents.get(uri);
    const path = uriToPath(uri);
    if (!doc || !path) return [];
    const actions: CodeAction[] = [];
    const lines = doc.getText().split('\n');
    for (const d of diagnostics) {
      if (d.source !== 'ddi-lint' || typeof d.code !== 'string') continue;
      const rule = d.code;
      const line = d.range.start.line;
      const indent = /^[ \t]*/.exec(lines[line] ?? '')![0];
      actions.push({
        title: `Disable ${rule} for this line`,
        kind: CodeActionKind.QuickFix,
        diagnostics: [d],
        edit: this.edit(doc, [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText: `${indent}// ddi-lint-disable-next-line ${rule}\n` }]),
      });
      const data = (d.data ?? {}) as { function?: string; line?: number; column?: number };
      actions.push({
        title: `Show the simulated path (${rule})`,
        kind: `${CodeActionKind.QuickFix}.simulate`,
        diagnostics: [d],
        command: { title: 'Show the simulated path', command: SIMULATE_COMMAND, arguments: [uri, rule, data.line ?? line + 1, data.column ?? d.range.start.character + 1, data.function ?? ''] },
      });
      if (rule === 'mdl-probe-outside-try') {
        this.diagnosticsFor(uri); // the program and results of the current text
        const program = this.programFor(path);
        const file = program.sourceOf(path);
        const current = this.results.get(uri)?.result;
        const finding = this.findingAt(uri, { ruleId: rule, line: data.line ?? line + 1, column: data.column ?? d.range.start.character + 1 });
        if (file && current && finding) {
          const options = this.lintOptions(path);
          const fix = probeQuickFix(file, finding, current.messages, (text) => {
            try {
              const { project, file: fixedFile } = program.projectWith(path, text);
              return lintSource(fixedFile, { ...options, project }).messages;
            } catch {
              return undefined;
            }
          });
          if (fix) {
            actions.push({
              title: fix.title,
              kind: CodeActionKind.QuickFix,
              diagnostics: [d],
              isPreferred: true,
              edit: this.edit(doc, [{ range: fix.range, newText: fix.newText }]),
            });
          }
        }
      }
    }
    return actions;
  }

  /** A workspace edit of one document, tied to its version when the client supports that (it then refuses to apply it to a newer text). */
  private edit(doc: TextDocument, edits: { range: { start: { line: number; character: number }; end: { line: number; character: number } }; newText: string }[]): WorkspaceEdit {
    return this.workspaceEditVersions ? { documentChanges: [{ textDocument: { uri: doc.uri, version: doc.version }, edits }] } : { changes: { [doc.uri]: edits } };
  }

  private simulate(args: unknown[]): { title: string; text: string } | null {
    const [uri, ruleId, line, column, fnName] = args as [string, string, number, number, string];
    const path = typeof uri === 'string' ? uriToPath(uri) : undefined;
    if (!path) return null;
    if (this.documents.get(uri)) this.diagnosticsFor(uri);
    const program = this.programFor(path);
    const file = program.sourceOf(path);
    if (!file) return null;
    const project = program.current();
    const files = project.allFiles();
    if (!files.includes(file)) files.push(file);
    return simulatedPath(files, file, { ruleId: String(ruleId), line: Number(line), column: Number(column), function: String(fnName ?? '') }, this.root);
  }
}

/** Start the server on stdin/stdout; resolves with the exit code when the client says `exit`. */
export function startServer(connection: Connection = createConnection(ProposedFeatures.all)): Promise<number> {
  return new Server(connection).start();
}
