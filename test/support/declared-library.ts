/**
 * A library's header as a driver declares it (the library itself is not linted): the annotated prototypes
 * the IRQL rules read as the routines' contracts (`_IRQL_requires_*`, `_IRQL_raises_`, `_IRQL_saves_`,
 * `_IRQL_restores_`). Shared by the IRQL rule tests; ten lines, so a case's line numbers start at 11.
 */
export const DECLARED_LIBRARY = `_IRQL_requires_max_(DISPATCH_LEVEL)
_IRQL_saves_
_IRQL_raises_(DISPATCH_LEVEL)
KIRQL LibLock(PVOID Ctx);

_IRQL_requires_(DISPATCH_LEVEL)
VOID LibUnlock(PVOID Ctx, _In_ _IRQL_restores_ KIRQL Irql);

_IRQL_requires_max_(PASSIVE_LEVEL)
VOID LibPassiveOnly(PVOID Ctx);
`;
