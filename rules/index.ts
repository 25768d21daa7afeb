/** The rule set. Each rule lives in its own module; this list is the registry. */
import type { Rule } from '../src/lint/rule.js';
import { mdlProbeOutsideTry } from './mdl-probe-outside-try.js';
import { mdlUnmatchedLock } from './mdl-unmatched-lock.js';

export const allRules: Rule[] = [mdlUnmatchedLock, mdlProbeOutsideTry];

export const rulesById: ReadonlyMap<string, Rule> = new Map(allRules.map((r) => [r.meta.id, r]));
