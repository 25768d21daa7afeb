/**
 * irql-pageable-at-dispatch: pageable code (PAGED_CODE(), a function in a PAGE section) reached at
 * DISPATCH_LEVEL or above, and paged-pool allocations and frees there.
 */
import type { Rule } from '../src/lint/rule.js';
import { docsUrl } from '../src/lint/rule.js';
import { irqlFindings } from '../src/analysis/irql-report.js';

export const irqlPageableAtDispatch: Rule = {
  meta: {
    id: 'irql-pageable-at-dispatch',
    type: 'problem',
    docs: {
      description: 'Pageable code and paged pool must not be used at DISPATCH_LEVEL or above',
      url: docsUrl('irql-pageable-at-dispatch'),
      recommended: true,
    },
    messages: {
      pagedCode:
        'PAGED_CODE() in {{fn}} is reached at {{actual}}: {{why}}{{context}}. Pageable code cannot run at DISPATCH_LEVEL or above: when its page is not resident the fault cannot be served (bug check 0xD1 DRIVER_IRQL_NOT_LESS_OR_EQUAL; PAGED_CODE asserts on checked builds)',
      pageSection:
        '{{fn}} is placed in the pageable section {{section}} ({{where}}) but runs at {{actual}}: {{why}}{{context}}. Its code may be paged out, and a page fault at DISPATCH_LEVEL or above is bug check 0xD1 DRIVER_IRQL_NOT_LESS_OR_EQUAL',
      pagedPool:
        '{{callee}} {{what}} paged pool at {{actual}}: {{why}}{{context}}. Paged pool may only be used at APC_LEVEL or below: bug check 0xC2 BAD_POOL_CALLER, Driver Verifier 0xC4/0x01 (allocation) or 0xC4/0x11 (free)',
    },
    defaultSeverity: 'error',
    schema: { type: 'object', properties: {}, additionalProperties: false },
    simulator: { validates: 'fault', bugChecks: ['0xD1', '0xC2', '0xC4/0x01', '0xC4/0x11'] },
    caWarnings: [28121],
  },
  check(context) {
    for (const f of irqlFindings(context, 'irql-pageable-at-dispatch')) context.report(f);
  },
};
