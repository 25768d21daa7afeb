/**
 * Typed access to the IRQL contract table (`irql-contracts.json`): the IRQL range each DDI must be
 * called in (with argument-dependent conditions), what it does to the IRQL and to locks, the IRQL a
 * function of a given role type is entered at, and the registrations that fix the IRQL of a function
 * pointer argument. Adding or correcting an API is a data change in the JSON file; users extend or
 * override `functions` from the config file through {@link withOverrides}.
 *
 * Levels are numbers on the 0..31 scale that SAL and Code Analysis use (C28151): PASSIVE_LEVEL 0,
 * APC_LEVEL 1, DISPATCH_LEVEL 2, device IRQLs 3..26, SYNCH_LEVEL/PROFILE_LEVEL 27, CLOCK_LEVEL 28,
 * IPI_LEVEL 29, POWER_LEVEL 30, HIGH_LEVEL 31 (the 32-level x86 numbering; x64 uses other numbers for
 * the same names in the same order, see `levelsAmd64` in the JSON).
 */
import data from './irql-contracts.json' with { type: 'json' };

export const PASSIVE_LEVEL = 0;
export const APC_LEVEL = 1;
export const DISPATCH_LEVEL = 2;
export const DIRQL_MIN = 3;
export const DIRQL_MAX = 26;
export const HIGH_LEVEL = 31;

/** Predicates a condition can test on one argument. */
export const CONDITION_PREDICATES = [
  'zero-timeout',
  'null',
  'non-null',
  'true',
  'false',
  'paged-pool',
  'nonpaged-pool',
  'user-mode',
  'kernel-mode',
] as const;
export type ConditionPredicate = (typeof CONDITION_PREDICATES)[number];

export const LOCK_KINDS = [
  'spinlock',
  'queued-spinlock',
  'interrupt-spinlock',
  'fast-mutex',
  'guarded-mutex',
  'executive-spinlock',
  'wdf-spinlock',
  'wdf-waitlock',
  'ndis-spinlock',
  'ndis-rwlock',
  'resource',
  'critical-region',
  'guarded-region',
  'cancel-spinlock',
] as const;
export type LockKind = (typeof LOCK_KINDS)[number];

/** Kinds that name no lock argument: the lock is global, or the "lock" is a per-thread region. */
export const GLOBAL_LOCK_KINDS: readonly LockKind[] = ['critical-region', 'guarded-region', 'cancel-spinlock'];

export const EFFECT_OPS = ['raise', 'lower', 'acquire', 'release', 'callback-at'] as const;
export type EffectOp = (typeof EFFECT_OPS)[number];

/**
 * A test on one argument (0-based index): `is` a predicate, or written `in` one of a list of
 * identifiers.
 */
export type IrqlCondition = { arg: number; is: ConditionPredicate; in?: undefined } | { arg: number; in: string[]; is?: undefined };

/** A condition of `when`: when it matches, its `min`/`max` replace the contract's. */
export type IrqlWhen = IrqlCondition & { min?: number; max?: number };

/** Where an old IRQL is saved / restored from. */
export type IrqlSlot = { arg: number } | 'return' | { lockField: true };

/** A level an effect reaches: a number, or the interrupt's SynchronizeIrql. */
export type EffectLevel = number | 'DIRQL';

export type IrqlEffect =
  | { op: 'raise'; levelArg?: number; level?: number; savedTo?: IrqlSlot }
  | { op: 'lower'; levelArg: number }
  | {
      op: 'acquire';
      kind: LockKind;
      /** The argument that is the lock (absent for global locks and regions). */
      lockArg?: number;
      /** The argument holding per-acquisition state (KLOCK_QUEUE_HANDLE, NDIS LOCK_STATE). */
      handleArg?: number;
      /** Level reached (absent: the IRQL does not change). */
      raiseTo?: EffectLevel;
      savedTo?: IrqlSlot;
      /** AtDpcLevel / Dpr forms: no raise, the caller is already at DISPATCH_LEVEL. */
      atLevel?: boolean;
      /** "true": acquired (and raised) only when the call returns TRUE. */
      onReturn?: 'true';
    }
  | {
      op: 'release';
      kind: LockKind;
      lockArg?: number;
      handleArg?: number;
      restoreFrom?: IrqlSlot;
      /** FromDpcLevel / Dpr forms: the IRQL is not restored. */
      atLevel?: boolean;
    }
  | { op: 'callback-at'; fnArg: number; level: EffectLevel };

export interface IrqlContract {
  /** Lowest IRQL the caller may be at (default PASSIVE_LEVEL). */
  min?: number;
  /** Highest IRQL the caller may be at (default HIGH_LEVEL). */
  max?: number;
  when?: IrqlWhen[];
  /** Arguments that must point to nonpageable memory when called at DISPATCH_LEVEL or above. */
  pageableArgs?: number[];
  /** The MDL argument whose described buffer decides the bound: pageable buffer → `maxIfPageable`. */
  pageableBufferOfMdlArg?: number;
  maxIfPageable?: number;
  effect?: IrqlEffect | IrqlEffect[];
  /** The routine waits (a thread switch): above its maximum at DISPATCH_LEVEL or higher it is irql-wait-at-dispatch's. */
  wait?: boolean;
  /** Documentation source; required in the built-in table, optional in user overrides. */
  source?: string;
}

export interface RoleIrql {
  min: number;
  max: number;
  /** KMDF: called at PASSIVE_LEVEL instead when the object's ExecutionLevel is WdfExecutionLevelPassive. */
  passiveExecutionLevel?: boolean;
  /**
   * The structure member a driver stores the routine in, which gives it the role: `DriverObject->DriverStartIo = Fn`
   * (DRIVER_STARTIO), `FastIoDispatch->FastIoRead = Fn` (FAST_IO_READ).
   */
  member?: string;
  /**
   * A function of this type returns in another lock or IRQL state than it was entered in, by contract: the cancel-safe
   * queue's CsqAcquireLock returns holding the queue's lock (a spin lock's raised IRQL saved to `*Irql`), its
   * CsqReleaseLock releases it. Its exits are not checked for balance, as if it were annotated `_Acquires_lock_`.
   */
  changesLockState?: boolean;
  source: string;
}

export interface Registration {
  /** The function-pointer argument. */
  fnArg: number;
  min: number;
  max: number;
  /** The role typedef of that function, when there is one. */
  role?: string;
  /**
   * Other function-pointer arguments of the same call and the role each gives its routine, as if declared with it
   * (IoCsqInitialize's sixth argument is the queue's IO_CSQ_RELEASE_LOCK routine), by argument index.
   */
  roleArgs?: Record<string, string>;
  source: string;
}

const table = data as unknown as {
  levels: Record<string, number>;
  functions: Record<string, IrqlContract & { source: string }>;
  roles: Record<string, RoleIrql>;
  registrations: Record<string, Registration>;
};

const has = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

export function irqlContract(name: string): IrqlContract | undefined {
  return has(table.functions, name) ? table.functions[name] : undefined;
}

export function roleIrql(typeName: string): RoleIrql | undefined {
  return has(table.roles, typeName) ? table.roles[typeName] : undefined;
}

export function registration(name: string): Registration | undefined {
  return has(table.registrations, name) ? table.registrations[name] : undefined;
}

export function allIrqlDdiNames(): string[] {
  return Object.keys(table.functions);
}

export function allRoleNames(): string[] {
  return Object.keys(table.roles);
}

/** The roles given by a structure member (`RoleIrql.member`), by member name. */
export function memberRoles(): Map<string, string> {
  return new Map(Object.entries(table.roles).flatMap(([role, r]) => (r.member ? [[r.member, role] as [string, string]] : [])));
}

export function allRegistrationNames(): string[] {
  return Object.keys(table.registrations);
}

/** The WDK level names and their numbers on the table's scale. */
export function irqlLevelTable(): Readonly<Record<string, number>> {
  return table.levels;
}

/**
 * The number of a WDK level name (`DISPATCH_LEVEL`, `HIGH_LEVEL`...), of a numeric string (`"2"`,
 * `"0x2"`), or of the `DIRQL (n)` form {@link irqlLevelName} produces. `DIRQL` alone is a range, not a
 * level: undefined. Anything else, or a number outside 0..31: undefined.
 */
export function irqlLevelByName(name: string): number | undefined {
  const s = name.trim();
  let n: number | undefined;
  if (/^\d+$/.test(s)) n = Number(s);
  else if (/^0[xX][0-9a-fA-F]+$/.test(s)) n = parseInt(s.slice(2), 16);
  else {
    const d = /^DIRQL\s*\(\s*(\d+)\s*\)$/i.exec(s);
    if (d) {
      const v = Number(d[1]);
      return v >= DIRQL_MIN && v <= DIRQL_MAX ? v : undefined;
    }
    const key = s.toUpperCase();
    n = has(table.levels, key) ? table.levels[key] : undefined;
  }
  return n !== undefined && Number.isInteger(n) && n >= PASSIVE_LEVEL && n <= HIGH_LEVEL ? n : undefined;
}

/** Preferred name for a level that several names share (27 is both SYNCH_LEVEL and PROFILE_LEVEL). */
const PREFERRED_NAMES = ['PASSIVE_LEVEL', 'APC_LEVEL', 'DISPATCH_LEVEL', 'SYNCH_LEVEL', 'CLOCK_LEVEL', 'IPI_LEVEL', 'POWER_LEVEL', 'HIGH_LEVEL'];

/** Display name of a level: `PASSIVE_LEVEL`, `APC_LEVEL`, `DISPATCH_LEVEL`, `DIRQL (n)` for 3..26, ... */
export function irqlLevelName(n: number): string {
  if (Number.isInteger(n) && n >= DIRQL_MIN && n <= DIRQL_MAX) return `DIRQL (${n})`;
  for (const name of PREFERRED_NAMES) if (table.levels[name] === n) return name;
  for (const [name, v] of Object.entries(table.levels)) if (v === n) return name;
  return `IRQL ${n}`;
}

/** The effects of a contract as an array (empty when it has none). */
export function effectsOf(c: IrqlContract | undefined): IrqlEffect[] {
  if (!c?.effect) return [];
  return Array.isArray(c.effect) ? c.effect : [c.effect];
}

/**
 * The caller's IRQL range for a call: the contract's `min`/`max`, replaced by those of the first
 * `when` condition that `test` says holds. `test` returns true, false, or undefined when the argument's
 * value is unknown (such a condition does not match; callers that want the permissive reading can
 * pass a `test` that answers true for unknowns).
 */
export function contractBounds(c: IrqlContract, test: (cond: IrqlCondition) => boolean | undefined): { min: number; max: number } {
  let min = c.min ?? PASSIVE_LEVEL;
  let max = c.max ?? HIGH_LEVEL;
  for (const w of c.when ?? []) {
    if (test(w) === true) {
      if (w.min !== undefined) min = w.min;
      if (w.max !== undefined) max = w.max;
      break;
    }
  }
  return { min, max };
}

// ------------------------------------------------------------------------------------------------
// Validation (user overrides; the built-in table is checked by the same code in the tests)

const isLevel = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= PASSIVE_LEVEL && v <= HIGH_LEVEL;
const isIndex = (v: unknown): v is number => typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 31;
const isObj = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function checkKeys(o: Record<string, unknown>, allowed: string[], where: string, out: string[]): void {
  for (const k of Object.keys(o)) if (!allowed.includes(k)) out.push(`${where}: unknown key "${k}" (allowed: ${allowed.join(', ')})`);
}

function checkSlot(v: unknown, where: string, out: string[]): void {
  if (v === 'return') return;
  if (isObj(v)) {
    if ('arg' in v && Object.keys(v).length === 1 && isIndex(v.arg)) return;
    if ('lockField' in v && Object.keys(v).length === 1 && v.lockField === true) return;
  }
  out.push(`${where}: must be {"arg": n}, "return" or {"lockField": true}`);
}

function checkEffectLevel(v: unknown, where: string, out: string[]): void {
  if (v !== 'DIRQL' && !isLevel(v)) out.push(`${where}: must be an IRQL 0..31 or "DIRQL"`);
}

function checkEffect(e: unknown, where: string, out: string[]): void {
  if (!isObj(e)) {
    out.push(`${where}: must be an object`);
    return;
  }
  const op = e.op;
  if (typeof op !== 'string' || !(EFFECT_OPS as readonly string[]).includes(op)) {
    out.push(`${where}.op: must be one of ${EFFECT_OPS.join(', ')}`);
    return;
  }
  switch (op as EffectOp) {
    case 'raise':
      checkKeys(e, ['op', 'levelArg', 'level', 'savedTo'], where, out);
      if ((e.levelArg === undefined) === (e.level === undefined)) out.push(`${where}: a raise needs exactly one of "levelArg" and "level"`);
      if (e.levelArg !== undefined && !isIndex(e.levelArg)) out.push(`${where}.levelArg: must be an argument index`);
      if (e.level !== undefined && !isLevel(e.level)) out.push(`${where}.level: must be an IRQL 0..31`);
      if (e.savedTo !== undefined) checkSlot(e.savedTo, `${where}.savedTo`, out);
      break;
    case 'lower':
      checkKeys(e, ['op', 'levelArg'], where, out);
      if (!isIndex(e.levelArg)) out.push(`${where}.levelArg: must be an argument index`);
      break;
    case 'acquire':
    case 'release': {
      const acquire = op === 'acquire';
      checkKeys(e, acquire ? ['op', 'kind', 'lockArg', 'handleArg', 'raiseTo', 'savedTo', 'atLevel', 'onReturn'] : ['op', 'kind', 'lockArg', 'handleArg', 'restoreFrom', 'atLevel'], where, out);
      const kind = e.kind;
      if (typeof kind !== 'string' || !(LOCK_KINDS as readonly string[]).includes(kind)) {
        out.push(`${where}.kind: must be one of ${LOCK_KINDS.join(', ')}`);
      } else if (e.lockArg === undefined && e.handleArg === undefined && !GLOBAL_LOCK_KINDS.includes(kind as LockKind)) {
        out.push(`${where}: a "${kind}" ${op} needs "lockArg" or "handleArg"`);
      }
      if (e.lockArg !== undefined && !isIndex(e.lockArg)) out.push(`${where}.lockArg: must be an argument index`);
      if (e.handleArg !== undefined && !isIndex(e.handleArg)) out.push(`${where}.handleArg: must be an argument index`);
      if (e.atLevel !== undefined && typeof e.atLevel !== 'boolean') out.push(`${where}.atLevel: must be a boolean`);
      if (acquire) {
        if (e.raiseTo !== undefined) checkEffectLevel(e.raiseTo, `${where}.raiseTo`, out);
        if (e.savedTo !== undefined) checkSlot(e.savedTo, `${where}.savedTo`, out);
        if (e.onReturn !== undefined && e.onReturn !== 'true') out.push(`${where}.onReturn: must be "true"`);
        if (e.atLevel === true && e.raiseTo !== undefined) out.push(`${where}: an atLevel acquire does not raise ("raiseTo" not allowed)`);
      } else {
        if (e.restoreFrom !== undefined) checkSlot(e.restoreFrom, `${where}.restoreFrom`, out);
        if (e.atLevel === true && e.restoreFrom !== undefined) out.push(`${where}: an atLevel release does not restore ("restoreFrom" not allowed)`);
      }
      break;
    }
    case 'callback-at':
      checkKeys(e, ['op', 'fnArg', 'level'], where, out);
      if (!isIndex(e.fnArg)) out.push(`${where}.fnArg: must be an argument index`);
      checkEffectLevel(e.level, `${where}.level`, out);
      break;
  }
}

function checkCondition(w: unknown, where: string, out: string[]): void {
  if (!isObj(w)) {
    out.push(`${where}: must be an object`);
    return;
  }
  checkKeys(w, ['arg', 'is', 'in', 'min', 'max'], where, out);
  if (!isIndex(w.arg)) out.push(`${where}.arg: must be an argument index 0..31`);
  if ((w.is === undefined) === (w.in === undefined)) out.push(`${where}: needs exactly one of "is" and "in"`);
  if (w.is !== undefined && (typeof w.is !== 'string' || !(CONDITION_PREDICATES as readonly string[]).includes(w.is))) {
    out.push(`${where}.is: must be one of ${CONDITION_PREDICATES.join(', ')}`);
  }
  if (w.in !== undefined && (!Array.isArray(w.in) || w.in.length === 0 || !w.in.every((x) => typeof x === 'string' && /^[A-Za-z_]\w*$/.test(x)))) {
    out.push(`${where}.in: must be a non-empty list of identifiers`);
  }
  if (w.min === undefined && w.max === undefined) out.push(`${where}: gives neither "min" nor "max"`);
  if (w.min !== undefined && !isLevel(w.min)) out.push(`${where}.min: must be an IRQL 0..31`);
  if (w.max !== undefined && !isLevel(w.max)) out.push(`${where}.max: must be an IRQL 0..31`);
  if (isLevel(w.min) && isLevel(w.max) && w.min > w.max) out.push(`${where}: min ${w.min} > max ${w.max}`);
}

/**
 * Problems with one contract entry (empty when it is well formed). `requireSource`: the built-in
 * table needs a non-empty `source`; user overrides do not.
 */
export function validateIrqlContract(entry: unknown, requireSource: boolean): string[] {
  const out: string[] = [];
  if (!isObj(entry)) return ['must be an object'];
  checkKeys(entry, ['min', 'max', 'when', 'pageableArgs', 'pageableBufferOfMdlArg', 'maxIfPageable', 'effect', 'wait', 'source'], 'entry', out);
  if (entry.wait !== undefined && typeof entry.wait !== 'boolean') out.push('wait: must be true or false');
  if (entry.min !== undefined && !isLevel(entry.min)) out.push('min: must be an IRQL 0..31');
  if (entry.max !== undefined && !isLevel(entry.max)) out.push('max: must be an IRQL 0..31');
  if (isLevel(entry.min) && isLevel(entry.max) && entry.min > entry.max) out.push(`min ${entry.min} > max ${entry.max}`);
  if (entry.when !== undefined) {
    if (!Array.isArray(entry.when)) out.push('when: must be an array');
    else entry.when.forEach((w, i) => checkCondition(w, `when[${i}]`, out));
  }
  if (entry.pageableArgs !== undefined && (!Array.isArray(entry.pageableArgs) || !entry.pageableArgs.every(isIndex))) {
    out.push('pageableArgs: must be a list of argument indices');
  }
  if ((entry.pageableBufferOfMdlArg === undefined) !== (entry.maxIfPageable === undefined)) {
    out.push('"pageableBufferOfMdlArg" and "maxIfPageable" go together');
  }
  if (entry.pageableBufferOfMdlArg !== undefined && !isIndex(entry.pageableBufferOfMdlArg)) out.push('pageableBufferOfMdlArg: must be an argument index');
  if (entry.maxIfPageable !== undefined && !isLevel(entry.maxIfPageable)) out.push('maxIfPageable: must be an IRQL 0..31');
  if (entry.effect !== undefined) {
    if (Array.isArray(entry.effect)) {
      if (entry.effect.length === 0) out.push('effect: an empty list');
      entry.effect.forEach((e, i) => checkEffect(e, `effect[${i}]`, out));
    } else checkEffect(entry.effect, 'effect', out);
  }
  if (entry.source !== undefined && typeof entry.source !== 'string') out.push('source: must be a string');
  if (requireSource && (typeof entry.source !== 'string' || entry.source.trim() === '')) out.push('source: required, non-empty');
  return out;
}

/** Accessor over the built-in table with user entries layered on top. */
export interface IrqlTable {
  contract(name: string): IrqlContract | undefined;
  role(typeName: string): RoleIrql | undefined;
  registration(name: string): Registration | undefined;
  /** Built-in and user function names. */
  names(): string[];
}

/**
 * The table with `user` entries (from the config file) added: a user entry for a name the table
 * already has replaces the built-in contract as a whole; other names extend the table. Throws an
 * Error naming the first malformed entry.
 */
export function withOverrides(user: Record<string, IrqlContract>): IrqlTable {
  if (!isObj(user)) throw new Error('IRQL contract overrides: must be an object mapping function names to contracts');
  // no prototype: a routine named like an Object.prototype member (or "__proto__") is an ordinary key
  const own: Record<string, IrqlContract> = Object.create(null) as Record<string, IrqlContract>;
  for (const [name, entry] of Object.entries(user)) {
    if (!/^[A-Za-z_]\w*$/.test(name)) throw new Error(`IRQL contract override "${name}": the key must be a C identifier`);
    const problems = validateIrqlContract(entry, false);
    if (problems.length > 0) throw new Error(`IRQL contract override "${name}": ${problems.join('; ')}`);
    own[name] = entry;
  }
  return {
    contract: (name) => (has(own, name) ? own[name] : irqlContract(name)),
    role: roleIrql,
    registration,
    names: () => [...new Set([...allIrqlDdiNames(), ...Object.keys(own)])],
  };
}

/** The built-in table alone (`withOverrides({})`), shared. */
export const BUILTIN_IRQL_TABLE: IrqlTable = withOverrides({});

const wordsCache = new WeakMap<IrqlTable, RegExp>();

/**
 * A regular expression matching the words that make a text matter to the IRQL analysis: every
 * function name of `table` (built-in and user entries), the role types, the registrations, and the
 * IRQL annotations (`_IRQL_requires_max_`, `__drv_maxIRQL`...). Default: the built-in table.
 */
export function irqlWordsPattern(table: IrqlTable = BUILTIN_IRQL_TABLE): RegExp {
  let re = wordsCache.get(table);
  if (!re) {
    const names = [...new Set([...table.names(), ...allRoleNames(), ...allRegistrationNames()])].filter((n) => /^[A-Za-z_]\w*$/.test(n));
    re = new RegExp(`\\b(?:_IRQL_\\w+|__drv_\\w*IRQL|${names.join('|')})\\b`);
    wordsCache.set(table, re);
  }
  return re;
}

// ------------------------------------------------------------------------------------------------
// JSON schema of one contract entry (for ajv, e.g. in the config loader)

const levelSchema = { type: 'integer', minimum: 0, maximum: 31 } as const;
const indexSchema = { type: 'integer', minimum: 0, maximum: 31 } as const;
const effectLevelSchema = { anyOf: [levelSchema, { const: 'DIRQL' }] };
const slotSchema = {
  anyOf: [
    { const: 'return' },
    { type: 'object', properties: { arg: indexSchema }, required: ['arg'], additionalProperties: false },
    { type: 'object', properties: { lockField: { const: true } }, required: ['lockField'], additionalProperties: false },
  ],
};
const lockRefRule = {
  if: { properties: { kind: { enum: LOCK_KINDS.filter((k) => !GLOBAL_LOCK_KINDS.includes(k)) } } },
  then: { anyOf: [{ required: ['lockArg'] }, { required: ['handleArg'] }] },
};
const effectSchema = {
  oneOf: [
    {
      type: 'object',
      properties: { op: { const: 'raise' }, levelArg: indexSchema, level: levelSchema, savedTo: slotSchema },
      required: ['op'],
      oneOf: [{ required: ['levelArg'] }, { required: ['level'] }],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: { op: { const: 'lower' }, levelArg: indexSchema },
      required: ['op', 'levelArg'],
      additionalProperties: false,
    },
    {
      type: 'object',
      properties: {
        op: { const: 'acquire' },
        kind: { enum: [...LOCK_KINDS] },
        lockArg: indexSchema,
        handleArg: indexSchema,
        raiseTo: effectLevelSchema,
        savedTo: slotSchema,
        atLevel: { type: 'boolean' },
        onReturn: { const: 'true' },
      },
      required: ['op', 'kind'],
      additionalProperties: false,
      ...lockRefRule,
    },
    {
      type: 'object',
      properties: {
        op: { const: 'release' },
        kind: { enum: [...LOCK_KINDS] },
        lockArg: indexSchema,
        handleArg: indexSchema,
        restoreFrom: slotSchema,
        atLevel: { type: 'boolean' },
      },
      required: ['op', 'kind'],
      additionalProperties: false,
      ...lockRefRule,
    },
    {
      type: 'object',
      properties: { op: { const: 'callback-at' }, fnArg: indexSchema, level: effectLevelSchema },
      required: ['op', 'fnArg', 'level'],
      additionalProperties: false,
    },
  ],
};

/** JSON schema (draft-07, ajv) of one IRQL contract entry; `source` is optional here. */
export const IRQL_CONTRACT_SCHEMA: Record<string, unknown> = {
  $schema: 'http://json-schema.org/draft-07/schema#',
  title: 'IRQL contract of one function',
  type: 'object',
  properties: {
    min: levelSchema,
    max: levelSchema,
    when: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          arg: indexSchema,
          is: { enum: [...CONDITION_PREDICATES] },
          in: { type: 'array', minItems: 1, items: { type: 'string', pattern: '^[A-Za-z_][A-Za-z0-9_]*$' } },
          min: levelSchema,
          max: levelSchema,
        },
        required: ['arg'],
        oneOf: [{ required: ['is'] }, { required: ['in'] }],
        anyOf: [{ required: ['min'] }, { required: ['max'] }],
        additionalProperties: false,
      },
    },
    pageableArgs: { type: 'array', items: indexSchema },
    wait: { type: 'boolean' },
    pageableBufferOfMdlArg: indexSchema,
    maxIfPageable: levelSchema,
    effect: { anyOf: [effectSchema, { type: 'array', minItems: 1, items: effectSchema }] },
    source: { type: 'string' },
  },
  dependencies: { pageableBufferOfMdlArg: ['maxIfPageable'], maxIfPageable: ['pageableBufferOfMdlArg'] },
  additionalProperties: false,
};

/** The IRQL table of a run's contracts, built once per contracts object. */
const tables = new WeakMap<object, IrqlTable>();
/** The table of a run's `irqlContracts` (undefined when there are none: the built-in table). */
export function irqlTableOf(contracts: Readonly<Record<string, IrqlContract>> | undefined): IrqlTable | undefined {
  if (!contracts || Object.keys(contracts).length === 0) return undefined;
  let t = tables.get(contracts);
  if (!t) tables.set(contracts, (t = withOverrides(contracts as Record<string, IrqlContract>)));
  return t;
}
