/**
 * Included headers that are not among the linted files join the program (src/parse/includes.ts): a file
 * linted alone sees the macros and annotated declarations of the headers it includes, found as the
 * Microsoft compiler finds them (case-insensitively here); the headers are not linted themselves.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { engine } from '../../src/cli/main.js';
import { runCli } from '../../src/cli/run.js';
import { includedFiles, quotedIncludes } from '../../src/parse/includes.js';

const dir = mkdtempSync(join(tmpdir(), 'ddi-lint-includes-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function put(rel: string, text: string | Buffer): string {
  const p = join(dir, rel);
  mkdirSync(join(p, '..'), { recursive: true });
  writeFileSync(p, text);
  return p;
}

async function run(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await runCli(args, { stdout: { write: (s: string) => ((out += s), true) } as never, stderr: { write: (s: string) => ((err += s), true) } as never, cwd: dir }, engine);
  return { code, out, err };
}
const findings = (out: string) =>
  (JSON.parse(out) as { filePath: string; messages: { ruleId: string; line: number }[] }[]).map((r) => `${r.filePath.slice(dir.length + 1)}: ${r.messages.map((m) => `${m.ruleId}@${m.line}`).join(' ')}`);

// the driver's macros and a library's prototypes live in a shared include directory beside the driver's
put(
  'inc/DrvMacros.h',
  `#pragma once
#include "LibApi.h"
#define COMPLETE_AND_RETURN(Irp, s) (Irp)->IoStatus.Status = (s);\\
    IoCompleteRequest((Irp), IO_NO_INCREMENT);\\
    return (s);
`,
);
put(
  'inc/LibApi.h',
  `#pragma once
#include "DrvMacros.h"
_IRQL_requires_max_(PASSIVE_LEVEL)
NTSTATUS LibFlush(PVOID Journal);
`,
);
const DRIVER = `#include <ntddk.h>
#include "..\\Inc\\drvmacros.h"
typedef struct _EXT { KSPIN_LOCK Lock; PVOID Journal; } EXT, *PEXT;
DRIVER_DISPATCH Read;
NTSTATUS Read(PDEVICE_OBJECT D, PIRP Irp)
{
    PUCHAR va;
    UNREFERENCED_PARAMETER(D);
    va = (PUCHAR)MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority);
    if (va == NULL) {
        COMPLETE_AND_RETURN(Irp, STATUS_INSUFFICIENT_RESOURCES);
    }
    va[0] = 0;
    COMPLETE_AND_RETURN(Irp, STATUS_SUCCESS);
}
_IRQL_requires_max_(PASSIVE_LEVEL)
VOID FlushLocked(PEXT e)
{
    KIRQL o;
    KeAcquireSpinLock(&e->Lock, &o);
    (VOID)LibFlush(e->Journal);
    KeReleaseSpinLock(&e->Lock, o);
}
`;
put('drv/read.c', DRIVER);

describe('included headers', () => {
  it('lists quoted includes only, in order', () => {
    expect(quotedIncludes('#include <ntddk.h>\n  #  include "a.h"\n#include"..\\\\b\\\\c.h" // x\n#define X "d.h"\n')).toEqual(['a.h', '..\\\\b\\\\c.h']);
  });

  it('are found case-insensitively with either separator, transitively, each once (a cycle ends)', () => {
    const got = includedFiles([{ path: join(dir, 'drv/read.c'), text: DRIVER }], { maxBytes: 1 << 20 });
    expect(got.map((f) => f.path.slice(dir.length + 1))).toEqual(['inc/DrvMacros.h', 'inc/LibApi.h']);
  });

  it('a file linted alone: the header\'s returning macro and annotated prototype apply; the header is not linted', async () => {
    const { code, out } = await run(['drv/read.c', '-f', 'json']);
    expect(findings(out)).toEqual(['drv/read.c: irql-too-high@21']);
    expect(code).toBe(1);
  });

  it('the same findings as when the header is named on the command line', async () => {
    const { out } = await run(['drv/read.c', 'inc/DrvMacros.h', 'inc/LibApi.h', '-f', 'json']);
    expect(findings(out)).toEqual(['drv/read.c: irql-too-high@21', 'inc/DrvMacros.h: ', 'inc/LibApi.h: ']);
  });

  it('--no-follow-includes: neither the macro nor the prototype is known', async () => {
    const { out } = await run(['drv/read.c', '--no-follow-includes', '-f', 'json']);
    expect(findings(out)).toEqual(['drv/read.c: mdl-unchecked-system-address@13']);
  });

  it('--include-dir: a header found in a directory given on the command line, after the includer\'s own', async () => {
    put('other/inc2/Lib2.h', '_IRQL_requires_max_(PASSIVE_LEVEL)\nNTSTATUS Lib2Wait(PVOID p);\n');
    put('other/drv2.c', `#include "Lib2.h"\ntypedef struct _EXT { KSPIN_LOCK Lock; } EXT, *PEXT;\n_IRQL_requires_max_(PASSIVE_LEVEL)\nVOID W(PEXT e)\n{\n    KIRQL o;\n    KeAcquireSpinLock(&e->Lock, &o);\n    (VOID)Lib2Wait(e);\n    KeReleaseSpinLock(&e->Lock, o);\n}\n`);
    expect(findings((await run(['other/drv2.c', '-f', 'json'])).out)).toEqual(['other/drv2.c: ']);
    expect(findings((await run(['other/drv2.c', '-I', 'other/inc2', '-f', 'json'])).out)).toEqual(['other/drv2.c: irql-too-high@8']);
    expect(findings((await run(['other/drv2.c', '--include-dir=other/inc2', '--threads', '2', '-f', 'json'])).out)).toEqual(['other/drv2.c: irql-too-high@8']);
  });

  it('a missing, binary, unreadable or oversized header is left out without a message; the file is linted', async () => {
    put('bad/bin.h', Buffer.from([0x23, 0x64, 0x00, 0x01, 0x02]));
    const locked = put('bad/locked.h', '#define X 1\n');
    chmodSync(locked, 0o000);
    put('bad/big.h', `#define BIG "${'x'.repeat(2 * 1024 * 1024)}"\n`);
    put('bad/a.c', '#include "missing.h"\n#include "bin.h"\n#include "locked.h"\n#include "big.h"\n#include "C:\\\\WinDDK\\\\inc\\\\x.h"\nVOID F(VOID)\n{\n}\n');
    const { code, out, err } = await run(['bad/a.c', '--max-file-size', '1', '-f', 'json']);
    chmodSync(locked, 0o644);
    expect(err).toBe('');
    expect(code).toBe(0);
    expect(findings(out)).toEqual(['bad/a.c: ']);
  });

  it('--cache: a change to an included header that is not linted re-lints the file that includes it', async () => {
    put('c/inc/m.h', '#define DONE(Irp) IoCompleteRequest((Irp), IO_NO_INCREMENT); return STATUS_SUCCESS;\n');
    put(
      'c/d.c',
      '#include "inc/m.h"\nDRIVER_DISPATCH R;\nNTSTATUS R(PDEVICE_OBJECT D, PIRP Irp)\n{\n    PUCHAR va = (PUCHAR)MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority);\n    if (va == NULL) {\n        DONE(Irp);\n    }\n    va[0] = 1;\n    DONE(Irp);\n}\n',
    );
    const cacheArgs = ['c/d.c', '--cache', '--cache-location', join(dir, 'c/.cache'), '-f', 'json'];
    expect(findings((await run(cacheArgs)).out)).toEqual(['c/d.c: ']);
    put('c/inc/m.h', '#define DONE(Irp) IoCompleteRequest((Irp), IO_NO_INCREMENT)\n');
    expect(findings((await run(cacheArgs)).out)).toEqual(['c/d.c: mdl-unchecked-system-address@9']);
  });
});
