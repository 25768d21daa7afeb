/**
 * irql-too-low: a call made at an IRQL below the callee's minimum, for every IRQL possible there
 * (the AtDpcLevel / FromDpcLevel spin-lock forms below DISPATCH_LEVEL, a release at the wrong level...).
 */
import type { Rule } from '../src/lint/rule.js';
import { docsUrl } from '../src/lint/rule.js';
import { irqlFindings } from '../src/analysis/irql-report.js';

export const irqlTooLow: Rule = {
  meta: {
    id: 'irql-too-low',
    type: 'problem',
    docs: {
      description: 'A routine must not be called below the lowest IRQL it requires',
      url: docsUrl('irql-too-low'),
      recommended: true,
    },
    messages: {
      tooLow:
        '{{callee}} must be called at {{required}}, but here the IRQL is {{actual}}: {{why}}{{context}}. {{consequence}}',
    },
    defaultSeverity: 'error',
    schema: { type: 'object', properties: {}, additionalProperties: false },
    simulator: { validates: 'fault', bugChecks: ['0xC4/0x40', '0xC4/0x41', '0xC4/0x32', '0xC4/0x34'] },
    caWarnings: [28120, 28122],
  },
  check(context) {
    for (const f of irqlFindings(context, 'irql-too-low')) context.report(f);
  },
};
