/**
 * Symbolic names of Code Analysis (PREfast) warnings, as the WDK's `<CodeAnalysis/warnings.h>`
 * defines them (`#define __WARNING_IRQ_TOO_HIGH 28121`), so that `#pragma warning(suppress:
 * __WARNING_IRQ_TOO_HIGH)` suppresses the same rules as `#pragma warning(suppress: 28121)`.
 *
 * Only pairs found in a public source are listed; a name that is not here is ignored by the pragma
 * parser (it suppresses nothing), never guessed. Source of every entry, name and number together:
 *
 *   microsoft/Windows-Driver-Developer-Supplemental-Tools, src/drivers/libraries/Suppression.qll
 *   (`CASuppression.makeLgtmName`, which maps each CA suppression name or number to the CodeQL port
 *   of that check, e.g. `any(["__WARNING_IRQ_TOO_HIGH", "28121"])`).
 *
 * Public driver sources use some of these names, e.g. `#pragma warning(suppress: __WARNING_IRQ_SET_TOO_HIGH;
 * suppress: ...)` in a serial port driver and `#pragma warning(disable: __WARNING_IRQL_NOT_USED)`
 * around a spin-lock release routine. Names seen in driver code but not
 * found with a number in any source (so not listed): `__WARNING_INFERRED_IRQ_TOO_LOW`,
 * `__WARNING_INFERRED_IRQ_TOO_HIGH`. The banned-API names of the same file are listed there in one
 * group with several numbers, without a pairing, so they are not listed either.
 */

/** Name → warning number. */
export const CA_WARNING_NAMES: Readonly<Record<string, number>> = Object.freeze({
  // IRQL (C28120-C28167)
  __WARNING_IRQ_TOO_LOW: 28120,
  __WARNING_IRQ_TOO_HIGH: 28121,
  __WARNING_IRQ_SET_TOO_LOW: 28124,
  __WARNING_IRQ_SET_TOO_HIGH: 28150,
  __WARNING_IRQL_NOT_USED: 28157,
  __WARNING_IRQL_NOT_SET: 28158,
  __WARNING_UNEXPECTED_IRQL_CHANGE: 28167,
  // pageable code (C28170-C28172)
  __WARNING_NO_PAGED_CODE: 28170,
  __WARNING_MULTIPLE_PAGED_CODE: 28171,
  __WARNING_NO_PAGING_SEGMENT: 28172,
  // other driver checks (C28126-C28193)
  __WARNING_OBJ_REFERENCE_MODE: 28126,
  __WARNING_PROTOTYPE_MISMATCH: 28127,
  __WARNING_FUNCTION_ASSIGNMENT: 28128,
  __WARNING_POOL_TAG: 28134,
  __WARNING_KE_WAIT_LOCAL: 28135,
  __WARNING_PENDING_STATUS_ERROR: 28143,
  __WARNING_MODIFYING_MDL: 28145,
  __WARNING_STRSAFE_H: 28146,
  __WARNING_UNHELPFUL_TAG: 28147,
  __WARNING_INIT_NOT_CLEARED: 28152,
  __WARNING_DISPATCH_MISMATCH: 28168,
  __WARNING_DISPATCH_MISSING: 28169,
  __WARNING_INACCESSIBLE_MEMBER: 28175,
  __WARNING_READ_ONLY_MEMBER: 28176,
  __WARNING_MUST_USE: 28193,
  __WARNING_INTERLOCKEDDECREMENT_MISUSE1: 28616,
});

/** The number of a warning name (`__WARNING_IRQ_TOO_HIGH` → 28121); undefined for unknown names. */
export function caWarningNumber(name: string): number | undefined {
  return Object.prototype.hasOwnProperty.call(CA_WARNING_NAMES, name) ? CA_WARNING_NAMES[name] : undefined;
}

/** The names of a warning number (28121 → `['__WARNING_IRQ_TOO_HIGH']`). */
export function caWarningNames(n: number): string[] {
  return Object.entries(CA_WARNING_NAMES)
    .filter(([, v]) => v === n)
    .map(([k]) => k);
}
