/** The rule set. Each rule lives in its own module; this list is the registry. */
import type { Rule } from '../src/lint/rule.js';
import { mdlDoubleLock } from './mdl-double-lock.js';
import { mdlFreeWhileLocked } from './mdl-free-while-locked.js';
import { mdlKernelmodeProbeOfUserBuffer } from './mdl-kernelmode-probe-of-user-buffer.js';
import { mdlLockPrebuilt } from './mdl-lock-prebuilt.js';
import { mdlProbeAccessMismatch } from './mdl-probe-access-mismatch.js';
import { mdlProbeOutsideTry } from './mdl-probe-outside-try.js';
import { mdlUncheckedSystemAddress } from './mdl-unchecked-system-address.js';
import { mdlUnmatchedLock } from './mdl-unmatched-lock.js';
import { mdlUseAfterFree } from './mdl-use-after-free.js';

import { irqlTooHigh } from './irql-too-high.js';
import { irqlTooLow } from './irql-too-low.js';
import { irqlWaitAtDispatch } from './irql-wait-at-dispatch.js';
import { irqlPageableAtDispatch } from './irql-pageable-at-dispatch.js';
import { irqlNotRestored } from './irql-not-restored.js';
import { spinlockUnbalanced } from './spinlock-unbalanced.js';

export const allRules: Rule[] = [
  mdlUnmatchedLock,
  mdlProbeOutsideTry,
  mdlDoubleLock,
  mdlLockPrebuilt,
  mdlFreeWhileLocked,
  mdlUseAfterFree,
  mdlKernelmodeProbeOfUserBuffer,
  mdlProbeAccessMismatch,
  mdlUncheckedSystemAddress,
  irqlTooHigh,
  irqlTooLow,
  irqlWaitAtDispatch,
  irqlPageableAtDispatch,
  irqlNotRestored,
  spinlockUnbalanced,
];

export const rulesById: ReadonlyMap<string, Rule> = new Map(allRules.map((r) => [r.meta.id, r]));
