/**
 * Typed access to the DDI effects table (`ddi-effects.json`). The analysis reads effects from here
 * only; adding an API is a data change in the JSON file.
 */
import data from './ddi-effects.json' with { type: 'json' };

export type MdlOp = 'lock' | 'unlock' | 'free' | 'build-nonpaged' | 'partial-target' | 'init' | 'unmap' | 'use';
export type ReturnKind = 'mdl-alloc' | 'mdl-pages' | 'exception-code' | 'system-address';

export interface DdiEffect {
  /** `ifMdl`: the operation applies only to an argument known to be an MDL (declared PMDL, or an MDL the analysis tracks): ExFreePool frees any pool block. */
  mdl?: { arg: number; op: MdlOp; ifMdl?: boolean }[];
  returns?: ReturnKind;
  raises?: boolean;
  requiresTry?: boolean;
  attachesToIrpArg?: number;
  /** Frees the IRP at this argument (IoFreeIrp): the MDLs on its MdlAddress chain are neither unlocked nor freed. */
  freesIrpArg?: number;
  /** system-address: the argument that, when TRUE, makes the routine bug-check instead of returning NULL. */
  bugCheckOnFailureArg?: number;
  /** system-address: the AccessMode argument; for UserMode the routine raises instead of returning NULL. */
  mapModeArg?: number;
  /** Never returns normally (raises or bug-checks). */
  noreturn?: boolean;
  /** system-address: never returns NULL (bug-checks on failure). */
  neverNull?: boolean;
  source: string;
}

const functions = data.functions as Record<string, DdiEffect>;
const pure = new Set<string>(data.pure);

export function ddiEffect(name: string): DdiEffect | undefined {
  return Object.prototype.hasOwnProperty.call(functions, name) ? functions[name] : undefined;
}

/** Known to neither raise nor keep a pointer to its arguments. */
export function isPure(name: string): boolean {
  return pure.has(name);
}

const identity = new Set<string>((data as { identity?: string[] }).identity ?? []);
/** A function-like macro whose value is its first argument (`unlikely(x)`). */
export function isIdentity(name: string): boolean {
  return identity.has(name);
}

const valueMacros = new Set<string>((data as { valueMacros?: string[] }).valueMacros ?? []);
/** A WDK macro whose value depends on its arguments alone (`METHOD_FROM_CTL_CODE(code)`): the same arguments, the same value. */
export function isValueMacro(name: string): boolean {
  return valueMacros.has(name);
}

/** Raises a structured exception on bad input: the CFG gets an exceptional edge from the call. */
export function raises(name: string): boolean {
  return ddiEffect(name)?.raises === true;
}

/** Names of the routines that must be called inside `__try`/`__except` and lock an MDL (the probe family). */
export function probeRoutines(): string[] {
  return Object.entries(functions)
    .filter(([, e]) => e.requiresTry && e.mdl?.some((m) => m.op === 'lock'))
    .map(([n]) => n);
}

export function allDdiNames(): string[] {
  return Object.keys(functions);
}

/**
 * The major functions whose IRPs carry their data in `Irp->AssociatedIrp.SystemBuffer` and no MDL
 * (`irpMajorsWithoutMdl`: the I/O manager sends them buffered whatever the device's flags), by name.
 */
export function irpMajorsWithoutMdl(): readonly string[] {
  return data.irpMajorsWithoutMdl.majors;
}
