/**
 * mdl-free-while-locked: IoFreeMdl does not unlock. Freeing a locked (or mapped) MDL, freeing a
 * driver-allocated IRP whose MDLs are locked, or freeing only the head of a locked chain leaves pages
 * locked that nothing can unlock any more.
 */
import type { Rule } from '../src/lint/rule.js';
import { docsUrl } from '../src/lint/rule.js';
import { explainPath, nodeSite, renderPath, viaText } from '../src/analysis/explain.js';

export const mdlFreeWhileLocked: Rule = {
  meta: {
    id: 'mdl-free-while-locked',
    type: 'problem',
    docs: {
      description: 'IoFreeMdl (and IoFreeIrp) must not free an MDL whose pages are still locked',
      url: docsUrl('mdl-free-while-locked'),
      recommended: true,
    },
    messages: {
      freeLocked:
        "{{callee}}{{via}} frees MDL '{{name}}' while its pages are locked (locked at line {{lockLine}}{{lockVia}}; path: {{path}}): {{callee}} does not unlock, so the pages stay locked and nothing can unlock them any more; call MmUnlockPages first (bug check 0x76 PROCESS_HAS_LOCKED_PAGES, or 0xCB DRIVER_LEFT_LOCKED_PAGES_IN_PROCESS with locked-page tracking)",
      freeLockedMapped:
        "{{callee}}{{via}} frees MDL '{{name}}' while its pages are locked (line {{lockLine}}{{lockVia}}) and mapped into system space (path: {{path}}): neither the mapping nor the lock is released; call MmUnlockPages first, which also unmaps (Driver Verifier 0xC4/0xB8; bug check 0x76 or 0xCB for the pages)",
      freeIrpLocked:
        "IoFreeIrp{{via}} frees IRP '{{irp}}' while MDL '{{name}}' on its MdlAddress chain is locked (line {{lockLine}}{{lockVia}}; path: {{path}}): IoFreeIrp neither unlocks nor frees the MDLs of an IRP the driver allocated; unlock and free them first (bug check 0x76 PROCESS_HAS_LOCKED_PAGES, or 0xCB)",
      freeChainHead:
        "IoFreeMdl{{via}} frees only the head of the chain '{{name}}': MDL '{{member}}' chained after it is still locked (line {{lockLine}}; path: {{path}}) and nothing refers to it any more; unlock and free every MDL of the chain (bug check 0x76 PROCESS_HAS_LOCKED_PAGES, or 0x4E when the pages are reused)",
    },
    defaultSeverity: 'error',
    schema: { type: 'object', properties: {}, additionalProperties: false },
    simulator: { validates: 'fault', bugChecks: ['0x76', '0xCB', '0xC4/0xB8'] },
    triggers: ['IoFreeMdl', 'IoFreeIrp', 'ExFreePool', 'ExFreePoolWithTag', 'ExFreePool2'],
  },
  check(context) {
    const seen = new Set<string>();
    for (const obs of context.analysis.observations) {
      if (obs.imprecise) continue;
      if (obs.kind === 'mdl-op' && obs.op === 'free') {
        const o = obs.before;
        const site = nodeSite(obs.call);
        if (o.state === 'locked' && o.lockSite) {
          const key = `${site.line}:${site.column}:${o.name}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const path = explainPath(obs.trace, o.id, { ...site, message: obs.callee });
          context.report({
            node: obs.call,
            messageId: o.mapped ? 'freeLockedMapped' : 'freeLocked',
            data: { callee: obs.callee, via: viaText(obs.via), name: o.name, lockLine: o.lockSite.line, lockVia: viaText(o.lockSite.via), path: renderPath(path) },
            path,
          });
          continue;
        }
        const member = obs.chained?.find((m) => m.state === 'locked' && m.lockSite);
        if (member && o.state !== 'freed') {
          const key = `${site.line}:${site.column}:${o.name}:chain`;
          if (seen.has(key)) continue;
          seen.add(key);
          const path = explainPath(obs.trace, member.id, { ...site, message: 'IoFreeMdl' });
          context.report({
            node: obs.call,
            messageId: 'freeChainHead',
            data: { via: viaText(obs.via), name: o.name, member: member.name, lockLine: member.lockSite!.line, path: renderPath(path) },
            path,
          });
        }
      } else if (obs.kind === 'leak' && obs.obj.irpFreed && obs.obj.lockSite) {
        // IoFreeIrp freed the IRP while this MDL was locked; a variable still held it, but the function
        // returns without releasing it: the IRP was its owner, and its pages stay locked
        const o = obs.obj;
        const at = o.irpFreed!;
        const key = `${at.line}:${at.column}:irp`;
        if (seen.has(key)) continue;
        seen.add(key);
        const path = explainPath(obs.trace, o.id, { ...obs.exit, message: obs.explicitReturn ? 'returns' : 'falls off the end of the function' });
        context.report({
          loc: { line: at.line, column: at.column },
          messageId: 'freeIrpLocked',
          data: { via: "", irp: at.irp, name: o.name, lockLine: o.lockSite!.line, lockVia: viaText(o.lockSite!.via), path: renderPath(path) },
          path,
        });
      } else if (obs.kind === 'irp-free') {
        const o = obs.obj;
        if (!o.lockSite || o.origin.kind === 'irp') continue;
        const site = nodeSite(obs.call);
        const key = `${site.line}:${site.column}:irp`;
        if (seen.has(key)) continue;
        seen.add(key);
        const path = explainPath(obs.trace, o.id, { ...site, message: 'IoFreeIrp' });
        context.report({
          node: obs.call,
          messageId: 'freeIrpLocked',
          data: { via: '', irp: obs.irp, name: o.name, lockLine: o.lockSite.line, lockVia: viaText(o.lockSite.via), path: renderPath(path) },
          path,
        });
      }
    }
  },
};
