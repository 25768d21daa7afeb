/**
 * mdl-unchecked-system-address: MmGetSystemAddressForMdlSafe (and MmMapLockedPagesSpecifyCache with
 * BugCheckOnFailure FALSE) return NULL when no system PTEs are left; the result is checked before use.
 * And an MDL is mapped only once its pages are locked (or it describes nonpaged pool).
 */
import type { Rule } from '../src/lint/rule.js';
import { docsUrl } from '../src/lint/rule.js';
import { explainPath, nodeSite, renderPath, viaText } from '../src/analysis/explain.js';

const MAPPERS = new Set(['MmGetSystemAddressForMdlSafe', 'MmGetSystemAddressForMdl', 'MmMapLockedPagesSpecifyCache', 'MmMapLockedPages', 'MmMapLockedPagesWithReservedMapping']);

export const mdlUncheckedSystemAddress: Rule = {
  meta: {
    id: 'mdl-unchecked-system-address',
    type: 'problem',
    docs: {
      description: 'The system address of an MDL can be NULL and must be checked before use; only a locked (or nonpaged-pool) MDL can be mapped',
      url: docsUrl('mdl-unchecked-system-address'),
      recommended: true,
    },
    messages: {
      unchecked:
        "'{{name}}' comes from {{callee}} at line {{mapLine}}, which returns NULL when the system is out of page-table entries, and is used here without a NULL check (path: {{path}}) (a NULL dereference: bug check 0x7E, 0x3B or 0x1E; 0xD1 at DISPATCH_LEVEL or above)",
      mapUnlocked:
        "{{callee}}{{via}} maps MDL '{{name}}', whose pages are not locked ({{why}}; path: {{path}}): only a locked MDL, a partial MDL of a locked one, or an MDL built for nonpaged pool can be mapped (bug check 0x1A/0x1233; Driver Verifier 0xC4/0x85)",
    },
    defaultSeverity: 'error',
    schema: { type: 'object', properties: {}, additionalProperties: false },
    simulator: { validates: 'fault', bugChecks: ['0x7E', '0x3B', '0x1E', '0xD1', '0x1A', '0xC4/0x85'] },
    triggers: [...MAPPERS],
  },
  check(context) {
    const seen = new Set<string>();
    for (const obs of context.analysis.observations) {
      if (obs.imprecise) continue;
      // Inside a __try/__except that takes the access violation, a NULL access below DISPATCH_LEVEL
      // raises STATUS_ACCESS_VIOLATION and the handler runs: the request fails, the machine does not stop.
      if (obs.kind === 'sva-use' && obs.canBeNull && !obs.caught) {
        const site = nodeSite(obs.node);
        const key = `${site.line}:${site.column}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const path = explainPath(obs.trace, undefined, { ...site, message: 'use' });
        context.report({ node: obs.node, messageId: 'unchecked', data: { name: obs.path, callee: obs.map.callee, mapLine: obs.map.line, path: renderPath(path) }, path });
      } else if (obs.kind === 'mdl-op' && MAPPERS.has(obs.callee)) {
        const o = obs.before;
        if (o.state !== 'allocated' && o.state !== 'unlocked') continue;
        const site = nodeSite(obs.call);
        const key = `${site.line}:${site.column}:map`;
        if (seen.has(key)) continue;
        seen.add(key);
        const why = o.state === 'allocated' ? `it was never locked` : o.failedProbe ? `its probe at line ${o.failedProbe.line} raised an exception` : `it was unlocked at line ${o.unlockSite?.line ?? '?'}`;
        const path = explainPath(obs.trace, o.id, { ...site, message: obs.callee });
        context.report({ node: obs.call, messageId: 'mapUnlocked', data: { callee: obs.callee, via: viaText(obs.via), name: o.name, why, path: renderPath(path) }, path });
      }
    }
  },
};
