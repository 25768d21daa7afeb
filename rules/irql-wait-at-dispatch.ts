/**
 * irql-wait-at-dispatch: a routine that waits (KeWaitFor*, KeDelayExecutionThread, WdfWaitLockAcquire...)
 * called with a NULL or nonzero timeout where every possible IRQL is DISPATCH_LEVEL or above.
 */
import type { Rule } from '../src/lint/rule.js';
import { docsUrl } from '../src/lint/rule.js';
import { irqlFindings } from '../src/analysis/irql-report.js';

export const irqlWaitAtDispatch: Rule = {
  meta: {
    id: 'irql-wait-at-dispatch',
    type: 'problem',
    docs: {
      description: 'No wait with a nonzero or infinite timeout at DISPATCH_LEVEL or above',
      url: docsUrl('irql-wait-at-dispatch'),
      recommended: true,
    },
    messages: {
      waitAtDispatch:
        '{{callee}} waits{{timeout}}, but here the IRQL is {{actual}}: {{why}}{{context}}. No thread switch is possible at DISPATCH_LEVEL or above: bug check 0xB8 ATTEMPTED_SWITCH_FROM_DPC in a DPC, 0xA IRQL_NOT_LESS_OR_EQUAL otherwise, Driver Verifier 0xC4/0x120-0x122',
    },
    defaultSeverity: 'error',
    schema: { type: 'object', properties: {}, additionalProperties: false },
    simulator: { validates: 'fault', bugChecks: ['0xB8', '0xA', '0xC4/0x120', '0xC4/0x121', '0xC4/0x122'] },
    caWarnings: [28121],
  },
  check(context) {
    for (const f of irqlFindings(context, 'irql-wait-at-dispatch')) context.report(f);
  },
};
