/**
 * irql-too-high: a call made at an IRQL above the callee's maximum, for every IRQL possible there
 * (the DDI table's contracts, and the annotations or role types of the functions of the linted files).
 */
import type { Rule } from '../src/lint/rule.js';
import { docsUrl } from '../src/lint/rule.js';
import { irqlFindings } from '../src/analysis/irql-report.js';

export const irqlTooHigh: Rule = {
  meta: {
    id: 'irql-too-high',
    type: 'problem',
    docs: {
      description: 'A routine must not be called above the highest IRQL it allows',
      url: docsUrl('irql-too-high'),
      recommended: true,
    },
    messages: {
      tooHigh:
        '{{callee}} must be called at {{required}}, but here the IRQL is {{actual}}: {{why}}{{context}}. {{consequence}}',
    },
    defaultSeverity: 'error',
    schema: { type: 'object', properties: {}, additionalProperties: false },
    simulator: { validates: 'fault', bugChecks: ['0xA', '0xD1', '0xC4', '0xB8', '0xC2'] },
    caWarnings: [28121, 28123],
  },
  check(context) {
    for (const f of irqlFindings(context, 'irql-too-high')) context.report(f);
  },
};
