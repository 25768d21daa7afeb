/**
 * Function summaries: what a function of the linted files does to the MDLs it receives and what it
 * hands back, per exit case, so that callers apply it at their call sites instead of treating the
 * call as an escape (issue 4). A summary is computed once per function from the analysis of its own
 * body (bottom-up over the call graph, see project.ts), never by re-analysing a callee per call site.
 *
 * Paths are written in the callee's terms, rooted at its parameters: `Mdl` (the MDL a parameter
 * points to), `Irp->MdlAddress`, `Ctx->Mdl`, `*MdlOut` (an out parameter). A caller maps them to its
 * own access paths by substituting its arguments (`&mdl` for `MdlOut` turns `*MdlOut` into `mdl`).
 */
import type { MdlOp } from '../ddi/table.js';
import type { Typestate } from './mdl-analysis.js';
import type * as V from './values.js';

/** State of an MDL at the callee's exit (only what the caller needs). */
export interface ObjState {
  state: Typestate;
  mapped?: boolean;
  lockOp?: 'read' | 'write' | 'unknown';
  /** Line (in the callee's file) of the call that locked / freed / built it. */
  lockLine?: number;
  lockCallee?: string;
  freeLine?: number;
  /** The routine that freed it, when not IoFreeMdl (`ExFreePool` of an MmAllocatePagesForMdl MDL). */
  freeCallee?: string;
  builtLine?: number;
  builtCallee?: string;
  userVa?: string;
  /** The buffer it describes is this parameter of the function (IoAllocateMdl(Param, ...)). */
  vaParam?: string;
  failedProbeLine?: number;
}

/** An MDL the caller passed in (reached through a parameter), as the callee left it. */
export interface SlotEffect extends ObjState {
  path: string;
  /** What this case assumed of it on entry (a NULL test, an MDL_PAGES_LOCKED test). */
  entry?: 'locked' | 'not-locked' | 'null';
  /** The case took it not NULL on entry (`if (Ctx->SavedMdl != NULL)`): a caller whose MDL there is NULL does not take it. */
  entryNotNull?: boolean;
  /**
   * Its path still names it when the case returns (no store over it, no `RtlZeroMemory` of the structure): the
   * caller's field passed as `&context` keeps it.
   */
  held?: boolean;
  /** The first operation the callee applied to it: checked against the caller's state at the call. */
  firstOp?: {
    op: MdlOp;
    callee: string;
    line: number;
    /** A probe's AccessMode: a value (KernelMode 0), or the parameter that gives it (the caller's argument decides). */
    mode?: number | string;
  };
  /** A use of it before that operation (checked for use after free). */
  firstUse?: { op: MdlOp; callee: string; line: number };
  /** Handed to code the analysis cannot see (or stored where the caller cannot track it). */
  escaped?: boolean;
}

/** An MDL the callee created (allocated, built, returned by a helper) and handed back. */
export interface NewObj extends ObjState {
  originKind: 'alloc' | 'pages' | 'init' | 'helper';
  originCallee?: string;
  /** The caller owns it now (it must release it). */
  ownedByCaller: boolean;
}

/** Where a value handed back (returned, or stored through a parameter) comes from. */
export type HandedBack = { kind: 'new'; obj: NewObj } | { kind: 'slot'; path: string } | { kind: 'null' };

export interface ExitCase {
  /** An exception leaves the function (an exceptional exit). */
  raise: boolean;
  /** The returned value: an MDL, or a scalar range. */
  ret?: HandedBack;
  retVal?: V.Val;
  /** The returned value is a system address (MmGetSystemAddressForMdlSafe's result). */
  retSva?: boolean;
  /** The slot (a parameter's MDL) whose mapping the returned system address is: it cannot fail for a caller whose MDL is mapped already. */
  retSvaOf?: string;
  slots: SlotEffect[];
  /** Parameter-rooted paths (`*MdlOut`, `Ctx->Mdl`) holding an MDL this function put there. */
  outs: { path: string; value: HandedBack }[];
  /** Ranges of scalar parameters this case is restricted to (`if (Locked) MmUnlockPages(Mdl)`). */
  paramVals: { param: string; val: V.Val }[];
  /** Scalars stored through out parameters (`*Locked = TRUE`). */
  outVals: { path: string; val: V.Val }[];
  /**
   * Out parameters (`*Locked`) this case never writes: the caller's variable keeps its value (a helper that
   * sets `*Locked = TRUE` only after its probe succeeded leaves the caller's FALSE on the other paths).
   */
  kept?: string[];
  /** The case returns this parameter's value as the caller passed it (`return nr_pages;`, never assigned). */
  retParam?: string;
  /**
   * Conditions over parameters the case took (`?flags&VALIDVA` → 1: `if (flags & VALIDVA)`), by their text: a
   * caller that remembers the same test of its argument with the other outcome does not take this case.
   */
  paramConds?: { cond: string; val: 0 | 1 }[];
  /**
   * The preprocessor conditions the case decided (`defined POST_LOCK_PAGES` → 0: the `#ifndef` branch), by key
   * (`ppCondition`): one build decides each the same way everywhere, so a caller that decided one the other way
   * does not take the case, and one that had not takes the decision with it.
   */
  pp?: { key: string; val: 0 | 1 }[];
}

export interface Summary {
  name: string;
  file: string;
  line: number;
  params: string[];
  /** C++ reference parameters: `*P` in the summary's paths is the caller's argument itself. */
  refParams?: string[];
  /** Parameters whose buffer the function (or its helpers) describes with an MDL and probes with KernelMode. */
  kernelModeProbes?: { param: string; line: number; callee: string }[];
  cases: ExitCase[];
  /** Some path ends in an exception leaving the function. */
  mayRaise: boolean;
  /** The function operates on MDLs reached through globals: a caller forgets what it knew of those. */
  touchesGlobals: boolean;
  /** Nothing a caller needs: no MDL effects, nothing handed back. */
  trivial: boolean;
}

/** Bound on exit cases kept per function; beyond it the function is treated as unknown code. */
export const MAX_CASES = 16;
