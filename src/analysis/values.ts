/**
 * Abstract integer values for flag, status and counter locals: a bounded union of intervals.
 * Enough to keep `locked = TRUE`, `status = GetExceptionCode()` and `if (!NT_SUCCESS(status))`
 * correlated with the MDL state they go with. Literals in [0x80000000, 0xFFFFFFFF] are read as
 * signed 32-bit values (the NTSTATUS convention: failures are negative).
 */

export type Interval = readonly [number, number];
/** Sorted, disjoint intervals; empty = infeasible. */
export type Val = readonly Interval[];

export const TOP: Val = [[-Infinity, Infinity]];
export const BOTTOM: Val = [];
const MAX_INTERVALS = 6;
const I32_MIN = -2147483648;
const I32_MAX = 2147483647;

export const NT_SUCCESS_RANGE: Val = [[0, I32_MAX]];
export const NT_FAILURE_RANGE: Val = [[I32_MIN, -1]];
export const NT_ERROR_RANGE: Val = [[-0x40000000, -1]];
export const NT_WARNING_RANGE: Val = [[I32_MIN, -0x40000001]];
export const NT_INFORMATION_RANGE: Val = [[0x40000000, I32_MAX]];

export function constant(c: number): Val {
  return [[c, c]];
}

export function isTop(v: Val): boolean {
  return v.length === 1 && v[0]![0] === -Infinity && v[0]![1] === Infinity;
}

export function singleton(v: Val): number | undefined {
  return v.length === 1 && v[0]![0] === v[0]![1] ? v[0]![0] : undefined;
}

/** Sorted, merged, at most MAX_INTERVALS intervals (merged across the smallest gaps; not across `keepOut` if another gap can be). */
function normalize(list: Interval[], keepOut?: number): Val {
  const n = list.length;
  if (n === 0) return BOTTOM;
  // (the common cases allocate nothing more: one interval, or a list already in order; the analyses normalize
  // values at every join and test)
  if (n === 1) return list;
  let sorted = true;
  for (let k = 1; k < n && sorted; k++) if (list[k]![0] < list[k - 1]![0]) sorted = false;
  if (!sorted) list.sort((a, b) => a[0] - b[0]);
  const out: [number, number][] = [];
  for (let k = 0; k < n; k++) {
    const lo = list[k]![0];
    const hi = list[k]![1];
    const last = out[out.length - 1];
    if (last && lo <= last[1] + 1) last[1] = Math.max(last[1], hi);
    else out.push([lo, hi]);
  }
  while (out.length > MAX_INTERVALS) {
    // merge across the smallest gap
    let best = 0;
    let gap = Infinity;
    for (let k = 0; k + 1 < out.length; k++) {
      const g = out[k + 1]![0] - out[k]![1];
      if (keepOut !== undefined && out[k]![1] < keepOut && keepOut < out[k + 1]![0] && out.length > 2) continue;
      if (g < gap) {
        gap = g;
        best = k;
      }
    }
    out[best] = [out[best]![0], out[best + 1]![1]];
    out.splice(best + 1, 1);
  }
  return out;
}

export function join(a: Val, b: Val): Val {
  if (a === b) return a;
  return normalize([...a, ...b]);
}

export function meet(a: Val, b: Val): Val {
  const out: Interval[] = [];
  for (let i = 0; i < a.length; i++) {
    const alo = a[i]![0];
    const ahi = a[i]![1];
    for (let j = 0; j < b.length; j++) {
      const lo = Math.max(alo, b[j]![0]);
      const hi = Math.min(ahi, b[j]![1]);
      if (lo <= hi) out.push([lo, hi]);
    }
  }
  return normalize(out);
}

export function minus(a: Val, c: number): Val {
  const out: Interval[] = [];
  for (const [lo, hi] of a) {
    if (c < lo || c > hi) out.push([lo, hi]);
    else {
      if (lo <= c - 1) out.push([lo, c - 1]);
      if (c + 1 <= hi) out.push([c + 1, hi]);
    }
  }
  // (at the size bound another gap is merged, never the one just made: `c` stays out)
  return normalize(out, c);
}

export function equal(a: Val, b: Val): boolean {
  if (a === b) return true;
  if (a.length !== b.length) return false;
  for (let k = 0; k < a.length; k++) if (a[k]![0] !== b[k]![0] || a[k]![1] !== b[k]![1]) return false;
  return true;
}

export type CmpOp = '==' | '!=' | '<' | '<=' | '>' | '>=';

/** The values of `x` for which `x op c` holds. */
export function constraint(op: CmpOp, c: number): Val {
  switch (op) {
    case '==':
      return [[c, c]];
    case '!=':
      return minus(TOP, c);
    case '<':
      return [[-Infinity, c - 1]];
    case '<=':
      return [[-Infinity, c]];
    case '>':
      return [[c + 1, Infinity]];
    case '>=':
      return [[c, Infinity]];
  }
}

export function negateOp(op: CmpOp): CmpOp {
  return ({ '==': '!=', '!=': '==', '<': '>=', '<=': '>', '>': '<=', '>=': '<' } as const)[op];
}

export function flipOp(op: CmpOp): CmpOp {
  return ({ '==': '==', '!=': '!=', '<': '>', '<=': '>=', '>': '<', '>=': '<=' } as const)[op];
}

/** Can `x op c` be true / false for some x in v? */
export function canBe(v: Val, op: CmpOp, c: number, truth: boolean): boolean {
  return meet(v, constraint(truth ? op : negateOp(op), c)).length > 0;
}

export function toString(v: Val): string {
  if (v.length === 0) return '⊥';
  if (isTop(v)) return '⊤';
  return v.map(([lo, hi]) => (lo === hi ? String(lo) : `${lo}..${hi}`)).join('|');
}

/** Parse a C integer literal (hex, octal, decimal, suffixes). Values in [2^31, 2^32) become negative (NTSTATUS). */
export function parseIntLiteral(text: string): number | undefined {
  const t = text.replace(/[uUlL]+$/, '').replace(/'/g, '');
  let v: number;
  if (/^0[xX][0-9a-fA-F]+$/.test(t)) v = Number.parseInt(t.slice(2), 16);
  else if (/^0[bB][01]+$/.test(t)) v = Number.parseInt(t.slice(2), 2);
  else if (/^0[0-7]+$/.test(t)) v = Number.parseInt(t, 8);
  else if (/^[0-9]+$/.test(t)) v = Number.parseInt(t, 10);
  else return undefined;
  // past 2^53 a JavaScript number is not the literal's value (0xf000000000000000 + 1 is itself): unknown
  if (!Number.isSafeInteger(v)) return undefined;
  if (v >= 0x80000000 && v <= 0xffffffff) v -= 0x100000000;
  return v;
}

/** An integer JavaScript's bitwise operators compute as C does: one of 32 bits, signed or not. */
const fits32 = (x: number): boolean => Number.isInteger(x) && x >= I32_MIN && x <= 0xffffffff;

/**
 * `a op b` for the C integers this domain knows exactly, or undefined (unknown) where it cannot say: a
 * result past 2^53 (a JavaScript number no longer holds it), a division by zero, a negative operand of a
 * bitwise operation wider than 32 bits (its width is the type's, which the domain does not know), a shift
 * by a negative count, a right shift of a negative value. JavaScript's bitwise operators cut their operands
 * to 32 bits (`x & 0xf000000000000000` would be `x & 0`): values within 32 bits keep the domain's reading
 * of them (0x80000000 to 0xFFFFFFFF as negative: NTSTATUS), wider ones are computed as 64-bit integers.
 * `op` is a binary operator, or `~` (b ignored).
 */
export function fold(op: string, a: number, b: number): number | undefined {
  if (!Number.isSafeInteger(a) || (op !== '~' && !Number.isSafeInteger(b))) return undefined;
  let r: number;
  switch (op) {
    case '+':
      r = a + b;
      break;
    case '-':
      r = a - b;
      break;
    case '*':
      r = a * b;
      break;
    case '/':
      if (b === 0) return undefined;
      r = Math.trunc(a / b);
      break;
    case '%':
      if (b === 0) return undefined;
      r = a % b;
      break;
    case '|':
    case '&':
    case '^':
      if (fits32(a) && fits32(b)) r = op === '|' ? a | b : op === '&' ? a & b : a ^ b;
      else if (a >= 0 && b >= 0) {
        const x = BigInt(a);
        const y = BigInt(b);
        r = Number(op === '|' ? x | y : op === '&' ? x & y : x ^ y);
      } else return undefined;
      break;
    case '<<': {
      if (b < 0 || b > 63) return undefined;
      if (a < 0) {
        if (!fits32(a) || b > 31) return undefined;
        r = a << b;
        break;
      }
      const exact = BigInt(a) << BigInt(b);
      if (exact <= 0xffffffffn) r = Number(BigInt.asIntN(32, exact));
      // a 32-bit value shifted past 32 bits: an int overflows, a ULONGLONG does not (the type decides)
      else if (b >= 32 || a > 0xffffffff) r = Number(exact);
      else return undefined;
      break;
    }
    case '>>':
      if (a < 0 || b < 0) return undefined;
      r = b > 63 ? 0 : Number(BigInt(a) >> BigInt(b));
      break;
    case '~':
      if (!fits32(a)) return undefined;
      r = ~a;
      break;
    default:
      return undefined;
  }
  return Number.isSafeInteger(r) ? r : undefined;
}

/** Values of well-known constants (ntstatus.h, wdm.h). */
export const KNOWN_CONSTANTS: Record<string, number> = {
  TRUE: 1,
  FALSE: 0,
  true: 1,
  false: 0,
  NULL: 0,
  nullptr: 0,
  STATUS_SUCCESS: 0,
  STATUS_WAIT_0: 0,
  STATUS_TIMEOUT: 0x102,
  STATUS_PENDING: 0x103,
  STATUS_REPARSE: 0x104,
  STATUS_MORE_ENTRIES: 0x105,
  STATUS_NOT_ALL_ASSIGNED: 0x106,
  STATUS_ALERTED: 0x101,
  STATUS_USER_APC: 0xc0,
  STATUS_GUARD_PAGE_VIOLATION: 0x80000001 - 0x100000000,
  STATUS_DATATYPE_MISALIGNMENT: 0x80000002 - 0x100000000,
  STATUS_BREAKPOINT: 0x80000003 - 0x100000000,
  STATUS_BUFFER_OVERFLOW: 0x80000005 - 0x100000000,
  STATUS_NO_MORE_FILES: 0x80000006 - 0x100000000,
  STATUS_DEVICE_BUSY: 0x80000011 - 0x100000000,
  STATUS_NO_MORE_ENTRIES: 0x8000001a - 0x100000000,
  STATUS_UNSUCCESSFUL: 0xc0000001 - 0x100000000,
  STATUS_NOT_IMPLEMENTED: 0xc0000002 - 0x100000000,
  STATUS_INVALID_INFO_CLASS: 0xc0000003 - 0x100000000,
  STATUS_INFO_LENGTH_MISMATCH: 0xc0000004 - 0x100000000,
  STATUS_ACCESS_VIOLATION: 0xc0000005 - 0x100000000,
  STATUS_IN_PAGE_ERROR: 0xc0000006 - 0x100000000,
  STATUS_INVALID_HANDLE: 0xc0000008 - 0x100000000,
  STATUS_INVALID_PARAMETER: 0xc000000d - 0x100000000,
  STATUS_NO_SUCH_DEVICE: 0xc000000e - 0x100000000,
  STATUS_INVALID_DEVICE_REQUEST: 0xc0000010 - 0x100000000,
  STATUS_END_OF_FILE: 0xc0000011 - 0x100000000,
  STATUS_MORE_PROCESSING_REQUIRED: 0xc0000016 - 0x100000000,
  STATUS_NO_MEMORY: 0xc0000017 - 0x100000000,
  STATUS_ILLEGAL_INSTRUCTION: 0xc000001d - 0x100000000,
  STATUS_ACCESS_DENIED: 0xc0000022 - 0x100000000,
  STATUS_BUFFER_TOO_SMALL: 0xc0000023 - 0x100000000,
  STATUS_OBJECT_TYPE_MISMATCH: 0xc0000024 - 0x100000000,
  STATUS_NONCONTINUABLE_EXCEPTION: 0xc0000025 - 0x100000000,
  STATUS_OBJECT_NAME_INVALID: 0xc0000033 - 0x100000000,
  STATUS_OBJECT_NAME_NOT_FOUND: 0xc0000034 - 0x100000000,
  STATUS_OBJECT_NAME_COLLISION: 0xc0000035 - 0x100000000,
  STATUS_DELETE_PENDING: 0xc0000056 - 0x100000000,
  STATUS_INTEGER_OVERFLOW: 0xc0000095 - 0x100000000,
  STATUS_INSUFFICIENT_RESOURCES: 0xc000009a - 0x100000000,
  STATUS_DEVICE_NOT_READY: 0xc00000a3 - 0x100000000,
  STATUS_IO_TIMEOUT: 0xc00000b5 - 0x100000000,
  STATUS_NOT_SUPPORTED: 0xc00000bb - 0x100000000,
  STATUS_INVALID_USER_BUFFER: 0xc00000e8 - 0x100000000,
  STATUS_INVALID_PARAMETER_1: 0xc00000ef - 0x100000000,
  STATUS_INVALID_PARAMETER_2: 0xc00000f0 - 0x100000000,
  STATUS_INVALID_PARAMETER_3: 0xc00000f1 - 0x100000000,
  STATUS_STACK_OVERFLOW: 0xc00000fd - 0x100000000,
  STATUS_CANCELLED: 0xc0000120 - 0x100000000,
  STATUS_INVALID_ADDRESS: 0xc0000141 - 0x100000000,
  STATUS_INVALID_DEVICE_STATE: 0xc0000184 - 0x100000000,
  STATUS_DEVICE_DOES_NOT_EXIST: 0xc00000c0 - 0x100000000,
  STATUS_INVALID_BUFFER_SIZE: 0xc0000206 - 0x100000000,
  STATUS_NOT_FOUND: 0xc0000225 - 0x100000000,
  STATUS_DEVICE_REMOVED: 0xc00002b6 - 0x100000000,
  STATUS_INSUFFICIENT_NVRAM_RESOURCES: 0xc0000454 - 0x100000000,
  STATUS_DEVICE_DATA_ERROR: 0xc000009c - 0x100000000,
  STATUS_DEVICE_NOT_CONNECTED: 0xc000009d - 0x100000000,
  STATUS_INVALID_PARAMETER_MIX: 0xc0000030 - 0x100000000,
  STATUS_NO_DATA_DETECTED: 0x80000022 - 0x100000000,
  EXCEPTION_EXECUTE_HANDLER: 1,
  EXCEPTION_CONTINUE_SEARCH: 0,
  EXCEPTION_CONTINUE_EXECUTION: -1,
  PASSIVE_LEVEL: 0,
  LOW_LEVEL: 0,
  APC_LEVEL: 1,
  DISPATCH_LEVEL: 2,
  HIGH_LEVEL: 31,
  FILE_DEVICE_UNKNOWN: 0x22, FILE_DEVICE_DISK: 0x07, FILE_DEVICE_NETWORK: 0x12, FILE_DEVICE_FILE_SYSTEM: 0x09, FILE_DEVICE_CONTROLLER: 0x04,
  FILE_DEVICE_MASS_STORAGE: 0x2d, FILE_DEVICE_BUS_EXTENDER: 0x2a, FILE_DEVICE_KS: 0x2f, FILE_DEVICE_SOUND: 0x1d, FILE_DEVICE_VIDEO: 0x23,
  METHOD_BUFFERED: 0, METHOD_IN_DIRECT: 1, METHOD_OUT_DIRECT: 2, METHOD_NEITHER: 3, METHOD_DIRECT_TO_HARDWARE: 1, METHOD_DIRECT_FROM_HARDWARE: 2,
  FILE_ANY_ACCESS: 0, FILE_SPECIAL_ACCESS: 0, FILE_READ_ACCESS: 1, FILE_WRITE_ACCESS: 2, FILE_READ_DATA: 1, FILE_WRITE_DATA: 2,
  // wdm.h: the major function codes (IRP_MJ_*), tested in `IoGetCurrentIrpStackLocation(Irp)->MajorFunction`
  IRP_MJ_CREATE: 0x00, IRP_MJ_CREATE_NAMED_PIPE: 0x01, IRP_MJ_CLOSE: 0x02, IRP_MJ_READ: 0x03, IRP_MJ_WRITE: 0x04,
  IRP_MJ_QUERY_INFORMATION: 0x05, IRP_MJ_SET_INFORMATION: 0x06, IRP_MJ_QUERY_EA: 0x07, IRP_MJ_SET_EA: 0x08,
  IRP_MJ_FLUSH_BUFFERS: 0x09, IRP_MJ_QUERY_VOLUME_INFORMATION: 0x0a, IRP_MJ_SET_VOLUME_INFORMATION: 0x0b,
  IRP_MJ_DIRECTORY_CONTROL: 0x0c, IRP_MJ_FILE_SYSTEM_CONTROL: 0x0d, IRP_MJ_DEVICE_CONTROL: 0x0e,
  IRP_MJ_INTERNAL_DEVICE_CONTROL: 0x0f, IRP_MJ_SCSI: 0x0f, IRP_MJ_SHUTDOWN: 0x10, IRP_MJ_LOCK_CONTROL: 0x11, IRP_MJ_CLEANUP: 0x12,
  IRP_MJ_CREATE_MAILSLOT: 0x13, IRP_MJ_QUERY_SECURITY: 0x14, IRP_MJ_SET_SECURITY: 0x15, IRP_MJ_POWER: 0x16,
  IRP_MJ_SYSTEM_CONTROL: 0x17, IRP_MJ_DEVICE_CHANGE: 0x18, IRP_MJ_QUERY_QUOTA: 0x19, IRP_MJ_SET_QUOTA: 0x1a, IRP_MJ_PNP: 0x1b,
  KernelMode: 0,
  UserMode: 1,
  IoReadAccess: 0,
  IoWriteAccess: 1,
  IoModifyAccess: 2,
  MDL_MAPPED_TO_SYSTEM_VA: 0x0001,
  MDL_PAGES_LOCKED: 0x0002,
  MDL_SOURCE_IS_NONPAGED_POOL: 0x0004,
  MDL_ALLOCATED_FIXED_SIZE: 0x0008,
  MDL_PARTIAL: 0x0010,
  MDL_PARTIAL_HAS_BEEN_MAPPED: 0x0020,
  MDL_IO_PAGE_READ: 0x0040,
  MDL_WRITE_OPERATION: 0x0080,
  MDL_IO_SPACE: 0x0800,
  MDL_MAPPING_CAN_FAIL: 0x2000,
};

/** CTL_CODE(DeviceType, Function, Method, Access), as devioctl.h defines it. */
export function ctlCode(deviceType: number, fn: number, method: number, access: number): number {
  return ((deviceType << 16) | (access << 14) | (fn << 2) | method) >>> 0;
}

/**
 * The file-system control codes of winioctl.h and ntifs.h (`FSCTL_*` = CTL_CODE(FILE_DEVICE_FILE_SYSTEM,
 * function, method, access)): a driver that tests `FsControlCode == FSCTL_MOVE_FILE` after mapping the
 * buffer of a direct-I/O code (`(FsControlCode & 3) == METHOD_OUT_DIRECT`) takes the code's method bits
 * from its value (FSCTL_MOVE_FILE is METHOD_BUFFERED: that path never mapped an MDL). FILE_SPECIAL_ACCESS
 * is 0; FILE_READ_DATA 1, FILE_WRITE_DATA 2.
 */
const METHOD_BUFFERED = 0;
const METHOD_OUT_DIRECT = 2;
const METHOD_NEITHER = 3;
const FILE_READ_DATA = 1;
const FILE_WRITE_DATA = 2;
const FSCTLS: readonly [string, number, number, number][] = [
  ['REQUEST_OPLOCK_LEVEL_1', 0, METHOD_BUFFERED, 0],
  ['REQUEST_OPLOCK_LEVEL_2', 1, METHOD_BUFFERED, 0],
  ['REQUEST_BATCH_OPLOCK', 2, METHOD_BUFFERED, 0],
  ['OPLOCK_BREAK_ACKNOWLEDGE', 3, METHOD_BUFFERED, 0],
  ['OPBATCH_ACK_CLOSE_PENDING', 4, METHOD_BUFFERED, 0],
  ['OPLOCK_BREAK_NOTIFY', 5, METHOD_BUFFERED, 0],
  ['LOCK_VOLUME', 6, METHOD_BUFFERED, 0],
  ['UNLOCK_VOLUME', 7, METHOD_BUFFERED, 0],
  ['DISMOUNT_VOLUME', 8, METHOD_BUFFERED, 0],
  ['IS_VOLUME_MOUNTED', 10, METHOD_BUFFERED, 0],
  ['IS_PATHNAME_VALID', 11, METHOD_BUFFERED, 0],
  ['MARK_VOLUME_DIRTY', 12, METHOD_BUFFERED, 0],
  ['QUERY_RETRIEVAL_POINTERS', 14, METHOD_NEITHER, 0],
  ['GET_COMPRESSION', 15, METHOD_BUFFERED, 0],
  ['SET_COMPRESSION', 16, METHOD_BUFFERED, FILE_READ_DATA | FILE_WRITE_DATA],
  ['MARK_AS_SYSTEM_HIVE', 19, METHOD_NEITHER, 0],
  ['OPLOCK_BREAK_ACK_NO_2', 20, METHOD_BUFFERED, 0],
  ['INVALIDATE_VOLUMES', 21, METHOD_BUFFERED, 0],
  ['QUERY_FAT_BPB', 22, METHOD_BUFFERED, 0],
  ['REQUEST_FILTER_OPLOCK', 23, METHOD_BUFFERED, 0],
  ['FILESYSTEM_GET_STATISTICS', 24, METHOD_BUFFERED, 0],
  ['GET_NTFS_VOLUME_DATA', 25, METHOD_BUFFERED, 0],
  ['GET_NTFS_FILE_RECORD', 26, METHOD_BUFFERED, 0],
  ['GET_VOLUME_BITMAP', 27, METHOD_NEITHER, 0],
  ['GET_RETRIEVAL_POINTERS', 28, METHOD_NEITHER, 0],
  ['MOVE_FILE', 29, METHOD_BUFFERED, 0],
  ['IS_VOLUME_DIRTY', 30, METHOD_BUFFERED, 0],
  ['ALLOW_EXTENDED_DASD_IO', 32, METHOD_NEITHER, 0],
  ['FIND_FILES_BY_SID', 35, METHOD_NEITHER, 0],
  ['SET_OBJECT_ID', 38, METHOD_BUFFERED, 0],
  ['GET_OBJECT_ID', 39, METHOD_BUFFERED, 0],
  ['DELETE_OBJECT_ID', 40, METHOD_BUFFERED, 0],
  ['SET_REPARSE_POINT', 41, METHOD_BUFFERED, 0],
  ['GET_REPARSE_POINT', 42, METHOD_BUFFERED, 0],
  ['DELETE_REPARSE_POINT', 43, METHOD_BUFFERED, 0],
  ['ENUM_USN_DATA', 44, METHOD_NEITHER, 0],
  ['SECURITY_ID_CHECK', 45, METHOD_NEITHER, FILE_READ_DATA],
  ['READ_USN_JOURNAL', 46, METHOD_NEITHER, 0],
  ['SET_OBJECT_ID_EXTENDED', 47, METHOD_BUFFERED, 0],
  ['CREATE_OR_GET_OBJECT_ID', 48, METHOD_BUFFERED, 0],
  ['SET_SPARSE', 49, METHOD_BUFFERED, 0],
  ['SET_ZERO_DATA', 50, METHOD_BUFFERED, FILE_WRITE_DATA],
  ['QUERY_ALLOCATED_RANGES', 51, METHOD_NEITHER, FILE_READ_DATA],
  ['ENABLE_UPGRADE', 52, METHOD_BUFFERED, FILE_WRITE_DATA],
  ['SET_ENCRYPTION', 53, METHOD_NEITHER, 0],
  ['ENCRYPTION_FSCTL_IO', 54, METHOD_NEITHER, 0],
  ['WRITE_RAW_ENCRYPTED', 55, METHOD_NEITHER, 0],
  ['READ_RAW_ENCRYPTED', 56, METHOD_NEITHER, 0],
  ['CREATE_USN_JOURNAL', 57, METHOD_NEITHER, 0],
  ['READ_FILE_USN_DATA', 58, METHOD_NEITHER, 0],
  ['WRITE_USN_CLOSE_RECORD', 59, METHOD_NEITHER, 0],
  ['EXTEND_VOLUME', 60, METHOD_BUFFERED, 0],
  ['QUERY_USN_JOURNAL', 61, METHOD_BUFFERED, 0],
  ['DELETE_USN_JOURNAL', 62, METHOD_BUFFERED, 0],
  ['MARK_HANDLE', 63, METHOD_BUFFERED, 0],
  ['SIS_COPYFILE', 64, METHOD_BUFFERED, 0],
  ['SIS_LINK_FILES', 65, METHOD_BUFFERED, FILE_READ_DATA | FILE_WRITE_DATA],
  ['RECALL_FILE', 69, METHOD_NEITHER, 0],
  ['READ_FROM_PLEX', 71, METHOD_OUT_DIRECT, FILE_READ_DATA],
  ['FILE_PREFETCH', 72, METHOD_BUFFERED, 0],
];
for (const [name, fn, method, access] of FSCTLS) KNOWN_CONSTANTS[`FSCTL_${name}`] = ctlCode(0x09, fn, method, access);

/** Unknown `STATUS_*` names: almost all are failures. Returns the range to assume. */
export function unknownStatusRange(name: string): Val | undefined {
  if (/^STATUS_[A-Z0-9_]+$/.test(name)) return NT_FAILURE_RANGE;
  return undefined;
}

/** The members of a small value set (at most `limit`), or undefined. */
export function members(v: Val, limit = 16): number[] | undefined {
  let count = 0;
  for (const [lo, hi] of v) {
    // (past 2^53, x++ is x: the loop below would never end)
    if (!Number.isSafeInteger(lo) || !Number.isSafeInteger(hi)) return undefined;
    count += hi - lo + 1;
    if (count > limit) return undefined;
  }
  const out: number[] = [];
  for (const [lo, hi] of v) for (let x = lo; x <= hi; x++) out.push(x);
  return out;
}

/** Apply a binary operation to every pair of members of two small value sets (flag bits). */
export function mapPairs(a: Val, b: Val, f: (x: number, y: number) => number | undefined): Val | undefined {
  const xs = members(a);
  const ys = members(b);
  if (!xs || !ys) return undefined;
  const out: Interval[] = [];
  for (const x of xs) {
    for (const y of ys) {
      const r = f(x, y);
      if (r === undefined || !Number.isSafeInteger(r)) return undefined;
      out.push([r, r]);
    }
  }
  return normalize(out);
}
