/**
 * The VS Code extension (editors/vscode) against a stand-in of the `vscode` and
 * `vscode-languageclient` APIs: it starts `ddi-lint --lsp` over stdio for C and C++ documents, tells
 * the server it shows simulated paths itself, and opens the path the server returns as a document.
 */
import { existsSync, readFileSync } from 'node:fs';
import Module, { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const EXT = new URL('../../editors/vscode/', import.meta.url).pathname;

describe('VS Code extension', () => {
  it('declares its entry point, activation on C/C++ and its settings', () => {
    const pkg = JSON.parse(readFileSync(`${EXT}package.json`, 'utf8'));
    expect(existsSync(`${EXT}${pkg.main}`)).toBe(true);
    expect(pkg.activationEvents).toEqual(expect.arrayContaining(['onLanguage:c', 'onLanguage:cpp']));
    expect(Object.keys(pkg.contributes.configuration.properties)).toEqual(expect.arrayContaining(['ddi-lint.path', 'ddi-lint.debounceMs', 'ddi-lint.maxFileSizeMiB']));
    expect(pkg.dependencies['vscode-languageclient']).toBeDefined();
  });

  it('launches the server with --lsp and opens simulated paths as documents', async () => {
    const created: { id: string; server: { run: { command: string; args: string[]; transport: number } }; client: Record<string, unknown> }[] = [];
    const requests: [string, unknown][] = [];
    const commands = new Map<string, (...a: unknown[]) => unknown>();
    const providers = new Map<string, { provideTextDocumentContent(u: { toString(): string }): string }>();
    const opened: string[] = [];
    class FakeClient {
      constructor(id: string, _name: string, server: never, client: Record<string, unknown>) {
        created.push({ id, server, client });
      }
      start() {
        return Promise.resolve();
      }
      stop() {
        return Promise.resolve();
      }
      sendRequest(method: string, params: unknown) {
        requests.push([method, params]);
        return Promise.resolve({ title: 'ddi-lint: locked-at-exit at line 9 of F', text: 'FAULT locked-at-exit at line 9\n  shortest path' });
      }
    }
    const fakeVscode = {
      workspace: {
        getConfiguration: () => ({ get: (k: string) => ({ path: '', debounceMs: 150, maxFileSizeMiB: 16 })[k] }),
        workspaceFolders: [],
        createFileSystemWatcher: (glob: string) => ({ glob }),
        registerTextDocumentContentProvider: (scheme: string, p: never) => (providers.set(scheme, p), { dispose() {} }),
        openTextDocument: async (uri: { toString(): string }) => {
          opened.push(providers.get('ddi-lint-trace')!.provideTextDocumentContent(uri));
          return {};
        },
      },
      window: { showTextDocument: async () => undefined, showWarningMessage: async () => undefined },
      commands: { registerCommand: (id: string, fn: (...a: unknown[]) => unknown) => (commands.set(id, fn), { dispose() {} }) },
      Uri: { from: (c: { scheme: string; path: string }) => ({ toString: () => `${c.scheme}:${c.path}` }) },
      ViewColumn: { Beside: -2 },
    };
    const fakes: Record<string, unknown> = { vscode: fakeVscode, 'vscode-languageclient/node': { LanguageClient: FakeClient, TransportKind: { stdio: 0 } } };
    const M = Module as unknown as { _load: (req: string, parent: unknown, isMain: boolean) => unknown };
    const load = M._load;
    M._load = (req, parent, isMain) => (req in fakes ? fakes[req] : load(req, parent, isMain));
    try {
      const ext = createRequire(import.meta.url)(`${EXT}extension.js`) as { activate(c: { subscriptions: unknown[] }): Promise<void> };
      await ext.activate({ subscriptions: [] });
    } finally {
      M._load = load;
    }
    expect(created).toHaveLength(1);
    const c = created[0]!;
    expect(c.server.run.args).toContain('--lsp');
    expect(c.server.run.command).toMatch(/ddi-lint/);
    expect((c.client.documentSelector as { language: string }[]).map((s) => s.language)).toEqual(['c', 'cpp']);
    expect(c.client.initializationOptions).toMatchObject({ clientShowsTraces: true, debounceMs: 150 });
    // the command of the "Show the simulated path" code action
    await commands.get('ddi-lint.showSimulatedPath')!('file:///w/a.c', 'mdl-unmatched-lock', 9, 5, 'F');
    expect(requests).toEqual([['ddi-lint/simulatedPath', ['file:///w/a.c', 'mdl-unmatched-lock', 9, 5, 'F']]]);
    expect(opened[0]).toMatch(/^ddi-lint: locked-at-exit at line 9 of F\n\nFAULT/);
    expect(commands.has('ddi-lint.restart')).toBe(true);
  });
});
