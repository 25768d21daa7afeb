/**
 * A JSON-RPC client for the end-to-end tests of the language server: spawns `ddi-lint --lsp --stdio`
 * (the real command, over real pipes) and speaks LSP to it with `vscode-languageserver-protocol`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath, pathToFileURL } from 'node:url';
import {
  createProtocolConnection,
  StreamMessageReader,
  StreamMessageWriter,
  type ProtocolConnection,
  type PublishDiagnosticsParams,
  type Diagnostic,
  type ClientCapabilities,
} from 'vscode-languageserver-protocol/node';

const BIN = fileURLToPath(new URL('../../bin/ddi-lint.js', import.meta.url));

export const uriOf = (path: string) => pathToFileURL(path).href;

export class LspClient {
  readonly proc: ChildProcess;
  readonly conn: ProtocolConnection;
  readonly published: PublishDiagnosticsParams[] = [];
  readonly logs: string[] = [];
  readonly shown: string[] = [];
  stderr = '';
  refreshes = 0;
  private waiters: (() => void)[] = [];

  constructor() {
    this.proc = spawn(process.execPath, [BIN, '--lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'pipe'] });
    this.proc.stderr!.on('data', (d) => (this.stderr += String(d)));
    this.conn = createProtocolConnection(new StreamMessageReader(this.proc.stdout!), new StreamMessageWriter(this.proc.stdin!));
    this.conn.onNotification('textDocument/publishDiagnostics', (p: PublishDiagnosticsParams) => {
      this.published.push(p);
      this.wake();
    });
    this.conn.onNotification('window/logMessage', (p: { message: string }) => {
      this.logs.push(p.message);
      this.wake();
    });
    this.conn.onNotification('window/showMessage', (p: { message: string }) => {
      this.shown.push(p.message);
      this.wake();
    });
    this.conn.onRequest('client/registerCapability', () => null);
    this.conn.onRequest('workspace/diagnostic/refresh', () => {
      this.refreshes++;
      this.wake();
      return null;
    });
    this.conn.onRequest('window/showMessageRequest', (p: { message: string }) => {
      this.shown.push(p.message);
      this.wake();
      return null;
    });
    this.conn.listen();
  }

  private wake(): void {
    const w = this.waiters;
    this.waiters = [];
    for (const f of w) f();
  }

  /** Resolves when `pred` holds (checked after every notification), or rejects after `ms`. */
  until(pred: () => boolean, ms = 20000, what = 'condition'): Promise<void> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`timed out waiting for ${what}; stderr: ${this.stderr.slice(-2000)}`)), ms);
      const check = () => {
        if (pred()) {
          clearTimeout(timer);
          resolve();
        } else this.waiters.push(check);
      };
      check();
    });
  }

  async initialize(root: string, opts: { pull: boolean; initializationOptions?: Record<string, unknown> }): Promise<{ capabilities: Record<string, unknown> }> {
    const capabilities: ClientCapabilities = {
      textDocument: {
        synchronization: { didSave: true },
        publishDiagnostics: { relatedInformation: true, versionSupport: true },
        codeAction: { codeActionLiteralSupport: { codeActionKind: { valueSet: ['quickfix'] } } },
        ...(opts.pull ? { diagnostic: { dynamicRegistration: false, relatedDocumentSupport: false } } : {}),
      },
      workspace: { didChangeWatchedFiles: { dynamicRegistration: true }, ...(opts.pull ? { diagnostics: { refreshSupport: true } } : {}) },
    };
    const r = (await this.conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: uriOf(root),
      workspaceFolders: [{ uri: uriOf(root), name: 'ws' }],
      capabilities,
      initializationOptions: opts.initializationOptions ?? {},
    })) as { capabilities: Record<string, unknown> };
    await this.conn.sendNotification('initialized', {});
    return r;
  }

  open(path: string, text: string, version = 1): Promise<void> {
    return this.conn.sendNotification('textDocument/didOpen', { textDocument: { uri: uriOf(path), languageId: path.endsWith('.cpp') ? 'cpp' : 'c', version, text } });
  }

  change(path: string, version: number, changes: unknown[]): Promise<void> {
    return this.conn.sendNotification('textDocument/didChange', { textDocument: { uri: uriOf(path), version }, contentChanges: changes });
  }

  async pull(path: string): Promise<Diagnostic[]> {
    const r = (await this.conn.sendRequest('textDocument/diagnostic', { textDocument: { uri: uriOf(path) } })) as { kind: string; items: Diagnostic[] };
    return r.items;
  }

  async shutdown(): Promise<number | null> {
    const exited = new Promise<number | null>((done) => this.proc.once('exit', (code) => done(code)));
    try {
      await this.conn.sendRequest('shutdown');
      await this.conn.sendNotification('exit');
    } catch {
      this.proc.kill();
    }
    const code = await exited;
    this.conn.dispose();
    return code;
  }
}
