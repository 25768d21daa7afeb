// ddi-lint for VS Code: starts `ddi-lint --lsp` (stdio) for C and C++ documents. Findings appear as
// diagnostics (rule id linked to its page, the explanation path as related information); the light bulb
// offers "Disable RULE for this line", "Show the simulated path" (opened here as a read-only document)
// and, for a bare MmProbeAndLockPages, a verified __try/__except fix.
'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vscode = require('vscode');
const { LanguageClient, TransportKind } = require('vscode-languageclient/node');

const TRACE_SCHEME = 'ddi-lint-trace';
let client;
const traces = new Map();

/** The server command: the setting, else the workspace's local install, else `ddi-lint` on the PATH. */
function serverCommand(config, folders) {
  const configured = config.get('path');
  // (a .js entry runs on the `node` of the PATH, Node.js 20 or later: VS Code's own runtime cannot load
  // the parser's native module)
  if (configured) return configured.endsWith('.js') ? { command: 'node', args: [configured] } : { command: configured, args: [] };
  for (const f of folders || []) {
    const local = path.join(f.uri.fsPath, 'node_modules', 'ddi-lint', 'bin', 'ddi-lint.js');
    if (fs.existsSync(local)) return { command: 'node', args: [local] };
  }
  return { command: process.platform === 'win32' ? 'ddi-lint.cmd' : 'ddi-lint', args: [] };
}

function createClient(context) {
  const config = vscode.workspace.getConfiguration('ddi-lint');
  const { command, args } = serverCommand(config, vscode.workspace.workspaceFolders);
  const run = { command, args: [...args, '--lsp'], transport: TransportKind.stdio };
  const clientOptions = {
    documentSelector: [
      { scheme: 'file', language: 'c' },
      { scheme: 'file', language: 'cpp' },
    ],
    synchronize: { fileEvents: vscode.workspace.createFileSystemWatcher('**/{*.c,*.h,*.cpp,*.cc,*.cxx,*.hpp,*.hxx,*.hh,ddi-lint.config.json}') },
    initializationOptions: {
      debounceMs: config.get('debounceMs'),
      maxFileSizeMiB: config.get('maxFileSizeMiB'),
      sourceCharset: config.get('sourceCharset'),
      // the extension opens simulated paths itself, as documents
      clientShowsTraces: true,
    },
  };
  return new LanguageClient('ddi-lint', 'ddi-lint', { run, debug: run }, clientOptions);
}

async function showSimulatedPath(...args) {
  if (!client) return;
  const r = await client.sendRequest('ddi-lint/simulatedPath', args);
  if (!r) {
    void vscode.window.showWarningMessage('ddi-lint: nothing to simulate here');
    return;
  }
  const uri = vscode.Uri.from({ scheme: TRACE_SCHEME, path: `/simulated-path-${traces.size + 1}.txt` });
  traces.set(uri.toString(), `${r.title}\n\n${r.text}`);
  const doc = await vscode.workspace.openTextDocument(uri);
  await vscode.window.showTextDocument(doc, { preview: true, viewColumn: vscode.ViewColumn.Beside });
}

async function activate(context) {
  context.subscriptions.push(
    vscode.workspace.registerTextDocumentContentProvider(TRACE_SCHEME, { provideTextDocumentContent: (uri) => traces.get(uri.toString()) || '' }),
    vscode.commands.registerCommand('ddi-lint.showSimulatedPath', showSimulatedPath),
    vscode.commands.registerCommand('ddi-lint.restart', async () => {
      if (client) await client.stop();
      client = createClient(context);
      await client.start();
    }),
  );
  client = createClient(context);
  await client.start();
}

async function deactivate() {
  if (client) await client.stop();
  client = undefined;
}

module.exports = { activate, deactivate, serverCommand };
