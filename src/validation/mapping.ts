/**
 * Which simulated faults correspond to which rule. This file belongs to the validation harness:
 * it may know the linter's rule ids; the simulator proper (src/sim/*.ts) does not.
 */
import type { FaultKind } from '../sim/faults.js';

export const RULE_FAULTS: Record<string, FaultKind[]> = {
  // (a) pages locked by a successful probe still locked at a function exit; (b) unlock of an MDL that is not locked.
  // A nonpaged-built or partial MDL was never locked by a probe either.
  'mdl-unmatched-lock': ['locked-at-exit', 'unlock-not-locked', 'unlock-nonpaged', 'unlock-partial'],
  // an exception from MmProbeAndLock*Pages that no __except filter takes.
  'mdl-probe-outside-try': ['probe-unhandled-exception'],
};

export function rulesForFault(kind: FaultKind): string[] {
  return Object.entries(RULE_FAULTS)
    .filter(([, kinds]) => kinds.includes(kind))
    .map(([rule]) => rule);
}
