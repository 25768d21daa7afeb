/**
 * Union fields (src/analysis/unions.ts): the members of `union { ... } Field;` share one storage, named by
 * the member of MDL type when there is one; a member two declarations of the field disagree on is left alone.
 */
import { describe, expect, it } from 'vitest';
import { textUnions, unionAliasesOf } from '../../src/analysis/unions.js';
import { lintText, prepareProject } from '../../src/lint/linter.js';

describe('union fields', () => {
  it('are read from the text: members, the MDL member first; nested braces, a single member and comments are skipped', () => {
    const text = `typedef struct _C {
    union {
        PVOID IoContext;      // the I/O context
        PSECURITY_SUBJECT_CONTEXT SubjectContext;
        /* PMDL Old; */
        PMDL MdlToCleanup;
        ULONG A, *B, C[4];
    } Union;
    union { PVOID Only; } Single;
    union { struct { ULONG X; } S; PVOID P; } Nested;
} C;
`;
    expect(textUnions(text)).toEqual(['Union=MdlToCleanup|IoContext|SubjectContext|A|B|C']);
  });

  it('two declarations of a field name: the members they agree on keep their storage', () => {
    const m = unionAliasesOf(['u=A|B|C', 'u=D|B']);
    expect([...m.get('u')!]).toEqual([
      ['A', 'A'],
      ['C', 'A'],
      ['D', 'D'],
    ]);
  });

  it('a write through one member is a write of the MDL member (no double unlock after the slot is cleared)', () => {
    const h = 'typedef struct _C { ULONG State; union { PVOID Io; PMDL Mdl; } U; PVOID Spare; } C, *PC;\n';
    const code = (clear: string) => `#include "c.h"
VOID Cleanup(PC c)
{
    if (c->U.Mdl != NULL) {
        MmUnlockPages(c->U.Mdl);
        IoFreeMdl(c->U.Mdl);
    }
    ${clear} = NULL;
}
NTSTATUS Read(PC c, PVOID Buffer, ULONG Length)
{
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) return STATUS_INSUFFICIENT_RESOURCES;
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    c->U.Mdl = mdl;
    Cleanup(c);
    Cleanup(c);
    return STATUS_SUCCESS;
}
`;
    const run = (clear: string) => {
      const inputs = [
        { path: '/d/c.h', text: h },
        { path: '/d/a.c', text: code(clear) },
      ];
      return lintText(inputs[1]!.text, '/d/a.c', { project: prepareProject(inputs, '/d') }).messages.map((m) => `${m.line} ${m.ruleId}`);
    };
    expect(run('c->U.Io')).toEqual([]);
    expect(run('c->Spare')).toEqual(['22 mdl-use-after-free']);
  });
});
