/**
 * spinlock-unbalanced: a spin lock the function acquired still held at a return, acquired again while
 * held, or released while not held (per path; a lock a caller may hold is never assumed free).
 */
import type { Rule } from '../src/lint/rule.js';
import { docsUrl } from '../src/lint/rule.js';
import { irqlFindings } from '../src/analysis/irql-report.js';

export const spinlockUnbalanced: Rule = {
  meta: {
    id: 'spinlock-unbalanced',
    type: 'problem',
    docs: {
      description: 'Every spin lock acquired is released once, on every path (fast mutexes: no double acquire or release)',
      url: docsUrl('spinlock-unbalanced'),
      recommended: true,
    },
    messages: {
      heldAtExit:
        "'{{lock}}', acquired by {{via}} at line {{line}}, is still held when {{fn}} returns here. The processor stays at DISPATCH_LEVEL and every other acquirer spins forever (deadlock; Driver Verifier 0xC4/0x40009)",
      acquiredForCaller:
        "{{fn}} returns holding '{{lock}}' ({{via}} at line {{line}}), and nothing in the linted files calls it. If taking the lock for its caller is its job, annotate it _Acquires_lock_ (Code Analysis C28167 asks the same), so that its callers are checked for the release; if not, the lock is never released and every other acquirer spins forever (deadlock; Driver Verifier 0xC4/0x40009)",
      doubleAcquire:
        "{{callee}} acquires '{{lock}}', which is already held ({{via}} at line {{line}}, not released since). {{consequence}}",
      notHeld:
        "{{callee}} releases '{{lock}}', which is not held here ({{via}} at line {{line}} released it). {{consequence}}",
    },
    defaultSeverity: 'error',
    schema: { type: 'object', properties: {}, additionalProperties: false },
    simulator: { validates: 'fault', bugChecks: ['0xF', '0x10', '0xC4/0x40009', '0xC4/0x4000B'] },
  },
  check(context) {
    for (const f of irqlFindings(context, 'spinlock-unbalanced')) context.report(f);
  },
};
