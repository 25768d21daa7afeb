/**
 * End to end: `ddi-lint --lsp` spawned over real stdio, spoken to by a JSON-RPC client. A temporary
 * workspace holds copies of fixture directories; the tests open documents, edit them, and check the
 * diagnostics (against the linter run in-process on the same files), code actions, the simulated path,
 * configuration reload, cross-file summaries from files on disk, and robustness.
 */
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CodeAction, Diagnostic, TextEdit } from 'vscode-languageserver-protocol';
import { lintText, prepareProject } from '../../src/lint/linter.js';
import { LspClient, uriOf } from '../support/lsp-client.js';

const FIXTURES = new URL('../../fixtures/', import.meta.url).pathname;

function applyEdits(text: string, edits: TextEdit[]): string {
  const lines = text.split('\n');
  const offset = (p: { line: number; character: number }) => lines.slice(0, p.line).reduce((n, l) => n + l.length + 1, 0) + p.character;
  const sorted = [...edits].sort((a, b) => offset(b.range.start) - offset(a.range.start));
  let out = text;
  for (const e of sorted) out = out.slice(0, offset(e.range.start)) + e.newText + out.slice(offset(e.range.end));
  return out;
}

function mkdtempDir(parent: string, name: string): string {
  const d = join(parent, name);
  mkdirSync(d, { recursive: true });
  return d;
}

const brief = (ds: Diagnostic[]) => ds.map((d) => `${d.range.start.line + 1}:${d.range.start.character + 1} ${d.code}`).sort();

function cliFindings(dir: string, path: string): string[] {
  const inputs = ['helpers.c', 'goto-cleanup.c', 'flags.c'].map((f) => ({ path: join(dir, f), text: readFileSync(join(dir, f), 'utf8') }));
  const project = prepareProject(inputs, dir);
  const r = lintText(readFileSync(path, 'utf8'), path, { project });
  return r.messages.map((m) => `${m.line}:${m.column} ${m.ruleId}`).sort();
}

describe('language server (pull diagnostics)', () => {
  let ws: string;
  let client: LspClient;
  beforeAll(async () => {
    ws = mkdtempSync(join(tmpdir(), 'ddi-lsp-'));
    for (const f of ['helpers.c', 'goto-cleanup.c', 'flags.c']) cpSync(join(FIXTURES, 'mdl-unmatched-lock', f), join(ws, f));
    cpSync(join(FIXTURES, 'mdl-probe-outside-try', 'direct_io_basics.c'), join(ws, 'sub', 'direct_io_basics.c'), { recursive: true });
    client = new LspClient();
    const init = await client.initialize(ws, { pull: true });
    expect(init.capabilities.diagnosticProvider).toMatchObject({ interFileDependencies: true });
  }, 30000);
  afterAll(async () => {
    expect(await client.shutdown()).toBe(0);
    rmSync(ws, { recursive: true, force: true });
  });

  it('gives the findings the command line gives, with rule id, doc link, severity and explanation path', async () => {
    const path = join(ws, 'helpers.c');
    const text = readFileSync(path, 'utf8');
    await client.open(path, text);
    // the project's other files (here: the workspace folder) are read in the background
    await client.until(() => client.logs.some((l) => l.includes(`project ${ws} read`)), 20000, 'the workspace scan');
    const ds = await client.pull(path);
    expect(ds.length).toBeGreaterThan(3);
    expect(brief(ds)).toEqual(cliFindings(ws, path));
    for (const d of ds) {
      expect(d.source).toBe('ddi-lint');
      expect(d.codeDescription?.href).toMatch(new RegExp(`docs/rules/${d.code}\\.md$`));
      expect(d.severity).toBe(1); // error (the rules' default)
    }
    const leak = ds.find((d) => d.code === 'mdl-unmatched-lock')!;
    expect(leak.relatedInformation?.some((r) => /locked/.test(r.message))).toBe(true);
    expect(leak.relatedInformation![0]!.location.uri).toBe(uriOf(path));
  });

  it('follows edits: a removed unlock is a new finding, positions shift with inserted lines', async () => {
    const path = join(ws, 'goto-cleanup.c');
    let text = readFileSync(path, 'utf8');
    await client.open(path, text);
    const before = await client.pull(path);
    // insert two blank lines at the top: every finding moves down by two
    await client.change(path, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '\n\n' }]);
    text = `\n\n${text}`;
    const shifted = await client.pull(path);
    expect(shifted.map((d) => d.range.start.line)).toEqual(before.map((d) => d.range.start.line + 2));
    // delete the first MmUnlockPages(...) statement of a function with no finding
    const lines = text.split('\n');
    const k = lines.findIndex((l, i) => /^\s*MmUnlockPages\(\w+\);\s*$/.test(l) && !before.some((d) => Math.abs(d.range.start.line + 2 - i) < 30));
    expect(k).toBeGreaterThan(0);
    await client.change(path, 3, [{ range: { start: { line: k, character: 0 }, end: { line: k + 1, character: 0 } }, text: '' }]);
    const after = await client.pull(path);
    expect(after.length, JSON.stringify(brief(after))).toBeGreaterThan(shifted.length);
    expect(after.some((d) => Math.abs(d.range.start.line - k) < 40 && !shifted.some((s) => s.range.start.line === d.range.start.line)), JSON.stringify([k, brief(shifted), brief(after)])).toBe(true);
    // a character typed inside the last function: the other functions' findings are reused
    const last = text.split('\n').length - 3;
    await client.change(path, 4, [{ range: { start: { line: last, character: 0 }, end: { line: last, character: 0 } }, text: ' ' }]);
    expect(brief(await client.pull(path))).toEqual(brief(after));
    expect(client.logs.at(-1)).toMatch(/v4: \d+ finding\(s\); 1 function\(s\) analyzed, [1-9]\d* reused/);
  });

  it('offers "Disable RULE for this line", which suppresses the finding', async () => {
    const path = join(ws, 'flags.c');
    let text = readFileSync(path, 'utf8');
    await client.open(path, text);
    const ds = await client.pull(path);
    const d = ds[0]!;
    const actions = (await client.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri: uriOf(path) },
      range: d.range,
      context: { diagnostics: [d] },
    })) as CodeAction[];
    const disable = actions.find((a) => a.title === `Disable ${d.code} for this line`)!;
    expect(disable).toBeDefined();
    const edits = disable.edit!.changes![uriOf(path)]!;
    expect(edits[0]!.newText).toMatch(new RegExp(`^\\s*// ddi-lint-disable-next-line ${d.code}\\n$`));
    text = applyEdits(text, edits);
    await client.change(path, 2, [{ text }]);
    const after = await client.pull(path);
    expect(after.length).toBe(ds.length - 1);
    expect(actions.some((a) => a.command?.command === 'ddi-lint.showSimulatedPath')).toBe(true);
  });

  it('wraps a bare probe in __try/__except where that is safe, and the finding goes away', async () => {
    const path = join(ws, 'sub', 'direct_io_basics.c');
    let text = readFileSync(path, 'utf8');
    await client.open(path, text);
    const ds = (await client.pull(path)).filter((d) => d.code === 'mdl-probe-outside-try');
    const target = ds.find((d) => text.split('\n')[d.range.start.line]!.includes('MmProbeAndLockPages(mdl, UserMode, IoReadAccess); // expect'))!;
    const actions = (await client.conn.sendRequest('textDocument/codeAction', {
      textDocument: { uri: uriOf(path) },
      range: target.range,
      context: { diagnostics: [target] },
    })) as CodeAction[];
    const fix = actions.find((a) => a.title.startsWith('Wrap MmProbeAndLockPages in __try/__except'));
    expect(fix, JSON.stringify(actions.map((a) => a.title))).toBeDefined();
    const edit = fix!.edit!.changes![uriOf(path)]!;
    expect(edit[0]!.newText).toContain('__except (EXCEPTION_EXECUTE_HANDLER)');
    expect(edit[0]!.newText).toContain('IoFreeMdl(mdl);');
    text = applyEdits(text, edit);
    await client.change(path, 2, [{ text }]);
    const after = (await client.pull(path)).filter((d) => d.code === 'mdl-probe-outside-try');
    expect(after.length).toBe(ds.length - 1);
  });

  it('shows the simulated path of a finding, with the bug check', async () => {
    const path = join(ws, 'helpers.c');
    const ds = await client.pull(path);
    const leak = ds.find((d) => d.code === 'mdl-unmatched-lock')!;
    const data = leak.data as { line: number; column: number; function: string };
    const r = (await client.conn.sendRequest('workspace/executeCommand', {
      command: 'ddi-lint.showSimulatedPath',
      arguments: [uriOf(path), leak.code, data.line, data.column, data.function],
    })) as { title: string; text: string };
    expect(r.title).toMatch(/locked-at-exit/);
    expect(r.text).toMatch(/FAULT|BUG CHECK/);
    expect(r.text).toMatch(/shortest path/);
    await client.until(() => client.shown.some((s) => s.includes('locked-at-exit')), 5000, 'the message');
  });

  it('reloads the configuration when ddi-lint.config.json changes', async () => {
    const path = join(ws, 'helpers.c');
    const before = await client.pull(path);
    expect(before.some((d) => d.code === 'mdl-unmatched-lock')).toBe(true);
    const cfg = join(ws, 'ddi-lint.config.json');
    writeFileSync(cfg, JSON.stringify({ rules: { 'mdl-unmatched-lock': 'warn', 'mdl-free-while-locked': 'off' } }));
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(cfg), type: 1 }] });
    await client.until(() => client.logs.some((l) => l.includes('configuration reloaded')), 5000, 'the reload');
    const after = await client.pull(path);
    expect(after.some((d) => d.code === 'mdl-free-while-locked')).toBe(false);
    expect(after.filter((d) => d.code === 'mdl-unmatched-lock').every((d) => d.severity === 2)).toBe(true);
    // an invalid file: an error message, the previous configuration stays
    writeFileSync(cfg, '{ "rules": ');
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(cfg), type: 2 }] });
    await client.until(() => client.shown.some((s) => s.includes('ddi-lint.config.json')), 5000, 'the error message');
    expect((await client.pull(path)).some((d) => d.code === 'mdl-free-while-locked')).toBe(false);
    rmSync(cfg);
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(cfg), type: 3 }] });
    await client.until(() => client.logs.filter((l) => l.includes('configuration reloaded')).length >= 3, 5000, 'the reload');
    expect(brief(await client.pull(path))).toEqual(brief(before));
  });

  it('uses the summaries of helpers in files that are not open, and refreshes when they change on disk', async () => {
    // goto-cleanup.c (open) is linted with the helpers of the other files; a helper file edited on disk
    // is read again
    const helpers = join(ws, 'helpers.c');
    await client.conn.sendNotification('textDocument/didClose', { textDocument: { uri: uriOf(helpers) } });
    const refreshes = client.refreshes;
    writeFileSync(helpers, `${readFileSync(helpers, 'utf8')}\n/* edited on disk */\n`);
    await client.conn.sendNotification('workspace/didChangeWatchedFiles', { changes: [{ uri: uriOf(helpers), type: 2 }] });
    await client.until(() => client.refreshes > refreshes, 5000, 'a diagnostics refresh');
  });

  it('answers for a document that does not parse, and for an empty one', async () => {
    const path = join(ws, 'broken.c');
    await client.open(path, 'NTSTATUS F(PMDL m) { MmProbeAndLockPages(m, UserMode, IoReadAccess); if ( { } } }} ((( \u0000 \uFFFD');
    expect(Array.isArray(await client.pull(path))).toBe(true);
    const empty = join(ws, 'empty.c');
    await client.open(empty, '');
    expect(await client.pull(empty)).toEqual([]);
  });
});

describe('language server (published diagnostics)', () => {
  let ws: string;
  let client: LspClient;
  beforeAll(async () => {
    ws = mkdtempSync(join(tmpdir(), 'ddi-lsp-push-'));
    cpSync(join(FIXTURES, 'mdl-unmatched-lock', 'goto-cleanup.c'), join(ws, 'goto-cleanup.c'));
    client = new LspClient();
    const init = await client.initialize(ws, { pull: false, initializationOptions: { debounceMs: 50, maxFileSizeMiB: 1 } });
    expect(init.capabilities.diagnosticProvider).toBeUndefined();
  }, 30000);
  afterAll(async () => {
    expect(await client.shutdown()).toBe(0);
    rmSync(ws, { recursive: true, force: true });
  });

  it('publishes on open, and after 1,000 rapid edits publishes once for the last version', async () => {
    const path = join(ws, 'goto-cleanup.c');
    const text = readFileSync(path, 'utf8');
    await client.open(path, text, 1);
    await client.until(() => client.published.some((p) => p.uri === uriOf(path)), 20000, 'published diagnostics');
    const first = client.published.find((p) => p.uri === uriOf(path))!;
    expect(brief(first.diagnostics).length).toBeGreaterThan(0);
    // 1,000 one-character edits a few milliseconds apart (a space typed and deleted at the top)
    const count = client.published.length;
    for (let v = 2; v <= 1001; v++) {
      const insert = v % 2 === 0;
      await client.change(path, v, [
        insert
          ? { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: ' ' }
          : { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } }, text: '' },
      ]);
      if (v % 100 === 0) await new Promise((r) => setTimeout(r, 2));
    }
    await client.until(() => client.published.some((p) => p.uri === uriOf(path) && p.version === 1001), 20000, 'the last version');
    const last = client.published.filter((p) => p.uri === uriOf(path)).pop()!;
    expect(last.version).toBe(1001);
    expect(brief(last.diagnostics)).toEqual(brief(first.diagnostics));
    // debounced: far fewer publications than edits
    expect(client.published.length - count).toBeLessThan(50);
  });

  it('with two documents open and no edit, publishing stops (no refresh loop)', async () => {
    const a = join(ws, 'goto-cleanup.c');
    const b = join(ws, 'second.c');
    writeFileSync(b, readFileSync(a, 'utf8'));
    await client.open(b, readFileSync(b, 'utf8'), 1);
    await client.until(() => client.published.some((p) => p.uri === uriOf(b)), 20000, 'published diagnostics');
    await new Promise((r) => setTimeout(r, 600)); // debounce 50 ms: any refresh would have happened
    const settled = client.published.length;
    await new Promise((r) => setTimeout(r, 800));
    expect(client.published.length).toBe(settled);
  });

  it('does not analyze a document over the size limit, and says so on line 1', async () => {
    const path = join(ws, 'huge.c');
    const body = 'VOID F(VOID) { ULONG x = 0; x++; }\n'.repeat(40000);
    await client.open(path, body, 1);
    await client.until(() => client.published.some((p) => p.uri === uriOf(path)), 20000, 'published diagnostics');
    const p = client.published.find((q) => q.uri === uriOf(path))!;
    expect(p.diagnostics).toHaveLength(1);
    expect(p.diagnostics[0]!.message).toMatch(/over the 1 MiB limit: not analyzed/);
  });
});

describe('language server (one program per driver project)', () => {
  it('reads the headers its files include from outside the project (a shared inc/ directory), as the command line does', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'ddi-lsp-inc-'));
    const read = `#include "..\\Inc\\Complete.h"
DRIVER_DISPATCH Read;
NTSTATUS Read(PDEVICE_OBJECT D, PIRP Irp)
{
    PUCHAR va = (PUCHAR)MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority);
    UNREFERENCED_PARAMETER(D);
    if (va == NULL) {
        COMPLETE_AND_RETURN(Irp, STATUS_INSUFFICIENT_RESOURCES);
    }
    va[0] = 0;
    COMPLETE_AND_RETURN(Irp, STATUS_SUCCESS);
}
`;
    writeFileSync(join(mkdtempDir(ws, 'inc'), 'complete.h'), '#define COMPLETE_AND_RETURN(Irp, s) (Irp)->IoStatus.Status = (s); IoCompleteRequest((Irp), IO_NO_INCREMENT); return (s);\n');
    writeFileSync(join(mkdtempDir(ws, 'drv'), 'drv.vcxproj'), '<Project/>');
    const path = join(ws, 'drv', 'read.c');
    writeFileSync(path, read);
    const client = new LspClient();
    try {
      await client.initialize(ws, { pull: true });
      await client.open(path, read);
      await client.until(() => client.logs.some((l) => l.includes(`project ${join(ws, 'drv')} read: `)), 20000, 'the scan of drv');
      // without the header's macro, the NULL check would not return and va[0] would be flagged
      expect(lintText(read, path).messages.map((m) => m.ruleId)).toEqual(['mdl-unchecked-system-address']);
      expect(brief(await client.pull(path))).toEqual([]);
      // a document that gains an #include of a header the program does not hold brings it in
      writeFileSync(join(ws, 'inc', 'done.h'), '#define DONE_AND_RETURN(Irp) IoCompleteRequest((Irp), IO_NO_INCREMENT); return STATUS_SUCCESS;\n');
      const other = join(ws, 'drv', 'write.c');
      const body = read.replace('#include "..\\\\Inc\\\\Complete.h"', '').replace(/Read/g, 'Write').replace(/COMPLETE_AND_RETURN\(Irp, [A-Z_]+\)/g, 'DONE_AND_RETURN(Irp)');
      await client.open(other, body);
      expect(brief(await client.pull(other))).toEqual(['10:5 mdl-unchecked-system-address']);
      await client.change(other, 2, [{ range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } }, text: '#include "../inc/done.h"' }]);
      expect(brief(await client.pull(other))).toEqual([]);
    } finally {
      await client.shutdown();
      rmSync(ws, { recursive: true, force: true });
    }
  });

  it('links each document with the helpers of its own project (*.vcxproj), as ddi-lint DIR does', async () => {
    const ws = mkdtempSync(join(tmpdir(), 'ddi-lsp-proj-'));
    const main = `NTSTATUS DoIt(PVOID Buffer, ULONG Length)
{
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    NTSTATUS status;
    if (mdl == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    status = LockIt(mdl);
    if (!NT_SUCCESS(status)) {
        IoFreeMdl(mdl);
        return status;
    }
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}
`;
    const helper = {
      a: 'NTSTATUS LockIt(PMDL Mdl)\n{\n    __try {\n        MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);\n    } __except (EXCEPTION_EXECUTE_HANDLER) {\n        return GetExceptionCode();\n    }\n    return STATUS_SUCCESS;\n}\n',
      b: 'NTSTATUS LockIt(PMDL Mdl)\n{\n    UNREFERENCED_PARAMETER(Mdl);\n    return STATUS_SUCCESS;\n}\n',
    };
    for (const d of ['a', 'b'] as const) {
      cpSync(join(FIXTURES, 'samples', 'memlock', 'memlock.c'), join(ws, d, 'unrelated.c'), { recursive: true });
      writeFileSync(join(ws, d, `${d}.vcxproj`), '<Project/>');
      writeFileSync(join(ws, d, 'helper.c'), helper[d]);
      writeFileSync(join(ws, d, 'main.c'), main);
    }
    const client = new LspClient();
    try {
      await client.initialize(ws, { pull: true });
      for (const d of ['a', 'b']) {
        const path = join(ws, d, 'main.c');
        await client.open(path, main);
        await client.until(() => client.logs.some((l) => l.includes(`project ${join(ws, d)} read`)), 20000, `the scan of ${d}`);
        const ds = await client.pull(path);
        const project = prepareProject(['helper.c', 'main.c', 'unrelated.c'].map((f) => ({ path: join(ws, d, f), text: readFileSync(join(ws, d, f), 'utf8') })), join(ws, d));
        expect(brief(ds)).toEqual(lintText(main, path, { project }).messages.map((m) => `${m.line}:${m.column} ${m.ruleId}`).sort());
        // project a's LockIt locks the pages: freeing the MDL after it is a finding; project b's does not
        expect(ds.map((d) => d.code)).toEqual(d === 'a' ? ['mdl-free-while-locked'] : []);
      }
    } finally {
      await client.shutdown();
      rmSync(ws, { recursive: true, force: true });
    }
  });
});

describe('language server (files on disk in a code page)', () => {
  // a helper saved in Windows-1252 (a curly quote and a dash in its comment), not open in the editor: its
  // summary (it locks the MDL) makes the open caller's IoFreeMdl a free of a locked MDL
  const HELPER = Buffer.from('/* Lock the caller\x92s buffer \x96 saved by a Windows editor */\nVOID LockIt(PMDL Mdl)\n{\n    MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);\n}\n', 'latin1');
  const CALLER = `NTSTATUS Caller(PVOID Buffer, ULONG Length)
{
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        LockIt(mdl);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}
`;
  const findingsWith = async (initializationOptions: Record<string, unknown>) => {
    const ws = mkdtempSync(join(tmpdir(), 'ddi-lsp-cp-'));
    writeFileSync(join(ws, 'helper.c'), HELPER);
    writeFileSync(join(ws, 'caller.c'), CALLER);
    const client = new LspClient();
    try {
      await client.initialize(ws, { pull: true, initializationOptions });
      await client.open(join(ws, 'caller.c'), CALLER);
      await client.until(() => client.logs.some((l) => l.includes(`project ${ws} read`)), 20000, 'the project read');
      return { found: brief(await client.pull(join(ws, 'caller.c'))), logs: client.logs };
    } finally {
      expect(await client.shutdown()).toBe(0);
      rmSync(ws, { recursive: true, force: true });
    }
  };

  it('reads them in Windows-1252 by default, and not at all with sourceCharset utf-8', async () => {
    expect((await findingsWith({})).found).toEqual(['11:5 mdl-free-while-locked']);
    const strict = await findingsWith({ sourceCharset: 'utf-8' });
    expect(strict.found).toEqual([]);
    expect(strict.logs.some((l) => /helper\.c: not valid UTF-8 text .*; not part of the program/.test(l))).toBe(true);
  }, 60000);
});
