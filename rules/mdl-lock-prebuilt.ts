/**
 * mdl-lock-prebuilt: an MDL built by MmBuildMdlForNonPagedPool, the target of IoBuildPartialMdl, or one
 * from MmAllocatePagesForMdl(Ex) is never probed or unlocked; and a locked MDL is not rebuilt.
 */
import type { Rule } from '../src/lint/rule.js';
import { docsUrl } from '../src/lint/rule.js';
import { explainPath, nodeSite, renderPath, viaText } from '../src/analysis/explain.js';

export const mdlLockPrebuilt: Rule = {
  meta: {
    id: 'mdl-lock-prebuilt',
    type: 'problem',
    docs: {
      description:
        'An MDL built by MmBuildMdlForNonPagedPool, built by IoBuildPartialMdl or allocated by MmAllocatePagesForMdl(Ex) must not be probed or unlocked, and a locked MDL must not be rebuilt',
      url: docsUrl('mdl-lock-prebuilt'),
      recommended: true,
    },
    messages: {
      lockNonpaged:
        "{{callee}}{{via}} on MDL '{{name}}', which {{builder}} built for nonpaged pool at line {{buildLine}}: its pages are resident and described already; probing it is not allowed (Driver Verifier 0xC4/0xB0 MDL with incorrect flags; undefined behaviour without it)",
      lockPartial:
        "{{callee}}{{via}} on MDL '{{name}}', a partial MDL that IoBuildPartialMdl built at line {{buildLine}}: it borrows the pages its source MDL locked and is never probed itself (Driver Verifier 0xC4/0xB0 MDL with incorrect flags)",
      lockPages:
        "{{callee}}{{via}} on MDL '{{name}}' from {{builder}} (line {{buildLine}}): its pages are allocated and locked already (Driver Verifier 0xC4/0xB0 MDL with incorrect flags)",
      unlockNonpaged:
        "MmUnlockPages{{via}} on MDL '{{name}}', which {{builder}} built for nonpaged pool at line {{buildLine}}: it was never locked, so the unlock drops page references it never took (Driver Verifier 0xC4/0x7D; without it, page reference counts are corrupted: bug check 0x4E)",
      unlockPartial:
        "MmUnlockPages{{via}} on MDL '{{name}}', a partial MDL that IoBuildPartialMdl built at line {{buildLine}}: it borrows its source MDL's lock and is never unlocked itself; unlock the source MDL when done (Driver Verifier 0xC4/0xB4)",
      unlockPages:
        "MmUnlockPages{{via}} on MDL '{{name}}' from {{builder}} (line {{buildLine}}): release it with MmFreePagesFromMdl, then ExFreePool (Driver Verifier 0xC4; page reference counts are corrupted: bug check 0x4E)",
      rebuildLocked:
        "{{callee}}{{via}} rebuilds MDL '{{name}}', which is locked (line {{lockLine}}{{lockVia}}): the build requires an MDL whose flags are clear, and the page references the probe took are never released; unlock it first (bug check 0x76 PROCESS_HAS_LOCKED_PAGES, Driver Verifier 0xC4)",
    },
    defaultSeverity: 'error',
    schema: { type: 'object', properties: {}, additionalProperties: false },
    simulator: { validates: 'fault', bugChecks: ['0xC4/0xB0', '0xC4/0x7D', '0xC4/0xB4', '0x4E', '0x76'] },
    triggers: ['MmProbeAndLockPages', 'MmProbeAndLockProcessPages', 'MmProbeAndLockSelectedPages', 'MmUnlockPages', 'MmBuildMdlForNonPagedPool', 'IoBuildPartialMdl'],
  },
  check(context) {
    const seen = new Set<string>();
    for (const obs of context.analysis.observations) {
      if (obs.kind !== 'mdl-op' || obs.imprecise) continue;
      const o = obs.before;
      const site = nodeSite(obs.call);
      const key = `${site.line}:${site.column}:${o.name}`;
      if (seen.has(key)) continue;
      const path = () => explainPath(obs.trace, o.id, { ...site, message: obs.callee });
      const base = { callee: obs.callee, via: viaText(obs.via), name: o.name };
      let messageId: string | undefined;
      const data: Record<string, string | number> = { ...base };
      if (obs.op === 'lock' || obs.op === 'unlock') {
        const lock = obs.op === 'lock';
        if (o.state === 'nonpaged' && o.builtAt) {
          messageId = lock ? 'lockNonpaged' : 'unlockNonpaged';
          data.builder = o.builtAt.callee;
          data.buildLine = o.builtAt.line;
        } else if (o.state === 'partial' && o.builtAt) {
          messageId = lock ? 'lockPartial' : 'unlockPartial';
          data.buildLine = o.builtAt.line;
        } else if (o.state === 'pages') {
          messageId = lock ? 'lockPages' : 'unlockPages';
          data.builder = o.origin.callee ?? 'MmAllocatePagesForMdl';
          data.buildLine = o.origin.site?.line ?? '?';
        }
      } else if ((obs.op === 'build-nonpaged' || obs.op === 'partial-target') && o.state === 'locked' && o.lockSite && o.origin.kind !== 'irp') {
        messageId = 'rebuildLocked';
        data.lockLine = o.lockSite.line;
        data.lockVia = viaText(o.lockSite.via);
      }
      if (!messageId) continue;
      seen.add(key);
      const p = path();
      data.path = renderPath(p);
      context.report({ node: obs.call, messageId, data, path: p });
    }
  },
};
