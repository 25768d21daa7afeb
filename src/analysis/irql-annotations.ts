/**
 * The annotations the IRQL analysis reads of a file (`fileIrqlFacts`): those that let a function return at
 * another IRQL or with a lock acquired or released, and those that give a function's IRQL range or role.
 * A file released for a whole-program run (`releaseParsed`) keeps only these: the others (`_In_`, `NTAPI`,
 * `#pragma` lines...) are read by nothing once the file is parsed, and are most of a driver's annotations.
 */

/** Annotations that let a function return at another IRQL, or with a lock acquired or released. */
export const CHANGES_IRQL =
  /^_IRQL_(raises|saves|restores|saves_global|restores_global)_$|^__drv_(raisesIRQL|savesIRQL|restoresIRQL|setsIRQL|savesIRQLGlobal|restoresIRQLGlobal|acquiresResource|releasesResource|acquiresExclusiveResource|releasesExclusiveResource|acquiresResourceGlobal|releasesResourceGlobal|acquiresExclusiveResourceGlobal|releasesExclusiveResourceGlobal|acquiresCancelSpinLock|releasesCancelSpinLock)$|^_(Acquires|Releases)_(lock|exclusive_lock|shared_lock|nonreentrant_lock)_$/;

/** Annotations that give a function's IRQL range (or its role, `_Function_class_`). */
export const IRQL_RANGE_ANNOTATION = /^(_IRQL_requires_|_IRQL_requires_max_|_IRQL_requires_min_|__drv_maxIRQL|__drv_minIRQL|__drv_requiresIRQL|_Function_class_)$/;

/** An annotation `fileIrqlFacts` reads. */
export function irqlReadsAnnotation(name: string): boolean {
  return CHANGES_IRQL.test(name) || IRQL_RANGE_ANNOTATION.test(name);
}
