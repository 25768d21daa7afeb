/**
 * mdl-double-lock: MmProbeAndLockPages on an MDL that is already locked on some path reaching the call
 * (twice in sequence, again in a loop, on a retry path, or the I/O manager's MDL of a direct-I/O request).
 */
import type { Rule } from '../src/lint/rule.js';
import { docsUrl } from '../src/lint/rule.js';
import { explainPath, nodeSite, renderPath, viaText } from '../src/analysis/explain.js';

export const mdlDoubleLock: Rule = {
  meta: {
    id: 'mdl-double-lock',
    type: 'problem',
    docs: {
      description: 'MmProbeAndLockPages must not be called on an MDL that is already locked',
      url: docsUrl('mdl-double-lock'),
      recommended: true,
    },
    messages: {
      lockedTwice:
        "{{callee}}{{via}} on MDL '{{name}}', which is already locked: it was locked at line {{lockLine}}{{lockVia}} and not unlocked since (path: {{path}}). The second probe takes the page references again and the first lock's are never released (Driver Verifier 0xC4/0xB0; without it, bug check 0x76 PROCESS_HAS_LOCKED_PAGES at process exit)",
      lockedInLoop:
        "{{callee}}{{via}} on MDL '{{name}}', which the same call locked in the previous iteration of the loop and nothing unlocked (path: {{path}}) (Driver Verifier 0xC4/0xB0; without it, bug check 0x76 PROCESS_HAS_LOCKED_PAGES at process exit)",
      ioManagerLocked:
        "{{callee}}{{via}} on '{{name}}' in dispatch routine '{{fn}}': for a direct-I/O request the I/O manager has already probed and locked this MDL, and it unlocks it when the IRP completes; probing it again locks its pages twice (Driver Verifier 0xC4/0xB0; without it, bug check 0x76 PROCESS_HAS_LOCKED_PAGES)",
    },
    defaultSeverity: 'error',
    schema: { type: 'object', properties: {}, additionalProperties: false },
    simulator: { validates: 'fault', bugChecks: ['0xC4/0xB0', '0x76'] },
    triggers: ['MmProbeAndLockPages', 'MmProbeAndLockProcessPages', 'MmProbeAndLockSelectedPages'],
  },
  check(context) {
    const seen = new Set<string>();
    for (const obs of context.analysis.observations) {
      if (obs.kind !== 'mdl-op' || obs.op !== 'lock' || obs.imprecise) continue;
      const o = obs.before;
      // an array element path (`a[*]`) stands for every element: a lock of a[i] does not lock a[j]
      if (o.state !== 'locked' || !o.lockSite || o.id.includes('[*]')) continue;
      const site = nodeSite(obs.call);
      const key = `${site.line}:${site.column}:${o.name}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const path = explainPath(obs.trace, o.id, { ...site, message: obs.callee });
      const data = { callee: obs.callee, via: viaText(obs.via), name: o.name, path: renderPath(path), fn: context.fn.name };
      if (o.origin.kind === 'irp') {
        context.report({ node: obs.call, messageId: 'ioManagerLocked', data, path });
      } else if (o.lockSite.line === site.line && o.lockSite.column === site.column && !o.lockSite.via && !obs.via) {
        context.report({ node: obs.call, messageId: 'lockedInLoop', data, path });
      } else {
        context.report({ node: obs.call, messageId: 'lockedTwice', data: { ...data, lockLine: o.lockSite.line, lockVia: viaText(o.lockSite.via) }, path });
      }
    }
  },
};
