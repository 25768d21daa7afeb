/**
 * A test that pins a path (`Req->Code == FSCTL_X` true, `Ext->Counters[5] != 5` false) reads again the
 * remembered conditions that read that path (`Analyzer.recheckConds` in src/analysis/mdl-analysis.ts), and
 * a condition that now has the other value rules the path out. Reading again every remembered condition of
 * the same variable (`Ext`) made n nested tests of n fields of one structure cost n² evaluations (the bench's
 * nesting-depth row); only the conditions that read the pinned path, a prefix or an extension of it can change.
 */
import { describe, expect, it } from 'vitest';
import { parseSource } from '../../src/parse/parser.js';
import { analyzeFunction } from '../../src/analysis/mdl-analysis.js';
import { lintText } from '../../src/lint/linter.js';

const HDR = '#include <wdm.h>\n';

/** n nested levels, each testing two conditions of its own field, the inner one pinning the field when false. */
function nested(n: number): string {
  let s = 'NTSTATUS Nested(PDEVICE_EXTENSION Ext, PIRP Irp)\n{\n    PMDL mdl = Irp->MdlAddress;\n';
  for (let k = 0; k < n; k++) s += `    if (Ext->Counters[${k}] < 100) {\n    if (Ext->Counters[${k}] != 7) {\n`;
  s += '    __try { MmProbeAndLockPages(mdl, UserMode, IoReadAccess); MmUnlockPages(mdl); } __except (EXCEPTION_EXECUTE_HANDLER) { }\n';
  for (let k = 0; k < 2 * n; k++) s += '    }\n';
  return `${s}    return STATUS_SUCCESS;\n}\n`;
}

function recheckWork(n: number): number {
  const file = parseSource('nested.c', `${HDR}${nested(n)}`);
  const a = analyzeFunction(file, file.functions[0]!);
  expect(a.skipped).toBeUndefined();
  return a.recheckWork!;
}

describe('remembered conditions read again when a test pins a path', () => {
  it('reads again only the conditions that read the pinned path: work linear in the nesting depth', () => {
    // each level's `!= 7`, false, pins its own field and reads again its `< 100` alone; reading every
    // remembered condition of `Ext` read 2k of them at level k (n² in all)
    const small = recheckWork(40);
    const large = recheckWork(80);
    expect(small).toBe(40);
    expect(large).toBe(80);
  });

  it('still rules out a path by a condition on the pinned field, not by one on another field', () => {
    const lint = (test: string) =>
      lintText(
        `${HDR}
#define FSCTL_SV_MOVE CTL_CODE(FILE_DEVICE_FILE_SYSTEM, 0x801, METHOD_BUFFERED, FILE_ANY_ACCESS)
typedef struct _REQ { ULONG Code; struct { ULONG Code; } Inner; ULONG Other; } REQ, *PREQ;
NTSTATUS F(PIRP Irp, PREQ Req)
{
    PVOID buffer = NULL;
    if (Req->Other == 3) {
        return STATUS_SUCCESS;
    }
    if (${test} == METHOD_IN_DIRECT) {
        buffer = MmGetSystemAddressForMdlSafe(Irp->MdlAddress, NormalPagePriority);
    }
    if (Req->Code == FSCTL_SV_MOVE) {
        return *(PULONG)buffer == 0 ? STATUS_SUCCESS : STATUS_UNSUCCESSFUL;
    }
    return STATUS_SUCCESS;
}
`,
        'f.c',
      ).messages.filter((m) => m.ruleId === 'mdl-unchecked-system-address');
    // a buffered control code never took the direct branch: its buffer is not the mapping
    expect(lint('(Req->Code & 3)')).toEqual([]);
    // the method bits of another field say nothing of Req->Code: the mapping may be the buffer
    expect(lint('(Req->Inner.Code & 3)').map((m) => m.line)).toEqual([15]);
  });

  it('a test written constant first (`MY_CODE == s->Code`) pins the path, not the constant', () => {
    // the review of session 30: only the old, broader recheck (every condition of `s`, when `s->Other` was
    // pinned) ruled out this double free; with the test of `s->Other` taken out, both builds reported it
    const lint = (inner: string, code = '0x222000') =>
      lintText(
        `${HDR}#define MY_CODE ${code}
typedef struct _S { ULONG Code; ULONG Other; } S, *PS;
VOID F(PS s, PVOID Buffer, ULONG Length)
{
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) return;
    if ((s->Code & 3) == METHOD_IN_DIRECT) {
        if (MY_CODE == s->Code) {
            ${inner}
        }
    }
    IoFreeMdl(mdl);
}
`,
        'f.c',
      ).messages.map((m) => `${m.line} ${m.ruleId}`);
    expect(lint('if (s->Other == 0) { IoFreeMdl(mdl); }')).toEqual([]);
    expect(lint('IoFreeMdl(mdl);')).toEqual([]);
    // a code whose method bits are METHOD_IN_DIRECT takes the branch: the double free is reported
    expect(lint('IoFreeMdl(mdl);', '0x222001')).toEqual(['13 mdl-use-after-free']);
  });
});
