/**
 * Bad input with the real linter (issue 7): CRLF line endings keep lines and columns; a file cut in the
 * middle of a function is linted for what it holds; 10,000-deep nesting is one clear message; all in
 * one run, which goes on and exits by the documented rules; a 50 MB generated file gives its finding; a
 * Windows-1252 file is read as the compiler reads it. (Binary, invalid UTF-8, UTF-16, empty,
 * unreadable, missing, symlink loops and broken configs: test/cli/run.test.ts and cli.test.ts.)
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runIn } from '../support/main-in.js';

const dir = mkdtempSync(join(tmpdir(), 'ddi-lint-bad-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const run = (args: string[]) => runIn(dir, args);

const DRIVER = `typedef struct _EXT { KSPIN_LOCK Lock; HANDLE File; } EXT, *PEXT;
DRIVER_DISPATCH Close;
NTSTATUS Close(PDEVICE_OBJECT Dev, PIRP Irp)
{
    PEXT ext = (PEXT)Dev->DeviceExtension;
    KIRQL old;
    KeAcquireSpinLock(&ext->Lock, &old);
    if (ext->File) {	ZwClose(ext->File);
    }
    KeReleaseSpinLock(&ext->Lock, old);
    return STATUS_SUCCESS;
}
`;
type Json = { filePath: string; messages: { ruleId: string | null; line: number; column: number; endLine?: number; endColumn?: number; message: string }[] }[];
const at = (out: string, name: string) => (JSON.parse(out) as Json).find((r) => r.filePath.endsWith(name))!.messages.map((m) => `${m.ruleId}@${m.line}:${m.column}-${m.endLine}:${m.endColumn}`);

describe('bad input, real linter', () => {
  it('CRLF line endings: the same findings at the same lines and columns as LF', async () => {
    writeFileSync(join(dir, 'lf.c'), DRIVER);
    writeFileSync(join(dir, 'crlf.c'), DRIVER.replace(/\n/g, '\r\n'));
    const r = await run(['lf.c', 'crlf.c', '--format', 'json']);
    expect(r.code).toBe(1);
    expect(at(r.out, 'lf.c')).toEqual(['irql-too-high@8:22-8:40']);
    expect(at(r.out, 'crlf.c')).toEqual(at(r.out, 'lf.c'));
  });

  it('a file saved in Windows-1252 (curly quotes in comments): the findings and columns of its UTF-8 twin; another code page on request', async () => {
    // a comment with ’ and – before the code of the finding's line: one byte, one column, as the editor shows it
    const cp = (s: string) => Buffer.from(s.replace(/’/g, '\x92').replace(/–/g, '\x96'), 'latin1');
    const text = DRIVER.replace('if (ext->File) {\t', '/* don’t – */ if (ext->File) {\t');
    writeFileSync(join(dir, 'utf8.c'), text);
    writeFileSync(join(dir, 'ansi.c'), cp(text));
    const r = await run(['utf8.c', 'ansi.c', '--format', 'json']);
    expect(r.code).toBe(1);
    expect(r.err).toBe('');
    expect(at(r.out, 'utf8.c')).toEqual(['irql-too-high@8:36-8:54']);
    expect(at(r.out, 'ansi.c')).toEqual(at(r.out, 'utf8.c'));
    // a comment that ends in 表 (0x95 0x5C in Shift-JIS): read as Windows-1252 it ends in a backslash, which
    // continues the comment over the next line (the compiler reads it so too); named as Shift-JIS it does not
    writeFileSync(join(dir, 'sjis.c'), Buffer.concat([Buffer.from(DRIVER.replace('    KeReleaseSpinLock', '    // \x95\x5c\n    KeReleaseSpinLock'), 'latin1')]));
    const western = await run(['sjis.c', '--format', 'json']);
    const japanese = await run(['sjis.c', '--format', 'json', '--source-charset', 'shift_jis']);
    expect(at(japanese.out, 'sjis.c')).toEqual(['irql-too-high@8:22-8:40']);
    expect(at(western.out, 'sjis.c')).not.toEqual(at(japanese.out, 'sjis.c'));
  });

  it('a file cut in the middle of a function, and a function nested 10,000 deep, in one run with a good file', async () => {
    writeFileSync(join(dir, 'cut.c'), `${DRIVER}\nNTSTATUS Half(PDEVICE_OBJECT Dev, PIRP Irp)\n{\n    PMDL m = IoAllocateMdl(Irp->UserBuffer, 16, FALSE, FALSE, NULL);\n    MmProbeAndLockPages(m, UserMode, IoRead`);
    writeFileSync(join(dir, 'deep.c'), `VOID Deep(PMDL m)\n{\n${'if (m) {\n'.repeat(10000)}MmUnlockPages(m);\n${'}\n'.repeat(10000)}}\n`);
    const r = await run(['lf.c', 'cut.c', 'deep.c', '--format', 'json']);
    expect(r.code).toBe(2); // an internal-error diagnostic (the function not analyzed) makes the run exit 2
    expect(at(r.out, 'lf.c')).toEqual(['irql-too-high@8:22-8:40']);
    // the complete function of the cut file is still checked
    expect(at(r.out, 'cut.c')).toContain('irql-too-high@8:22-8:40');
    const deep = (JSON.parse(r.out) as Json).find((x) => x.filePath.endsWith('deep.c'))!.messages;
    expect(deep.map((m) => m.message)).toEqual(["function 'Deep' nests 10002 levels deep (more than 1000): not analyzed"]);
  });

  it('a 50 MB generated file (a firmware table and a driver routine): linted in one run with the right finding', async () => {
    const row = '    0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f,\n';
    const rows = Math.ceil((50 * 1024 * 1024) / row.length);
    const head = 'static const UCHAR FirmwareImage[] = {\n';
    writeFileSync(join(dir, 'firmware.c'), `${head}${row.repeat(rows)}};\n\n${DRIVER}`);
    const r = await run(['firmware.c', '--format', 'json']);
    expect(r.code).toBe(1);
    // the finding of DRIVER's line 8, after the table's lines
    expect(at(r.out, 'firmware.c')).toEqual([`irql-too-high@${rows + 2 + 1 + 8}:22-${rows + 2 + 1 + 8}:40`]);
  }, 120000);
});
