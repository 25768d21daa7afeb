/**
 * `--cache`: a second run re-analyzes nothing and gives the same results; a change re-lints the files
 * whose findings it can change (the file, and the files it shares functions with), and only those.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { engine } from '../../src/cli/main.js';
import { runCli, type LintEngine } from '../../src/cli/run.js';
import { components } from '../../src/cli/cache.js';

const dir = mkdtempSync(join(tmpdir(), 'ddi-lint-cache-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let linted: string[] = [];
let prepared = 0;
const counting: LintEngine = {
  ...engine,
  lintText: (text, file, options) => {
    linted.push(file.slice(dir.length + 1));
    return engine.lintText(text, file, options);
  },
  prepare: (inputs, root, options) => {
    prepared++;
    return engine.prepare!(inputs, root, options);
  },
};

async function run(args: string[]): Promise<{ code: number; out: string }> {
  linted = [];
  prepared = 0;
  let out = '';
  const code = await runCli(args, { stdout: { write: (s: string) => ((out += s), true) } as never, stderr: { write: () => true } as never, cwd: dir }, counting);
  return { code, out };
}

const HELPER = `VOID CloseHelper(HANDLE h)
{
    ZwClose(h);
}
`;
const DPC = `KDEFERRED_ROUTINE MyDpc;
VOID CloseHelper(HANDLE h);
VOID MyDpc(PKDPC d, PVOID c, PVOID a, PVOID b)
{
    CloseHelper((HANDLE)c);
}
`;
const OTHER = `typedef struct _EXT { KSPIN_LOCK Lock; } EXT, *PEXT;
DRIVER_DISPATCH Other;
NTSTATUS Other(PDEVICE_OBJECT D, PIRP Irp)
{
    PEXT e = (PEXT)D->DeviceExtension;
    KIRQL o;
    KeAcquireSpinLock(&e->Lock, &o);
    return STATUS_SUCCESS;
}
`;
const rules = (out: string) => (JSON.parse(out) as { filePath: string; messages: { ruleId: string; line: number }[] }[]).map((r) => `${r.filePath.slice(dir.length + 1)}: ${r.messages.map((m) => `${m.ruleId}@${m.line}`).join(' ')}`);

describe('--cache', () => {
  writeFileSync(join(dir, 'helper.c'), HELPER);
  writeFileSync(join(dir, 'dpc.c'), DPC);
  writeFileSync(join(dir, 'other.c'), OTHER);
  let first = '';

  it('the files shared by name form one component; an unrelated file is its own', () => {
    const c = components([
      { path: 'helper.c', text: HELPER },
      { path: 'dpc.c', text: DPC },
      { path: 'other.c', text: OTHER },
    ]);
    expect(c.get('helper.c')).toEqual(['helper.c', 'dpc.c']);
    expect(c.get('other.c')).toEqual(['other.c']);
  });

  it('a first run lints every file and writes .ddi-lint-cache', async () => {
    const r = await run(['.', '--cache', '--format', 'json']);
    first = r.out;
    expect(linted.sort()).toEqual(['dpc.c', 'helper.c', 'other.c']);
    expect(prepared).toBe(1);
    expect(existsSync(join(dir, '.ddi-lint-cache'))).toBe(true);
    expect(rules(r.out)).toEqual(['dpc.c: ', 'helper.c: irql-too-high@3', 'other.c: spinlock-unbalanced@8']);
  });

  it('a second run re-analyzes nothing (not even the cross-file preparation) and gives the same results', async () => {
    const r = await run(['.', '--cache', '--format', 'json']);
    expect(linted).toEqual([]);
    expect(prepared).toBe(0);
    expect(r.out).toBe(first);
    expect(r.code).toBe(1);
  });

  it('an edit re-lints that file only when it shares nothing with the others', async () => {
    writeFileSync(join(dir, 'other.c'), `\n${OTHER}`);
    const r = await run(['.', '--cache', '--format', 'json']);
    expect(linted).toEqual(['other.c']);
    expect(rules(r.out)).toEqual(['dpc.c: ', 'helper.c: irql-too-high@3', 'other.c: spinlock-unbalanced@9']);
  });

  it('an edit of a caller re-lints its callee: the helper is no longer called from the DPC, its finding goes', async () => {
    writeFileSync(join(dir, 'dpc.c'), DPC.replace('    CloseHelper((HANDLE)c);\n', ''));
    const r = await run(['.', '--cache', '--format', 'json']);
    expect(linted.sort()).toEqual(['dpc.c', 'helper.c']);
    expect(rules(r.out)).toEqual(['dpc.c: ', 'helper.c: ', 'other.c: spinlock-unbalanced@9']);
  });

  it('a configuration change re-lints the files it applies to; --cache-location names another file', async () => {
    writeFileSync(join(dir, 'ddi-lint.config.json'), JSON.stringify({ rules: { 'spinlock-unbalanced': 'off' } }));
    const r = await run(['.', '--cache', '--cache-location', 'cache-dir/', '--format', 'json']);
    expect(linted.sort()).toEqual(['dpc.c', 'helper.c', 'other.c']);
    expect(existsSync(join(dir, 'cache-dir', '.ddi-lint-cache'))).toBe(true);
    expect(rules(r.out)).toEqual(['dpc.c: ', 'helper.c: ', 'other.c: ']);
    const again = await run(['.', '--cache', '--cache-location', 'cache-dir/', '--format', 'json']);
    expect(linted).toEqual([]);
    expect(again.out).toBe(r.out);
  });

  it('a corrupt cache file is ignored (everything is linted) and rewritten', async () => {
    writeFileSync(join(dir, '.ddi-lint-cache'), '{ not json');
    await run(['.', '--cache', '--format', 'json']);
    expect(linted.length).toBe(3);
    expect(() => JSON.parse(readFileSync(join(dir, '.ddi-lint-cache'), 'utf8'))).not.toThrow();
  });
});
