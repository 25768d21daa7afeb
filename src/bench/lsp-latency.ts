/**
 * Language-server latency (issue 6): the time from a one-character edit to fresh diagnostics, measured
 * end to end: `ddi-lint --lsp` is spawned, a generated driver file of about 5,000 lines is opened, and
 * each measured edit is a `textDocument/didChange` followed by a `textDocument/diagnostic` request; the
 * clock runs from sending the change to receiving the diagnostics (pipes, JSON-RPC, reparse, re-analysis
 * and suppressions included). Two kinds of edit: a character typed inside a function body (the common
 * case: the line structure stays) and a new line typed (every function below it moves, so their
 * findings are recomputed).
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseSource } from '../parse/parser.js';
import { generateFile, prng } from './corpus.js';

export interface LatencyResult {
  lines: number;
  functions: number;
  findings: number;
  firstMs: number;
  typing: { median: number; p95: number; n: number };
  newline: { median: number; p95: number; n: number };
}

function stats(xs: number[]): { median: number; p95: number; n: number } {
  const s = [...xs].sort((a, b) => a - b);
  const at = (q: number) => s[Math.min(s.length - 1, Math.floor(q * s.length))]!;
  return { median: at(0.5), p95: at(0.95), n: s.length };
}

export async function lspLatency(edits = 200, targetLines = 5000): Promise<LatencyResult> {
  // the protocol client is a development dependency
  const rpc = await import('vscode-languageserver-protocol/node');
  let text = generateFile(7, 3, 1).text;
  for (let size = 120000; text.split('\n').length < targetLines; size += 5000) text = generateFile(7, 3, size).text;
  const dir = mkdtempSync(join(tmpdir(), 'ddi-lint-lsp-bench-'));
  const path = join(dir, 'driver.c');
  writeFileSync(path, text);
  const uri = pathToFileURL(path).href;
  const bin = fileURLToPath(new URL('../../../bin/ddi-lint.js', import.meta.url));
  const proc = spawn(process.execPath, [bin, '--lsp', '--stdio'], { stdio: ['pipe', 'pipe', 'inherit'] });
  const conn = rpc.createProtocolConnection(new rpc.StreamMessageReader(proc.stdout!), new rpc.StreamMessageWriter(proc.stdin!));
  conn.onNotification('window/logMessage', () => undefined);
  conn.onRequest('client/registerCapability', () => null);
  conn.onRequest('workspace/diagnostic/refresh', () => null);
  conn.listen();
  try {
    await conn.sendRequest('initialize', {
      processId: process.pid,
      rootUri: pathToFileURL(dir).href,
      workspaceFolders: [{ uri: pathToFileURL(dir).href, name: 'bench' }],
      capabilities: { textDocument: { diagnostic: {} }, workspace: { diagnostics: { refreshSupport: true } } },
      initializationOptions: { scanWorkspace: false },
    });
    await conn.sendNotification('initialized', {});
    await conn.sendNotification('textDocument/didOpen', { textDocument: { uri, languageId: 'c', version: 1, text } });
    const pull = async () => ((await conn.sendRequest('textDocument/diagnostic', { textDocument: { uri } })) as { items: unknown[] }).items;
    let t = performance.now();
    const first = await pull();
    const firstMs = performance.now() - t;
    // the places where a character can be typed without changing the syntax: just after a body's `{`
    const lines = text.split('\n');
    const bodyLines = lines.map((l, i) => (/^\{\s*$/.test(l) || /\)\s*\{\s*$/.test(l) ? i : -1)).filter((i) => i >= 0);
    const rnd = prng(11);
    const typing: number[] = [];
    const newline: number[] = [];
    let version = 1;
    for (let k = 0; k < edits; k++) {
      const nl = k % 5 === 4; // one edit in five types a new line
      const line = bodyLines[Math.floor(rnd() * bodyLines.length)]! + 1; // the line after the `{`
      const change = nl
        ? { range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: '\n' }
        : { range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: ' ' };
      t = performance.now();
      await conn.sendNotification('textDocument/didChange', { textDocument: { uri, version: ++version }, contentChanges: [change] });
      await pull();
      (nl ? newline : typing).push(performance.now() - t);
      if (nl) for (let i = 0; i < bodyLines.length; i++) if (bodyLines[i]! >= line) bodyLines[i]!++;
    }
    await conn.sendRequest('shutdown');
    await conn.sendNotification('exit');
    return {
      lines: lines.length,
      functions: parseSource(path, text).functions.length,
      findings: first.length,
      firstMs,
      typing: stats(typing),
      newline: stats(newline),
    };
  } finally {
    conn.dispose();
    proc.kill();
    rmSync(dir, { recursive: true, force: true });
  }
}
