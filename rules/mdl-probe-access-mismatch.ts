/**
 * mdl-probe-access-mismatch: the AccessMode and Operation arguments of a probe take their own enums
 * (KPROCESSOR_MODE, LOCK_OPERATION); and a buffer locked for IoReadAccess is not written through its
 * system address.
 */
import type { Rule } from '../src/lint/rule.js';
import { docsUrl } from '../src/lint/rule.js';
import { calleeName } from '../src/cfg/cfg.js';
import type { AstNode } from '../src/parse/lite.js';
import { explainPath, nodeSite, renderPath } from '../src/analysis/explain.js';

/** Argument indexes (AccessMode, Operation) of each probe routine. */
const ARGS: Record<string, [number, number]> = {
  MmProbeAndLockPages: [1, 2],
  MmProbeAndLockProcessPages: [2, 3],
  MmProbeAndLockSelectedPages: [2, 3],
};
const LOCK_OPERATIONS = new Set(['IoReadAccess', 'IoWriteAccess', 'IoModifyAccess']);
const MODES = new Set(['KernelMode', 'UserMode']);
const BOOLEANS = new Set(['TRUE', 'FALSE', 'true', 'false']);

function literal(a: AstNode): number | undefined {
  let x = a;
  while (x.type === 'parenthesized_expression' && x.namedChildCount === 1) x = x.namedChild(0)!;
  if (x.type !== 'number_literal') return undefined;
  const v = Number.parseInt(x.text.replace(/[uUlL]+$/, ''), x.text.startsWith('0x') || x.text.startsWith('0X') ? 16 : 10);
  return Number.isNaN(v) ? undefined : v;
}

/** Why this AccessMode argument is not a KPROCESSOR_MODE, if it is not. */
function badMode(a: AstNode): string | undefined {
  const t = a.text.trim();
  if (LOCK_OPERATIONS.has(t)) return `is a LOCK_OPERATION (value ${t === 'IoReadAccess' ? 0 : t === 'IoWriteAccess' ? 1 : 2}${t === 'IoReadAccess' ? ', which the kernel reads as KernelMode' : ', which the kernel reads as UserMode'})`;
  if (BOOLEANS.has(t)) return `is a BOOLEAN`;
  const v = literal(a);
  if (v !== undefined && v !== 0 && v !== 1) return `is neither KernelMode (0) nor UserMode (1)`;
  return undefined;
}

/** Why this Operation argument is not a LOCK_OPERATION, if it is not. */
function badOperation(a: AstNode): string | undefined {
  const t = a.text.trim();
  if (/RequestorMode\b|PreviousMode\b|ExGetPreviousMode\s*\(/.test(t)) return `is a KPROCESSOR_MODE (the requestor's mode: KernelMode 0 or UserMode 1, which the kernel reads as IoReadAccess or IoWriteAccess)`;
  if (MODES.has(t)) return `is a KPROCESSOR_MODE (value ${t === 'KernelMode' ? '0, which the kernel reads as IoReadAccess' : '1, which the kernel reads as IoWriteAccess'})`;
  if (BOOLEANS.has(t)) return `is a BOOLEAN`;
  const v = literal(a);
  if (v !== undefined && (v < 0 || v > 2)) return `is not IoReadAccess (0), IoWriteAccess (1) or IoModifyAccess (2)`;
  return undefined;
}

export const mdlProbeAccessMismatch: Rule = {
  meta: {
    id: 'mdl-probe-access-mismatch',
    type: 'problem',
    docs: {
      description:
        'The AccessMode and Operation arguments of MmProbeAndLockPages must be a KPROCESSOR_MODE and a LOCK_OPERATION, and a buffer locked for IoReadAccess must not be written',
      url: docsUrl('mdl-probe-access-mismatch'),
      recommended: true,
    },
    messages: {
      badAccessMode:
        "{{callee}}: the AccessMode argument '{{value}}' {{why}}; AccessMode takes {{expected}} (are the AccessMode and Operation arguments swapped?)",
      badOperation:
        "{{callee}}: the Operation argument '{{value}}' {{why}}; Operation takes {{expected}} (are the AccessMode and Operation arguments swapped?)",
      writeAfterReadLock:
        "Write through '{{expr}}', the system address of MDL '{{name}}', which was locked for IoReadAccess at line {{lockLine}} (path: {{path}}): the probe checked the pages for reading only, so read-only and copy-on-write pages (a mapped image, a shared section) are written for every process that maps them; lock with IoWriteAccess or IoModifyAccess",
    },
    defaultSeverity: 'error',
    schema: { type: 'object', properties: {}, additionalProperties: false },
    simulator: {
      validates: 'fault',
      bugChecks: [],
      noBugCheck:
        'no bug check: the simulator shows the kernel reading the misplaced value numerically (fault probe-invalid-argument), or a write into pages locked for reading (fault write-to-read-locked)',
    },
    triggers: ['MmProbeAndLockPages', 'MmProbeAndLockProcessPages', 'MmProbeAndLockSelectedPages'],
  },
  check(context) {
    const { analysis } = context;
    for (const node of analysis.cfg.nodes) {
      if (!analysis.reachable.has(node.id)) continue;
      for (const call of node.calls) {
        const callee = calleeName(call);
        const idx = callee ? ARGS[callee] : undefined;
        if (!idx) continue;
        const args = call.childForFieldName('arguments')?.namedChildren.filter((a) => a.type !== 'comment') ?? [];
        const mode = args[idx[0]];
        const op = args[idx[1]];
        const types = analysis.localTypes;
        const typeOf = (a: AstNode) => (a.type === 'identifier' ? types?.get(a.text) ?? '' : '');
        let m = mode ? badMode(mode) : undefined;
        if (!m && mode && /\bLOCK_OPERATION\b/.test(typeOf(mode))) m = `is a LOCK_OPERATION variable`;
        if (m && mode) context.report({ node: mode, messageId: 'badAccessMode', data: { callee: callee!, value: mode.text.trim(), why: m, expected: 'KernelMode, UserMode or Irp->RequestorMode' } });
        let o = op ? badOperation(op) : undefined;
        if (!o && op && /\bKPROCESSOR_MODE\b/.test(typeOf(op))) o = `is a KPROCESSOR_MODE variable`;
        if (o && op) context.report({ node: op, messageId: 'badOperation', data: { callee: callee!, value: op.text.trim(), why: o, expected: 'IoReadAccess, IoWriteAccess or IoModifyAccess' } });
      }
    }
    const seen = new Set<string>();
    for (const obs of analysis.observations) {
      if (obs.kind !== 'sva-use' || obs.imprecise || !obs.write) continue;
      const o = obs.obj;
      if (!o || o.state !== 'locked' || o.lockOp !== 'read' || !o.lockSite) continue;
      const site = nodeSite(obs.node);
      const key = `${site.line}:${site.column}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const path = explainPath(obs.trace, o.id, { ...site, message: 'write' });
      context.report({
        node: obs.node,
        messageId: 'writeAfterReadLock',
        data: { expr: obs.path, name: o.name, lockLine: o.lockSite.line, path: renderPath(path) },
        path,
      });
    }
  },
};
