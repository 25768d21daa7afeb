/**
 * Documented disagreements between the simulator and the expectations / the linter.
 *
 * Each entry names the imprecision and why it is accepted. An entry is not a licence: the tests
 * require every listed disagreement to still occur (a fixed one must be removed from the list).
 */

export interface KnownFixtureDisagreement {
  file: string;
  function: string;
  rule: string;
  line: number;
  /** 'unexpected' = the simulator shows a fault the fixture does not expect; 'missing' = the reverse. */
  direction: 'unexpected' | 'missing';
  reason: string;
}

export const KNOWN_FIXTURE_DISAGREEMENTS: KnownFixtureDisagreement[] = [];

export interface DisagreementContext {
  rule: string;
  direction: 'fp' | 'fn';
  /** Statement kinds / variants of the generated program (see generator `features`). */
  features: ReadonlySet<string>;
  /** The linter's message (fp) or the simulated fault, its message and path (fn). */
  detail: string;
  /** Fault kinds the simulator found anywhere in the function. */
  simKinds: ReadonlySet<string>;
  /** No explored path executes the reported line. */
  unreachable: boolean;
  /** The linter's explanation path goes through a line no explored path executes. */
  infeasibleLinterPath: boolean;
}

export interface KnownDifferentialImprecision {
  /** Stable identifier used in reproducer names. */
  id: string;
  rule: string;
  /** 'fp' = the linter reports, no path faults; 'fn' = a path faults, the linter is silent. */
  direction: 'fp' | 'fn';
  /**
   * 'accepted': a known imprecision of the rule's design, accepted for the reason given.
   * 'open-linter-bug': a linter defect, reported to the lead with reproducers; NOT accepted —
   * listed so that the suite tracks it, and to be removed when the linter is fixed.
   */
  status: 'accepted' | 'open-linter-bug';
  /** The imprecision and why it is accepted (or what is wrong). */
  reason: string;
  matches: (c: DisagreementContext) => boolean;
}

/** Classified disagreements of the differential comparison (see test/validation and `npm run validate`). */
export const KNOWN_DIFFERENTIAL_IMPRECISIONS: KnownDifferentialImprecision[] = [
  {
    id: 'probe-in-unreachable-code',
    rule: 'mdl-probe-outside-try',
    direction: 'fp',
    status: 'accepted',
    reason:
      'mdl-probe-outside-try is a structural rule: a probe outside any __try is reported even where no execution reaches it (the generator ' +
      'produces contradictory nested conditions). No simulated path executes the line, so no fault is shown. Accepted: the code is wrong ' +
      'wherever it becomes reachable.',
    matches: (c) => c.unreachable,
  },
  {
    id: 'probe-after-rebuild-unreached',
    rule: 'mdl-probe-outside-try',
    direction: 'fn',
    status: 'open-linter-bug',
    reason:
      'Follows from lock-forgotten-by-rebuild: after MmBuildMdlForNonPagedPool on a locked MDL, the linter believes MDL_PAGES_LOCKED is ' +
      'clear, so a probe under `if (Mdl->MdlFlags & MDL_PAGES_LOCKED)` is unreachable for it; the pages are still locked and the probe runs.',
    matches: (c) => c.simKinds.has('build-nonpaged-bad-state'),
  },
  {
    id: 'finally-after-unhandled-exception',
    rule: 'mdl-unmatched-lock',
    direction: 'fp',
    status: 'accepted',
    reason:
      'The linter runs a __finally on the path where a probe\'s exception has no handler at all and reports what the __finally does. ' +
      'SEH dispatch is two-phase: with no handler the machine bug-checks (0x3B/0x7E/0x1E) before anything unwinds, so no __finally runs. ' +
      'The root cause is reported by mdl-probe-outside-try at the probe; accepted as a consequence report.',
    matches: (c) => /raised an exception/.test(c.detail) && c.simKinds.has('probe-unhandled-exception'),
  },
  {
    id: 'helper-result-correlation',
    rule: 'mdl-unmatched-lock',
    direction: 'fp',
    status: 'open-linter-bug',
    reason:
      'After `mdl = GenLockMdl(...); locked = (mdl != NULL);` (a helper of the same file returning a locked MDL or NULL), the linter keeps ' +
      'the state of the MDL the variable held before the call ("already unlocked at line ?"), and does not correlate `locked` with `mdl`, ' +
      'so it reports unlocks and leaks on paths where the two disagree.',
    matches: (c) => c.features.has('helper-lock'),
  },
  {
    id: 'unlock-nonpaged-or-partial',
    rule: 'mdl-unmatched-lock',
    direction: 'fn',
    status: 'open-linter-bug',
    reason:
      'MmUnlockPages on an MDL built by MmBuildMdlForNonPagedPool (0xC4/0x7D) or by IoBuildPartialMdl (0xC4/0xB4): never locked by a probe. ' +
      'The linter is silent even in the simplest form (also fixtures/mdl-unmatched-lock/irp-ownership.c:356).',
    matches: (c) => /^unlock-(nonpaged|partial)/.test(c.detail),
  },
  {
    id: 'helper-returned-lock',
    rule: 'mdl-unmatched-lock',
    direction: 'fn',
    status: 'open-linter-bug',
    reason:
      'A helper of the same file returns a locked MDL (GenLockMdl); the caller drops it, or unlocks it twice. The linter has no summary ' +
      'of what a helper returns, so the caller\'s leak or double unlock goes unreported (kernel-semantics §7: "the lock is the caller\'s now"). ' +
      'Open until the cross-function summaries of issue 4 (computed bottom-up over the call graph) land.',
    matches: (c) => c.features.has('helper-lock') && /^(locked-at-exit|unlock-not-locked)/.test(c.detail),
  },
  {
    id: 'lock-after-escape',
    rule: 'mdl-unmatched-lock',
    direction: 'fn',
    status: 'open-linter-bug',
    reason:
      'The MDL was handed to an external function (GenKeepMdl), then this function probes it and frees it (or drops it) without unlocking. ' +
      'The linter stops tracking an MDL once it escapes, so the lock taken afterwards is never checked; the pages this function locked ' +
      'stay locked (0x76/0).',
    matches: (c) => c.features.has('pass-mdl') && /^locked-at-exit/.test(c.detail),
  },
  {
    id: 'lock-forgotten-by-rebuild',
    rule: 'mdl-unmatched-lock',
    direction: 'fn',
    status: 'open-linter-bug',
    reason:
      'MmBuildMdlForNonPagedPool (or IoBuildPartialMdl into it) on an MDL a probe locked: the linter treats the MDL as rebuilt and forgets ' +
      'the lock, but the pages stay locked (ReactOS: the build only asserts the flags are clear).',
    matches: (c) =>
      c.simKinds.has('build-nonpaged-bad-state') || (c.features.has('partial') && /^locked-at-exit/.test(c.detail) && c.simKinds.has('free-while-locked')),
  },
  {
    id: 'raise-after-double-lock',
    rule: 'mdl-unmatched-lock',
    direction: 'fp',
    status: 'open-linter-bug',
    reason:
      'A probe of an MDL that is already locked raises; the linter then considers the MDL unlocked ("a probe that raises leaves the MDL ' +
      'unlocked") and reports the later unlock. A raising probe leaves the MDL as it was: still locked by the first probe.',
    matches: (c) => /raised an exception/.test(c.detail) && c.simKinds.has('double-lock'),
  },
  {
    id: 'unlock-treated-as-raising',
    rule: 'mdl-unmatched-lock',
    direction: 'fp',
    status: 'open-linter-bug',
    reason:
      'Inside a __try, the linter lets every call raise, MmUnlockPages included, so the flag cleared after it stays set on an exceptional ' +
      'path and a second unlock is reported. MmUnlockPages does not raise.',
    matches: (c) => /call raises an exception/.test(c.detail),
  },
  {
    id: 'infeasible-path',
    rule: 'mdl-unmatched-lock',
    direction: 'fp',
    status: 'open-linter-bug',
    reason:
      'Reported at a line no execution reaches, or along a path through such a line: the linter follows an infeasible path. Causes seen ' +
      'in the reproducers: (0) a flag assigned from a NULL test (`locked = (mdl != NULL)`) is not correlated with the pointer; (1) two tests of ' +
      'the same expression are not correlated (Ctx->Flags & 2 tested twice: the "lock and unlock under the same condition" idiom of ' +
      'kernel-semantics §7 with a field test); (2) a second MmGetSystemAddressForMdlSafe on an MDL already mapped is given a NULL branch, ' +
      'but the macro returns MappedSystemVa when MDL_MAPPED_TO_SYSTEM_VA is set and cannot fail.',
    matches: (c) => c.unreachable || c.infeasibleLinterPath || c.features.has('ctx-flag-repeated'),
  },
];

export function classify(c: DisagreementContext): KnownDifferentialImprecision | undefined {
  return KNOWN_DIFFERENTIAL_IMPRECISIONS.find((k) => k.rule === c.rule && k.direction === c.direction && k.matches(c));
}
