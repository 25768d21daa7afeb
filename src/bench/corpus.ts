/**
 * A deterministic generated corpus of driver-like C sources for the benchmark (issue 2, section 10).
 *
 * A seeded generator writes WDM/KMDF-style files: SAL-annotated dispatch routines that build, probe,
 * lock and unlock MDLs (`IoAllocateMdl`, `MmProbeAndLockPages` in `__try/__except`, `goto Cleanup`
 * chains, `locked` flags, `Irp->MdlAddress` hand-offs, MDL chain loops), IOCTL switches, spin-lock
 * helpers, `__try/__finally` cleanup, `#if DBG` blocks, WDK `try/except` spellings, `PAGED_CODE()`,
 * `#pragma alloc_text`, plus a few large files (generated tables and long routines). Some routines carry
 * the classic defects (unlock in the `__except` block, a probe outside `__try`, a leak on an error path)
 * so the linter has findings to explain, as on real code.
 *
 * Same seed and size, same bytes: the corpus is reproducible across runs and machines.
 */
import { mkdirSync, writeFileSync, existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';

/** mulberry32: small, fast, good enough for generating text. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  private readonly rnd: () => number;
  constructor(seed: number) {
    this.rnd = prng(seed);
  }
  int(lo: number, hi: number): number {
    return lo + Math.floor(this.rnd() * (hi - lo + 1));
  }
  chance(p: number): boolean {
    return this.rnd() < p;
  }
  pick<T>(xs: readonly T[]): T {
    return xs[Math.floor(this.rnd() * xs.length)]!;
  }
}

const PREFIXES = ['Xyz', 'Nic', 'Usb', 'Stor', 'Flt', 'Hid', 'Aud', 'Ser', 'Pci', 'Gpio', 'Spb', 'Wdm', 'Vid', 'Net', 'Bt'];
const NOUNS = ['Read', 'Write', 'Transfer', 'Buffer', 'Request', 'Packet', 'Queue', 'Frame', 'Block', 'Region', 'Page', 'Descriptor', 'Ring', 'Command', 'Event'];
const VERBS = ['Process', 'Handle', 'Build', 'Map', 'Lock', 'Prepare', 'Complete', 'Submit', 'Validate', 'Copy', 'Start', 'Finish', 'Dispatch', 'Setup', 'Release'];
const FIELDS = ['Mdl', 'UserMdl', 'DataMdl', 'HeaderMdl', 'Buffers[0].Mdl', 'Request.Mdl'];
const LEVELS = ['PASSIVE_LEVEL', 'APC_LEVEL', 'DISPATCH_LEVEL'];
const STATUSES = ['STATUS_INSUFFICIENT_RESOURCES', 'STATUS_INVALID_PARAMETER', 'STATUS_BUFFER_TOO_SMALL', 'STATUS_INVALID_DEVICE_REQUEST', 'STATUS_DEVICE_NOT_READY'];

interface FileCtx {
  g: Gen;
  prefix: string;
  names: Set<string>;
  /** Function names defined in this file, for `#pragma alloc_text`. */
  paged: string[];
}

function fnName(c: FileCtx): string {
  for (;;) {
    const name = `${c.prefix}${c.g.pick(VERBS)}${c.g.pick(NOUNS)}${c.g.chance(0.5) ? c.g.pick(NOUNS) : ''}`;
    const unique = c.names.has(name) ? `${name}${c.names.size}` : name;
    if (!c.names.has(unique)) {
      c.names.add(unique);
      return unique;
    }
  }
}

function comment(c: FileCtx, indent: string, lines: number): string {
  const words = ['the', 'buffer', 'is', 'locked', 'before', 'the', 'transfer', 'starts', 'and', 'unlocked', 'when', 'the', 'request', 'completes', 'caller', 'must', 'hold', 'lock', 'device', 'extension'];
  let s = `${indent}//\n`;
  for (let k = 0; k < lines; k++) {
    const n = c.g.int(6, 12);
    const ws: string[] = [];
    for (let m = 0; m < n; m++) ws.push(c.g.pick(words));
    s += `${indent}// ${ws.join(' ')}.\n`;
  }
  return s + `${indent}//\n`;
}

function routineHeader(c: FileCtx, name: string, desc: string): string {
  return `/*++\n\nRoutine Description:\n\n    ${desc}\n\nArguments:\n\n    DeviceObject - the device object.\n\n    Irp - the I/O request.\n\nReturn Value:\n\n    NTSTATUS\n\n--*/\n`;
}

/** A dispatch routine that allocates, probes and locks a user buffer's MDL. */
function probeRoutine(c: FileCtx): string {
  const g = c.g;
  const name = fnName(c);
  c.paged.push(name);
  const defect = g.int(0, 19); // 0: unlock in __except; 1: leak on error path; 2: probe outside try; else correct
  const useFlag = g.chance(0.5);
  const wdkSpelling = g.chance(0.2);
  const [TRY, EXCEPT] = wdkSpelling ? ['try', 'except'] : ['__try', '__except'];
  const op = g.pick(['IoWriteAccess', 'IoReadAccess', 'IoModifyAccess']);
  let s = routineHeader(c, name, `Probes and locks the caller's buffer for ${g.pick(NOUNS).toLowerCase()} transfers.`);
  s += `_Dispatch_type_(IRP_MJ_${g.pick(['READ', 'WRITE', 'DEVICE_CONTROL'])})\n_IRQL_requires_max_(${g.pick(LEVELS.slice(0, 2))})\n_Use_decl_annotations_\nNTSTATUS\n${name}(\n    _In_ PDEVICE_OBJECT DeviceObject,\n    _Inout_ PIRP Irp\n    )\n{\n`;
  s += `    PIO_STACK_LOCATION irpSp = IoGetCurrentIrpStackLocation(Irp);\n    PDEVICE_EXTENSION devExt = (PDEVICE_EXTENSION)DeviceObject->DeviceExtension;\n    NTSTATUS status = STATUS_SUCCESS;\n    PMDL mdl = NULL;\n    PVOID userBuffer;\n    ULONG length;\n`;
  if (useFlag) s += `    BOOLEAN locked = FALSE;\n`;
  s += `\n    PAGED_CODE();\n\n`;
  s += `    userBuffer = Irp->UserBuffer;\n    length = irpSp->Parameters.${g.pick(['Read', 'Write'])}.Length;\n\n`;
  s += `    if (length == 0 || length > ${g.pick(['MAX_TRANSFER_SIZE', '0x100000', 'devExt->MaxTransfer'])}) {\n        status = STATUS_INVALID_PARAMETER;\n        goto Exit;\n    }\n\n`;
  s += `    mdl = IoAllocateMdl(userBuffer, length, FALSE, ${g.chance(0.5) ? 'TRUE' : 'FALSE'}, NULL);\n`;
  s += g.chance(0.5) ? `    if (mdl == NULL) {\n        status = STATUS_INSUFFICIENT_RESOURCES;\n        goto Exit;\n    }\n\n` : `    if (!mdl) {\n        return STATUS_INSUFFICIENT_RESOURCES;\n    }\n\n`;
  s += comment(c, '    ', g.int(1, 3));
  if (defect === 2) {
    s += `    MmProbeAndLockPages(mdl, Irp->RequestorMode, ${op});\n`;
    if (useFlag) s += `    locked = TRUE;\n`;
    s += `\n`;
  } else {
    s += `    ${TRY} {\n        MmProbeAndLockPages(mdl, Irp->RequestorMode, ${op});\n`;
    if (useFlag) s += `        locked = TRUE;\n`;
    s += `    } ${EXCEPT} (EXCEPTION_EXECUTE_HANDLER) {\n        status = GetExceptionCode();\n`;
    if (defect === 0) s += `        MmUnlockPages(mdl);\n`;
    s += `        ${g.pick(['KdPrint', 'DbgPrint'] as const) === 'KdPrint' ? 'KdPrint(("probe failed %x\\n", status));' : 'DbgPrint("probe failed %x\\n", status);'}\n    }\n\n`;
    s += `    if (!NT_SUCCESS(status)) {\n        goto Cleanup;\n    }\n\n`;
  }
  s += `#if DBG\n    devExt->Stats.${g.pick(NOUNS)}Count++;\n#endif\n\n`;
  const steps = g.int(2, 6);
  for (let k = 0; k < steps; k++) {
    s += `    status = ${c.prefix}${g.pick(VERBS)}${g.pick(NOUNS)}(devExt, MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority), length);\n`;
    if (defect === 1 && k === 0) s += `    if (!NT_SUCCESS(status)) {\n        IoFreeMdl(mdl);\n        return status;\n    }\n`;
    else s += `    if (!NT_SUCCESS(status)) {\n        goto Cleanup;\n    }\n`;
  }
  s += `\nCleanup:\n`;
  if (useFlag) s += `    if (locked) {\n        MmUnlockPages(mdl);\n    }\n`;
  else s += `    if (mdl->MdlFlags & MDL_PAGES_LOCKED) {\n        MmUnlockPages(mdl);\n    }\n`;
  s += `    IoFreeMdl(mdl);\n\nExit:\n    Irp->IoStatus.Status = status;\n    Irp->IoStatus.Information = NT_SUCCESS(status) ? length : 0;\n    IoCompleteRequest(Irp, IO_NO_INCREMENT);\n    return status;\n}\n\n`;
  return s;
}

/** Builds an MDL for the request and hands it to the IRP (ownership transfer). */
function handoffRoutine(c: FileCtx): string {
  const g = c.g;
  const name = fnName(c);
  const field = g.pick(FIELDS);
  let s = `_IRQL_requires_max_(APC_LEVEL)\nstatic\nNTSTATUS\n${name}(\n    _In_ PREQUEST_CONTEXT Ctx,\n    _Inout_ PIRP Irp,\n    _In_reads_bytes_(Length) PVOID Buffer,\n    _In_ ULONG Length\n    )\n{\n    NTSTATUS status = STATUS_SUCCESS;\n    PMDL m;\n\n`;
  s += `    m = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);\n    if (m == NULL) {\n        return ${g.pick(STATUSES)};\n    }\n\n`;
  s += `    __try {\n        MmProbeAndLockPages(m, UserMode, IoWriteAccess);\n    } __except (EXCEPTION_EXECUTE_HANDLER) {\n        IoFreeMdl(m);\n        return GetExceptionCode();\n    }\n\n`;
  if (g.chance(0.5)) s += `    Irp->MdlAddress = m;\n`;
  else s += `    Ctx->${field} = m;\n`;
  s += `    Ctx->Length = Length;\n    Ctx->Flags |= ${g.pick(['CTX_FLAG_LOCKED', 'CTX_FLAG_MAPPED', '0x4'])};\n    return status;\n}\n\n`;
  return s;
}

/** Walks an MDL chain, unlocking and freeing (completion-side cleanup). */
function chainRoutine(c: FileCtx): string {
  const g = c.g;
  const name = fnName(c);
  let s = `VOID\n${name}(\n    _In_ PIRP Irp\n    )\n{\n    PMDL mdl, next;\n\n`;
  s += `    for (mdl = Irp->MdlAddress; mdl != NULL; mdl = next) {\n        next = mdl->Next;\n        if (mdl->MdlFlags & MDL_PAGES_LOCKED) {\n            MmUnlockPages(mdl);\n        }\n        IoFreeMdl(mdl);\n    }\n    Irp->MdlAddress = NULL;\n`;
  if (g.chance(0.3)) s += `\n    while (InterlockedDecrement(&g${c.prefix}Outstanding) > 0) {\n        KeStallExecutionProcessor(10);\n    }\n`;
  return s + `}\n\n`;
}

/** An IOCTL switch with many cases, input validation and fall-through. */
function ioctlRoutine(c: FileCtx): string {
  const g = c.g;
  const name = fnName(c);
  c.paged.push(name);
  const cases = g.int(6, 24);
  let s = routineHeader(c, name, 'Handles device I/O control requests.');
  s += `_Dispatch_type_(IRP_MJ_DEVICE_CONTROL)\n_IRQL_requires_max_(PASSIVE_LEVEL)\nNTSTATUS\n${name}(\n    IN PDEVICE_OBJECT DeviceObject,\n    IN PIRP Irp\n    )\n{\n`;
  s += `    PIO_STACK_LOCATION irpSp = IoGetCurrentIrpStackLocation(Irp);\n    PDEVICE_EXTENSION devExt = DeviceObject->DeviceExtension;\n    ULONG inLen = irpSp->Parameters.DeviceIoControl.InputBufferLength;\n    ULONG outLen = irpSp->Parameters.DeviceIoControl.OutputBufferLength;\n    PVOID buffer = Irp->AssociatedIrp.SystemBuffer;\n    NTSTATUS status = STATUS_SUCCESS;\n    ULONG_PTR info = 0;\n\n    PAGED_CODE();\n\n`;
  s += `    switch (irpSp->Parameters.DeviceIoControl.IoControlCode) {\n`;
  for (let k = 0; k < cases; k++) {
    s += `    case IOCTL_${c.prefix.toUpperCase()}_${g.pick(VERBS).toUpperCase()}_${k}:\n`;
    if (g.chance(0.15)) continue; // fall-through
    s += `        if (inLen < sizeof(${c.prefix.toUpperCase()}_INPUT_${k % 5}) || outLen < sizeof(ULONG)) {\n            status = STATUS_BUFFER_TOO_SMALL;\n            break;\n        }\n`;
    const body = g.int(1, 4);
    for (let m = 0; m < body; m++) {
      s += g.pick([
        `        status = ${c.prefix}${g.pick(VERBS)}${g.pick(NOUNS)}(devExt, buffer, inLen);\n`,
        `        *(PULONG)buffer = devExt->${g.pick(NOUNS)}Count;\n        info = sizeof(ULONG);\n`,
        `        if (devExt->State != DeviceStarted) {\n            status = STATUS_DEVICE_NOT_READY;\n            break;\n        }\n`,
        `        KeAcquireSpinLock(&devExt->Lock, &oldIrql);\n        devExt->Pending += 1;\n        KeReleaseSpinLock(&devExt->Lock, oldIrql);\n`,
      ]);
    }
    s += `        break;\n\n`;
  }
  s += `    default:\n        status = STATUS_INVALID_DEVICE_REQUEST;\n        break;\n    }\n\n`;
  s += `    Irp->IoStatus.Status = status;\n    Irp->IoStatus.Information = info;\n    IoCompleteRequest(Irp, IO_NO_INCREMENT);\n    return status;\n}\n\n`;
  return s.replace('ULONG_PTR info = 0;\n', 'ULONG_PTR info = 0;\n    KIRQL oldIrql;\n');
}

/** `__try/__finally` cleanup with loops and a locked MDL for a partial transfer. */
function finallyRoutine(c: FileCtx): string {
  const g = c.g;
  const name = fnName(c);
  const n = g.int(2, 8);
  let s = `_IRQL_requires_max_(APC_LEVEL)\nNTSTATUS\n${name}(\n    _In_ PDEVICE_EXTENSION DevExt,\n    _In_reads_bytes_(Length) PUCHAR Data,\n    _In_ ULONG Length\n    )\n{\n    NTSTATUS status = STATUS_UNSUCCESSFUL;\n    PMDL mdl = NULL;\n    BOOLEAN locked = FALSE;\n    ULONG i;\n\n`;
  s += `    __try {\n        mdl = IoAllocateMdl(Data, Length, FALSE, FALSE, NULL);\n        if (mdl == NULL) {\n            status = STATUS_INSUFFICIENT_RESOURCES;\n            __leave;\n        }\n\n`;
  s += `        __try {\n            MmProbeAndLockPages(mdl, KernelMode, IoReadAccess);\n            locked = TRUE;\n        } __except (EXCEPTION_EXECUTE_HANDLER) {\n            status = GetExceptionCode();\n            __leave;\n        }\n\n`;
  s += `        for (i = 0; i < ${n}; i++) {\n            if (DevExt->Channels[i].Busy) {\n                continue;\n            }\n            status = ${c.prefix}${g.pick(VERBS)}Channel(DevExt, i, mdl);\n            if (!NT_SUCCESS(status)) {\n                break;\n            }\n        }\n`;
  s += `    } __finally {\n        if (locked) {\n            MmUnlockPages(mdl);\n        }\n        if (mdl != NULL) {\n            IoFreeMdl(mdl);\n        }\n    }\n\n    return status;\n}\n\n`;
  return s;
}

/** Straight-line hardware programming: many register writes, ifs and a do/while poll. */
function hwRoutine(c: FileCtx): string {
  const g = c.g;
  const name = fnName(c);
  const n = g.int(10, 60);
  let s = `_IRQL_requires_(DISPATCH_LEVEL)\nVOID\n${name}(\n    _In_ PDEVICE_EXTENSION DevExt\n    )\n{\n    ULONG value;\n    ULONG retries = 0;\n\n`;
  for (let k = 0; k < n; k++) {
    switch (g.int(0, 4)) {
      case 0:
        s += `    WRITE_REGISTER_ULONG(&DevExt->Regs->Reg${k}, 0x${g.int(0, 0xffff).toString(16)});\n`;
        break;
      case 1:
        s += `    value = READ_REGISTER_ULONG(&DevExt->Regs->Status);\n    if (value & 0x${(1 << g.int(0, 15)).toString(16)}) {\n        DevExt->Errors++;\n    }\n`;
        break;
      case 2:
        s += `    if (DevExt->Mode == ${g.int(0, 3)} && !(DevExt->Flags & 0x${g.int(1, 255).toString(16)})) {\n        DevExt->Mode = ${g.int(0, 3)};\n    } else if (DevExt->Mode > 3) {\n        DevExt->Mode = 0;\n    }\n`;
        break;
      case 3:
        s += `    do {\n        value = READ_REGISTER_ULONG(&DevExt->Regs->Busy);\n        retries++;\n    } while ((value & 1) && retries < ${g.int(10, 1000)});\n`;
        break;
      default:
        s += `    DevExt->Shadow[${k % 16}] = (DevExt->Shadow[${k % 16}] & ~0x${g.int(1, 255).toString(16)}) | ${g.int(0, 255)};\n`;
    }
  }
  return s + `}\n\n`;
}

function fileHeader(c: FileCtx, fileName: string): string {
  return `/*++\n\nCopyright (c) Example Corporation.  All rights reserved.\n\nModule Name:\n\n    ${fileName}\n\nAbstract:\n\n    Generated benchmark source for ddi-lint (deterministic).\n\nEnvironment:\n\n    Kernel mode\n\n--*/\n\n#include <ntddk.h>\n#include "${c.prefix.toLowerCase()}.h"\n\n`;
}

function typeDecls(c: FileCtx): string {
  const g = c.g;
  let s = `typedef struct _DEVICE_EXTENSION {\n    PDEVICE_OBJECT Self;\n    KSPIN_LOCK Lock;\n    ULONG State;\n    ULONG Mode;\n    ULONG Flags;\n    ULONG Errors;\n    ULONG Pending;\n    ULONG MaxTransfer;\n    ULONG Shadow[16];\n    PMDL Mdl;\n} DEVICE_EXTENSION, *PDEVICE_EXTENSION;\n\n`;
  s += `DRIVER_DISPATCH ${c.prefix}DispatchRead;\nDRIVER_DISPATCH ${c.prefix}DispatchWrite;\n\nstatic LONG g${c.prefix}Outstanding;\n\n`;
  if (g.chance(0.5)) {
    s += `static const ULONG ${c.prefix}CrcTable[] = {\n`;
    for (let k = 0; k < 32; k++) s += `    0x${g.int(0, 0x7fffffff).toString(16).padStart(8, '0')}, 0x${g.int(0, 0x7fffffff).toString(16).padStart(8, '0')}, 0x${g.int(0, 0x7fffffff).toString(16).padStart(8, '0')}, 0x${g.int(0, 0x7fffffff).toString(16).padStart(8, '0')},\n`;
    s += `};\n\n`;
  }
  return s;
}

/** One file of roughly `target` bytes. */
export function generateFile(seed: number, index: number, target: number): { name: string; text: string } {
  const g = new Gen(seed * 1000003 + index);
  const prefix = g.pick(PREFIXES);
  const c: FileCtx = { g, prefix, names: new Set(), paged: [] };
  const name = `${prefix.toLowerCase()}_${String(index).padStart(5, '0')}.c`;
  const parts: string[] = [fileHeader(c, name), typeDecls(c)];
  let size = parts[0]!.length + parts[1]!.length;
  const body: string[] = [];
  while (size < target) {
    const r = g.int(0, 99);
    const f =
      r < 30 ? probeRoutine(c) : r < 42 ? handoffRoutine(c) : r < 52 ? chainRoutine(c) : r < 70 ? ioctlRoutine(c) : r < 82 ? finallyRoutine(c) : hwRoutine(c);
    body.push(f);
    size += f.length;
  }
  let pragma = `#ifdef ALLOC_PRAGMA\n`;
  for (const p of c.paged) pragma += `#pragma alloc_text(PAGE, ${p})\n`;
  pragma += `#endif\n\n`;
  return { name, text: parts.join('') + pragma + body.join('') };
}

export interface CorpusInfo {
  dir: string;
  files: string[];
  bytes: number;
}

/**
 * Generate (or reuse) the corpus in `dir`: about `totalBytes` in files of various sizes — most of
 * 4–60 KB, some of 100–400 KB and a few of 1–2 MB.
 */
export function generateCorpus(dir: string, seed = 1, totalBytes = 24 * 1024 * 1024): CorpusInfo {
  const manifest = join(dir, 'MANIFEST.json');
  if (existsSync(manifest)) {
    try {
      const m = JSON.parse(readFileSync(manifest, 'utf8')) as { seed: number; totalBytes: number; files: string[]; bytes: number; version: number };
      if (m.seed === seed && m.totalBytes === totalBytes && m.version === CORPUS_VERSION && m.files.every((f) => existsSync(join(dir, f)))) {
        return { dir, files: m.files.map((f) => join(dir, f)), bytes: m.bytes };
      }
    } catch {
      /* regenerate */
    }
    rmSync(dir, { recursive: true, force: true });
  }
  mkdirSync(dir, { recursive: true });
  const g = new Gen(seed);
  const files: string[] = [];
  let bytes = 0;
  let index = 0;
  while (bytes < totalBytes) {
    const r = g.int(0, 99);
    const target = r < 2 ? g.int(1_000_000, 2_000_000) : r < 10 ? g.int(100_000, 400_000) : g.int(4_000, 60_000);
    const f = generateFile(seed, index++, target);
    const sub = join(dir, `drv${String(Math.floor(index / 50)).padStart(3, '0')}`);
    mkdirSync(sub, { recursive: true });
    const path = join(sub, f.name);
    writeFileSync(path, f.text);
    files.push(path);
    bytes += Buffer.byteLength(f.text, 'utf8');
  }
  writeFileSync(manifest, JSON.stringify({ version: CORPUS_VERSION, seed, totalBytes, bytes, files: files.map((p) => p.slice(dir.length + 1)) }));
  return { dir, files, bytes };
}

const CORPUS_VERSION = 1;

/** The pathological case: one function with `count` sequential `if` statements around a locked MDL. */
export function sequentialIfs(count: number): string {
  let s = `NTSTATUS\nManyIfs(\n    _In_ PDEVICE_EXTENSION DevExt,\n    _In_ PIRP Irp\n    )\n{\n    NTSTATUS status = STATUS_SUCCESS;\n    PMDL mdl = Irp->MdlAddress;\n    BOOLEAN locked = FALSE;\n    ULONG flags = DevExt->Flags;\n\n`;
  s += `    __try {\n        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);\n        locked = TRUE;\n    } __except (EXCEPTION_EXECUTE_HANDLER) {\n        return GetExceptionCode();\n    }\n\n`;
  for (let k = 0; k < count; k++) {
    if (k % 3 === 0) s += `    if (flags & 0x${(1 << k % 31).toString(16)}) {\n        status = Step${k}(DevExt);\n    }\n`;
    else if (k % 3 === 1) s += `    if (DevExt->Counters[${k % 64}] > ${k}) {\n        DevExt->Counters[${k % 64}] = 0;\n    }\n`;
    else s += `    if (!NT_SUCCESS(status)) {\n        DevExt->Errors++;\n    }\n`;
  }
  s += `\n    if (locked) {\n        MmUnlockPages(mdl);\n    }\n    return status;\n}\n`;
  return s;
}

/** One function whose body nests `depth` levels of `if (...) {`, with an MDL probe at the bottom. */
export function nestedIfs(depth: number): string {
  let s = `NTSTATUS\nDeeplyNested(\n    _In_ PDEVICE_EXTENSION DevExt,\n    _In_ PIRP Irp\n    )\n{\n    PMDL mdl = Irp->MdlAddress;\n`;
  for (let k = 0; k < depth; k++) s += `${' '.repeat(4 + (k % 40))}if (DevExt->Counters[${k % 64}] != ${k}) {\n`;
  s += `        __try { MmProbeAndLockPages(mdl, UserMode, IoReadAccess); MmUnlockPages(mdl); } __except (EXCEPTION_EXECUTE_HANDLER) { }\n`;
  for (let k = 0; k < depth; k++) s += `${' '.repeat(4 + ((depth - 1 - k) % 40))}}\n`;
  return `${s}    return STATUS_SUCCESS;\n}\n`;
}

/** A file of `count` one-line helpers and one routine that probes outside a __try (generated sources, firmware glue). */
export function smallFunctions(count: number): string {
  const out: string[] = [];
  for (let k = 0; k < count; k++) out.push(`static ULONG Helper${k}(ULONG x)\n{\n    return x * ${k % 97} + 1;\n}\n\n`);
  out.push('NTSTATUS\nLockIt(PMDL Mdl)\n{\n    MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);\n    return STATUS_SUCCESS;\n}\n');
  return out.join('');
}

/** A file of about `lines` lines: small dispatch-style functions that lock, map and unlock an MDL. */
export function manyFunctions(lines: number): string {
  const out: string[] = [];
  let n = 0;
  for (let k = 0; n < lines; k++) {
    const f = `NTSTATUS\nHandler${k}(PDEVICE_EXTENSION DevExt, PIRP Irp)\n{\n    PMDL mdl = IoAllocateMdl(Irp->UserBuffer, DevExt->Length, FALSE, FALSE, NULL);\n    PVOID va;\n    if (mdl == NULL) {\n        return STATUS_INSUFFICIENT_RESOURCES;\n    }\n    __try {\n        MmProbeAndLockPages(mdl, Irp->RequestorMode, IoWriteAccess);\n    } __except (EXCEPTION_EXECUTE_HANDLER) {\n        IoFreeMdl(mdl);\n        return GetExceptionCode();\n    }\n    va = MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority);\n    if (va != NULL) {\n        DevExt->Counters[${k % 64}] += *(PULONG)va;\n    }\n    MmUnlockPages(mdl);\n    IoFreeMdl(mdl);\n    return STATUS_SUCCESS;\n}\n\n`;
    out.push(f);
    n += 23;
  }
  return out.join('');
}


/**
 * One function of `labels` labels, each testing its argument and jumping to another label (a goto
 * maze: irreducible control flow, no loop statement), with an MDL probe after it.
 */
export function gotoMaze(labels: number): string {
  const out = ['NTSTATUS\nGotoMaze(PMDL Mdl, ULONG State)\n{\n'];
  for (let k = 0; k < labels; k++) out.push(`L${k}:\n    if (State == ${k}) goto L${(k * 7919) % labels};\n`);
  out.push('    MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);\n    return STATUS_SUCCESS;\n}\n');
  return out.join('');
}

/** One function that dispatches on a code with an `else if` chain of `count` branches. */
export function elseIfChain(count: number): string {
  const out = ['NTSTATUS\nDispatchCode(PDEVICE_EXTENSION DevExt, PIRP Irp, ULONG Code)\n{\n    PMDL mdl = Irp->MdlAddress;\n    NTSTATUS status = STATUS_INVALID_DEVICE_REQUEST;\n'];
  for (let k = 0; k < count; k++) out.push(`    ${k ? 'else ' : ''}if (Code == 0x${(0x220000 + 4 * k).toString(16)}) {\n        status = Handle${k}(DevExt);\n    }\n`);
  out.push('    __try { MmProbeAndLockPages(mdl, UserMode, IoReadAccess); MmUnlockPages(mdl); } __except (EXCEPTION_EXECUTE_HANDLER) { }\n    return status;\n}\n');
  return out.join('');
}

/** One function that takes and releases `count` distinct locks in turn (fast mutexes and spin locks of a device extension). */
export function distinctLocks(count: number): string {
  const out = ['NTSTATUS\nTouchAll(PDEVICE_EXTENSION DevExt)\n{\n    KIRQL oldIrql;\n'];
  for (let k = 0; k < count; k++) {
    out.push(k % 2 ? `    KeAcquireSpinLock(&DevExt->Lock${k}, &oldIrql);\n    DevExt->Count${k}++;\n    KeReleaseSpinLock(&DevExt->Lock${k}, oldIrql);\n` : `    ExAcquireFastMutex(&DevExt->Mutex${k});\n    DevExt->Count${k}++;\n    ExReleaseFastMutex(&DevExt->Mutex${k});\n`);
  }
  out.push('    return STATUS_SUCCESS;\n}\n');
  return out.join('');
}

/**
 * One function that allocates, probes, unlocks and frees `count` MDLs one after another, each in its
 * own local (with the error returns of each step): the state must not carry the dead ones along.
 */
export function sequentialMdls(count: number): string {
  const out = ['NTSTATUS\nMapAll(PDEVICE_EXTENSION DevExt, PVOID Buffer, ULONG Length)\n{\n'];
  for (let k = 0; k < count; k++) out.push(`    PMDL mdl${k};\n`);
  for (let k = 0; k < count; k++) {
    out.push(
      `    mdl${k} = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);\n    if (mdl${k} == NULL) {\n        return STATUS_INSUFFICIENT_RESOURCES;\n    }\n` +
        `    __try {\n        MmProbeAndLockPages(mdl${k}, UserMode, IoReadAccess);\n    } __except (EXCEPTION_EXECUTE_HANDLER) {\n        IoFreeMdl(mdl${k});\n        return GetExceptionCode();\n    }\n` +
        `    DevExt->Counters[${k % 64}]++;\n    MmUnlockPages(mdl${k});\n    IoFreeMdl(mdl${k});\n`,
    );
  }
  out.push('    return STATUS_SUCCESS;\n}\n');
  return out.join('');
}

/**
 * `count` MDL allocations and `count` mappings, each checked only afterwards with a `return`: split at
 * each call, these states doubled with every call (300 mappings: 40 s); they part at the checks.
 */
export function checkedLater(count: number): string {
  const out = ['NTSTATUS\nMapLater(PTRANSFER_CONTEXT Ctx, PVOID Buffer, ULONG Length)\n{\n'];
  for (let k = 0; k < count; k++) {
    out.push(`    PMDL m${k} = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);\n    PVOID va${k} = MmGetSystemAddressForMdlSafe(Ctx->Mdl${k}, NormalPagePriority);\n`);
  }
  for (let k = 0; k < count; k++) {
    out.push(`    if (m${k} == NULL || va${k} == NULL) {\n        return STATUS_INSUFFICIENT_RESOURCES;\n    }\n`);
  }
  for (let k = 0; k < count; k++) out.push(`    IoFreeMdl(m${k});\n`);
  out.push('    return STATUS_SUCCESS;\n}\n');
  return out.join('');
}

/**
 * One function that locks `count` MDLs and keeps them all locked until its end (the error paths jump
 * to a common exit), then maps each one into a field of its context and checks the mapping: the state
 * holds every MDL and every system address at once.
 */
export function heldMdls(count: number): string {
  const out = ['NTSTATUS\nLockAll(PTRANSFER_CONTEXT Ctx)\n{\n    NTSTATUS status = STATUS_SUCCESS;\n'];
  for (let k = 0; k < count; k++) {
    out.push(
      `    __try {\n        MmProbeAndLockPages(Ctx->Mdl${k}, KernelMode, IoReadAccess);\n    } __except (EXCEPTION_EXECUTE_HANDLER) {\n        status = GetExceptionCode();\n        goto Exit;\n    }\n`,
    );
  }
  for (let k = 0; k < count; k++) {
    out.push(`    Ctx->Va${k} = MmGetSystemAddressForMdlSafe(Ctx->Mdl${k}, NormalPagePriority);\n    if (Ctx->Va${k} == NULL) {\n        status = STATUS_INSUFFICIENT_RESOURCES;\n        goto Exit;\n    }\n`);
  }
  out.push('Exit:\n    return status;\n}\n');
  return out.join('');
}
