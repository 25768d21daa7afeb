/**
 * irql-not-restored: a function that returns at another IRQL than it was entered at (without an
 * annotation saying so), KeLowerIrql to a level above the current one (a value that is not the one
 * the matching raise saved), KeRaiseIrql to a level below the current one.
 */
import type { Rule } from '../src/lint/rule.js';
import { docsUrl } from '../src/lint/rule.js';
import { irqlFindings } from '../src/analysis/irql-report.js';

export const irqlNotRestored: Rule = {
  meta: {
    id: 'irql-not-restored',
    type: 'problem',
    docs: {
      description: 'A function returns at the IRQL it was entered at; raises and lowers are paired',
      url: docsUrl('irql-not-restored'),
      recommended: true,
    },
    messages: {
      notRestored:
        '{{fn}} returns here at {{actual}}, but it was entered at {{entry}}: {{why}}{{context}}. A function must return at the IRQL it was entered at unless it is annotated to change it (_IRQL_raises_, _IRQL_restores_global_, _Acquires_lock_...): its caller runs on at the wrong IRQL (Driver Verifier 0xC4)',
      lowerAbove:
        '{{callee}} to {{target}}, but here the IRQL is {{actual}}: {{why}}{{context}}. KeLowerIrql must be given the value saved by the matching raise; lowering to a higher IRQL is bug check 0x9 IRQL_NOT_GREATER_OR_EQUAL (Driver Verifier 0xC4/0x31)',
      raiseBelow:
        '{{callee}} to {{target}}, but here the IRQL is already {{actual}}: {{why}}{{context}}. Raising to a lower IRQL is bug check 0x9 IRQL_NOT_GREATER_OR_EQUAL (Driver Verifier 0xC4/0x30); lower with KeLowerIrql and the saved value instead',
    },
    defaultSeverity: 'error',
    schema: { type: 'object', properties: {}, additionalProperties: false },
    simulator: { validates: 'fault', bugChecks: ['0x9', '0xC4/0x30', '0xC4/0x31', '0xC4/0x2001D'] },
    caWarnings: [28167, 28141],
  },
  check(context) {
    for (const f of irqlFindings(context, 'irql-not-restored')) context.report(f);
  },
};
