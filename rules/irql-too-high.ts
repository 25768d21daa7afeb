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
      tooHighIfPageable:
        '{{callee}} must be called at {{required}} if the buffer its MDL describes is pageable, and here the IRQL is {{actual}}: {{why}}{{context}}. Where that buffer comes from is not known here (not Irp->UserBuffer, a pool block of this function, SystemBuffer or a local): if it is pageable memory, a page that is not resident cannot be brought in at DISPATCH_LEVEL (bug check 0xA / 0xD1, Driver Verifier 0xC4/0x70). Lock pageable buffers at APC_LEVEL or below; set the option unknownBuffers to false if your buffers here are always nonpaged',
      tooHigh:
        '{{callee}} must be called at {{required}}, but here the IRQL is {{actual}}: {{why}}{{context}}. {{consequence}}',
    },
    defaultSeverity: 'error',
    schema: {
      type: 'object',
      properties: {
        unknownBuffers: {
          type: 'boolean',
          description: 'Report MmProbeAndLockPages at DISPATCH_LEVEL of an MDL the function allocated over a buffer whose pageability is not known here ("if the buffer is pageable")',
        },
      },
      additionalProperties: false,
    },
    defaultOptions: { unknownBuffers: true },
    simulator: { validates: 'fault', bugChecks: ['0xA', '0xD1', '0xC4', '0xB8', '0xC2'] },
    caWarnings: [28121, 28123],
  },
  check(context) {
    for (const f of irqlFindings(context, 'irql-too-high')) context.report(f);
  },
};
