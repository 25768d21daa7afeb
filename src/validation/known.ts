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
  /** Fault kinds the simulator found anywhere in the function (including those it caused inside callees). */
  simKinds: ReadonlySet<string>;
  /** Fault kinds the simulator shows at the reported line. */
  simKindsAtLine: ReadonlySet<string>;
  /** Rules the linter reports at the reported line. */
  lintRulesAtLine: ReadonlySet<string>;
  /** Linter and simulator agree on a finding of the same rule at an earlier line of the function. */
  agreedBefore: boolean;
  /** Every linter message of the function (all rules under test). */
  lintMessages: readonly string[];
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

/** Fault kinds after which the simulated MDL's state is undefined (Driver Verifier bug-checks at the call). */
const UNDEFINED_STATE_KINDS = ['lock-prebuilt', 'partial-target-locked', 'build-nonpaged-bad-state', 'unlock-nonpaged', 'unlock-partial', 'unlock-allocated-pages', 'map-unlocked', 'use-after-free'];

/** The same classification for several rules and directions. */
function forRules(rules: [string, 'fp' | 'fn'][], k: Omit<KnownDifferentialImprecision, 'rule' | 'direction'>): KnownDifferentialImprecision[] {
  return rules.map(([rule, direction]) => ({ ...k, rule, direction }));
}

KNOWN_DIFFERENTIAL_IMPRECISIONS.push(
  ...forRules(
    [
      ['mdl-use-after-free', 'fn'],
      ['mdl-free-while-locked', 'fn'],
    ],
    {
      id: 'chain-walk-loses-members',
      status: 'open-linter-bug',
      reason:
        'A chain walk `for (m = head; m != NULL; m = next) { next = m->Next; IoFreeMdl(m); }` after `head->Next = mdl1`: the linter ' +
        'does not follow mdl1 through the Next link into `m`, so what the second iteration does to it is not checked: IoFreeMdl of ' +
        'the locked mdl1 (freeLocked: /tmp/val4/min/chain-walk-frees-locked-member.c line 18) or, when mdl1 was already freed, the ' +
        'read of its Next and the second free (/tmp/val4/min/chain-freed-member.c lines 18-19). IoFreeMdl(head) alone (freeChainHead) ' +
        'and `m = m->Next` after the free are handled.',
      matches: (c) => [...c.features].some((f) => f.startsWith('chain:')) && /^(use-after-free: ->|double-free|free-while-locked)/.test(c.detail),
    },
  ),
  {
    id: 'leaks-lost-when-worlds-collapse',
    rule: 'mdl-unmatched-lock',
    direction: 'fn',
    status: 'open-linter-bug',
    reason:
      'In a larger function (two MDLs, several probes, a LOCK_OPERATION variable or a RequestorMode guard) mdl-unmatched-lock reports no ' +
      'leak at all, not even at a return right after the first lock: more than MAX_WORLDS (24) worlds reach a node, ' +
      'src/analysis/mdl-analysis.ts collapses them into one joined world and the exit checks find nothing definite. With MAX_WORLDS = ' +
      '400 every leak comes back (/tmp/val4/min/op-variable-silences-leaks.c: lines 59, 85, 97, 104; seed 1 index 9506: lines 49, 97, ' +
      '106) at no measurable cost on 2000 generated programs.',
    matches: (c) => /^locked-at-exit/.test(c.detail) && !c.lintMessages.some((m) => /still locked when the function returns/.test(m)),
  },
  ...forRules(
    [
      ['mdl-unmatched-lock', 'fn'],
      ['mdl-double-lock', 'fn'],
      ['mdl-free-while-locked', 'fn'],
    ],
    {
      id: 'helper-returned-lock',
      status: 'open-linter-bug',
      reason:
        'A helper of the same file returns a locked MDL (`mdl = GenLockMdl(...)` / `GenLockMdlOut(..., &mdl)`) into a variable that ' +
        'already holds a locked MDL, or inside a loop. The summaries handle the plain forms, but in these the linter loses the MDL the ' +
        'variable held (its leak at the return is not reported: /tmp/val4/min/helper-overwrite-leak.c, where the probe is under ' +
        '`if (Irp->RequestorMode == KernelMode)`), or the state of the returned one (a later double lock / free of it is missed).',
      matches: (c) => (c.features.has('helper-lock') || c.features.has('origin:helper-lock') || c.features.has('origin:helper-lock-out')) && /^(locked-at-exit|unlock-not-locked|double-lock|free-while-locked)/.test(c.detail),
    },
  ),
  ...forRules(
    [
      ['mdl-unmatched-lock', 'fp'],
      ['mdl-use-after-free', 'fp'],
      ['mdl-double-lock', 'fp'],
      ['mdl-free-while-locked', 'fp'],
    ],
    {
      id: 'unlock-treated-as-raising',
      status: 'open-linter-bug',
      reason:
        'Inside a __try, the linter lets every call raise, MmUnlockPages included, so the flag cleared after it stays set on an exceptional ' +
        'path and a second unlock (or a use of the MDL the handler freed) is reported. MmUnlockPages does not raise.',
      matches: (c) => /call raises an exception/.test(c.detail),
    },
  ),
  ...forRules(
    [
      ['mdl-unmatched-lock', 'fn'],
      ['mdl-double-lock', 'fn'],
      ['mdl-free-while-locked', 'fn'],
      ['mdl-lock-prebuilt', 'fn'],
      ['mdl-use-after-free', 'fn'],
      ['mdl-unchecked-system-address', 'fn'],
      ['mdl-probe-access-mismatch', 'fn'],
    ],
    {
      id: 'state-unknown-after-escape',
      status: 'accepted',
      reason:
        'The MDL was handed to an external function (GenKeepMdl, not defined in the linted files). By the rules\' specification an unknown ' +
        'function receiving an MDL makes its state unknown and nothing is reported on it afterwards (it may keep, lock, unlock or free it); ' +
        'the simulator picks concrete outcomes and shows the faults of some of them (a later probe, unlock or free on a path where the ' +
        'callee locked it, a leak of a lock taken after the escape).',
      matches: (c) => c.features.has('pass-mdl'),
    },
  ),
  ...forRules(
    [
      ['mdl-free-while-locked', 'fp'],
      ['mdl-lock-prebuilt', 'fp'],
      ['mdl-unchecked-system-address', 'fp'],
      ['mdl-double-lock', 'fp'],
      ['mdl-unmatched-lock', 'fp'],
      ['mdl-use-after-free', 'fp'],
      ['mdl-probe-access-mismatch', 'fp'],
      ['mdl-kernelmode-probe-of-user-buffer', 'fp'],
      ['mdl-probe-outside-try', 'fp'],
    ],
    {
      id: 'probe-always-raises',
      status: 'accepted',
      reason:
        'A probe of kernel memory (a pool allocation, SystemBuffer) with an out-of-range AccessMode (IoModifyAccess, TRUE, 2...: any ' +
        'nonzero value is read as UserMode) always raises, so the MDL is never locked by it; the linter reports the argument ' +
        '(badAccessMode, agreed by both) but, not tracking that the address is kernel memory for the user-range check, lets the probe ' +
        'succeed and reports what follows on the "locked" path (or, for mdl-probe-outside-try, a filter that takes only ' +
        'STATUS_ACCESS_VIOLATION, which is the only status the failed user-range check raises).',
      matches: (c) => c.simKinds.has('probe-invalid-argument') && ['buf:pool', 'buf:SystemBuffer'].some((f) => c.features.has(f)),
    },
  ),
  {
    id: 'unchecked-after-fatal-null-use',
    rule: 'mdl-unchecked-system-address',
    direction: 'fp',
    status: 'accepted',
    reason:
      'A second unchecked use of a system address after an earlier unchecked use on the same path (reported by both): the linter ' +
      'continues past the first NULL dereference, where the machine has already bug-checked, and (the MDL not being mapped on that ' +
      'path) lets a later MmGetSystemAddressForMdlSafe fail again. On every path that survives the first use the MDL is mapped and the ' +
      'later call returns MappedSystemVa, which cannot be NULL.',
    matches: (c) => c.simKinds.has('null-deref') && !c.simKindsAtLine.has('null-deref'),
  },
  {
    id: 'null-use-inside-except',
    rule: 'mdl-unchecked-system-address',
    direction: 'fp',
    status: 'accepted',
    reason:
      'The unchecked use is inside a __try whose __except filter takes the access violation (the generated try/finally is wrapped in ' +
      '__try/__except(EXCEPTION_EXECUTE_HANDLER)): a NULL system address dereferenced at PASSIVE/APC level raises STATUS_ACCESS_VIOLATION, ' +
      'which the handler takes, so the simulator shows no bug check. The linter reports the missing NULL check regardless of an ' +
      'enclosing handler (the use is still a defect: the handler swallows it and returns an unrelated status).',
    matches: (c) => c.features.has('try-finally') && !c.simKindsAtLine.has('null-deref'),
  },
  {
    id: 'rebuild-of-prebuilt',
    rule: 'mdl-lock-prebuilt',
    direction: 'fn',
    status: 'accepted',
    reason:
      'MmBuildMdlForNonPagedPool on an MDL that is already built for nonpaged pool or comes from MmAllocatePagesForMdlEx (not locked ' +
      'by a probe): the simulator faults (the build ASSERTs the flags are clear on checked builds); rebuildLocked is specified for a ' +
      'target locked by a probe only, where page references leak. A rebuild of a prebuilt MDL leaks nothing on a free build.',
    matches: (c) =>
      /^build-nonpaged-bad-state/.test(c.detail) &&
      (/MmAllocatePagesForMdlEx@/.test(c.detail) || ['origin:nonpaged', 'origin:helper-nonpaged', 'origin:pages', 'build-repeated'].some((f) => c.features.has(f))),
  },
  {
    id: 'state-after-undefined-mdl-operation',
    rule: 'mdl-lock-prebuilt',
    direction: 'fn',
    status: 'accepted',
    reason:
      'See the entry of the same id for the other rules: a prebuilt-MDL finding after an earlier undefined operation on the MDL (an ' +
      'unlock of a MmAllocatePagesForMdl / nonpaged MDL, a partial build into a locked MDL...) whose resulting flags the two tools model differently.',
    matches: (c) => {
      const own = /^([a-z-]+):/.exec(c.detail)?.[1];
      return UNDEFINED_STATE_KINDS.some((k) => (k !== own || c.agreedBefore) && c.simKinds.has(k));
    },
  },
  ...forRules(
    [
      ['mdl-lock-prebuilt', 'fp'],
      ['mdl-double-lock', 'fp'],
      ['mdl-double-lock', 'fn'],
      ['mdl-free-while-locked', 'fp'],
      ['mdl-free-while-locked', 'fn'],
      ['mdl-unmatched-lock', 'fp'],
      ['mdl-unmatched-lock', 'fn'],
      ['mdl-unchecked-system-address', 'fp'],
      ['mdl-unchecked-system-address', 'fn'],
      ['mdl-probe-access-mismatch', 'fn'],
      ['mdl-probe-access-mismatch', 'fp'],
    ],
    {
      id: 'state-after-undefined-mdl-operation',
      status: 'accepted',
      reason:
        'A later finding on an MDL after an operation whose outcome is undefined and which both tools report where it happens: a probe ' +
        'of a nonpaged-built / partial / MmAllocatePagesForMdl MDL, a build into a locked MDL, an unlock of a never-locked MDL, a probe ' +
        'with an out-of-range AccessMode/Operation, a mapping of an unlocked MDL (0x1A/0x1233 even without Driver Verifier), a use of a freed ' +
        'MDL (the simulator stops claiming anything about freed memory). Driver Verifier bug-checks at that call (0xC4/0xB0, 0x7D, 0xB4); without it the MDL ' +
        'flags are whatever the kernel left. The linter keeps the MDL in its "prebuilt"/"locked" state, the simulator models the ' +
        'call as taking page references, so their later claims (double lock, free while locked, leak, second prebuilt probe) differ. ' +
        'The root defect is reported by both at the first call.',
      matches: (c) => UNDEFINED_STATE_KINDS.some((k) => c.simKinds.has(k)),
    },
  ),
  ...forRules(
    [
      ['mdl-double-lock', 'fp'],
      ['mdl-free-while-locked', 'fp'],
    ],
    {
      id: 'helper-result-correlation',
      status: 'open-linter-bug',
      reason:
        'After `mdl = GenLockMdl(...); locked = (mdl != NULL);` (or `status = GenLockMdlOut(..., &mdl); locked = NT_SUCCESS(status);`) ' +
        'the linter does not correlate the flag with the helper\'s result, so it follows paths where the helper failed (mdl NULL) ' +
        'but `locked` is TRUE or the reverse, and reports a double lock / free of a locked MDL on them.',
      matches: (c) => (c.features.has('helper-lock') || c.features.has('helper:GenLockMdl') || c.features.has('helper:GenLockMdlOut')) && /\(in GenLockMdl(Out)?,/.test(c.detail),
    },
  ),
  {
    id: 'irp-freed-mdl-still-held',
    rule: 'mdl-free-while-locked',
    direction: 'fp',
    status: 'accepted',
    reason:
      'freeIrpLocked is specified on the state at the IoFreeIrp call: the IRP this function allocated still has a locked MDL on its ' +
      'MdlAddress. In the generated functions the MDL is also held by a local variable that the cleanup unlocks and frees, so no page ' +
      'stays locked and the simulator (which faults on the leak) shows nothing. Real drivers clear MdlAddress or release the MDL first.',
    matches: (c) => /^IoFreeIrp/.test(c.detail) && c.features.has('own-irp'),
  },
  {
    id: 'unchecked-after-map-unlocked',
    rule: 'mdl-unchecked-system-address',
    direction: 'fn',
    status: 'accepted',
    reason:
      'The mapping call itself maps an MDL that is not locked (mapUnlocked, reported by both at the call: 0x1A/DV 0xC4/0x85 there); ' +
      'the linter does not add an unchecked-use finding for the result of a mapping that already bug-checks, the simulator lets the ' +
      'mapping fail and dereferences the NULL.',
    matches: (c) => /^null-deref/.test(c.detail) && c.simKinds.has('map-unlocked'),
  },
  {
    id: 'user-buffer-through-helper',
    rule: 'mdl-kernelmode-probe-of-user-buffer',
    direction: 'fn',
    status: 'accepted',
    reason:
      'The MDL was allocated by a helper of the file (GenLockMdl/GenLockMdlOut) from a caller-supplied address passed as its argument; ' +
      'the cross-function summaries carry the MDL\'s lock state, not the provenance of the address it describes, so a later KernelMode ' +
      'probe in the caller is not recognised as a probe of a user buffer. Outside the rule\'s documented sources (IoAllocateMdl in the function).',
    matches: (c) => c.features.has('origin:helper-lock') || c.features.has('origin:helper-lock-out') || c.features.has('helper-lock'),
  },
  {
    id: 'irp-completion-after-free',
    rule: 'mdl-use-after-free',
    direction: 'fn',
    status: 'accepted',
    reason:
      'An MDL freed by IoFreeMdl and then stored on Irp->MdlAddress is used by IoCompleteRequest (the I/O manager unlocks and frees the ' +
      'MdlAddress chain): documented as out of scope for mdl-use-after-free (the use happens in the I/O manager, not in a call of this function).',
    matches: (c) => /^use-after-free: IoCompleteRequest/.test(c.detail),
  },
  {
    id: 'second-use-of-freed-mdl',
    rule: 'mdl-use-after-free',
    direction: 'fn',
    status: 'accepted',
    reason:
      'A further use or free of an MDL after a use-after-free / double free already reported on the same path: the linter reports ' +
      'the first misuse of a freed MDL on a path and stops tracking it (its memory may be anything afterwards); the simulator lists ' +
      'every later one.',
    matches: (c) => /^(use-after-free|double-free)/.test(c.detail) && (c.simKinds.has('use-after-free') || c.simKinds.has('double-free')) && !c.features.has('chain'),
  },
  {
    id: 'read-lock-through-helper',
    rule: 'mdl-probe-access-mismatch',
    direction: 'fn',
    status: 'open-linter-bug',
    reason:
      'The MDL was locked with IoReadAccess by a helper of the file (GenLockMdl) and the caller writes through its system address. ' +
      'The cross-function summary carries the lock but not the Operation it was taken with, so writeAfterReadLock is not reported in ' +
      'the caller.',
    matches: (c) => /^write-to-read-locked/.test(c.detail) && (c.features.has('helper-lock') || c.features.has('origin:helper-lock')),
  },
);

export function classify(c: DisagreementContext): KnownDifferentialImprecision | undefined {
  return KNOWN_DIFFERENTIAL_IMPRECISIONS.find((k) => k.rule === c.rule && k.direction === c.direction && k.matches(c));
}
