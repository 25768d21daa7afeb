/**
 * mdl-use-after-free: nothing touches an MDL after IoFreeMdl freed it: no DDI, no field read, no second
 * IoFreeMdl.
 */
import type { Rule } from '../src/lint/rule.js';
import { docsUrl } from '../src/lint/rule.js';
import { explainPath, nodeSite, renderPath, viaText } from '../src/analysis/explain.js';

export const mdlUseAfterFree: Rule = {
  meta: {
    id: 'mdl-use-after-free',
    type: 'problem',
    docs: {
      description: 'An MDL must not be used or freed again after IoFreeMdl',
      url: docsUrl('mdl-use-after-free'),
      recommended: true,
    },
    messages: {
      useAfterFree:
        "{{callee}}{{via}} on MDL '{{name}}', which {{freeCallee}} freed at line {{freeLine}}{{freeVia}} (path: {{path}}): the MDL's memory may already be reused (undefined behaviour; Driver Verifier special pool: bug check 0xCC / 0xD5)",
      fieldAfterFree:
        "'{{expr}}' reads MDL '{{name}}' after {{freeCallee}} freed it at line {{freeLine}}{{freeVia}} (path: {{path}}): save what you need (e.g. the Next link) before freeing (undefined behaviour; Driver Verifier special pool: bug check 0xCC / 0xD5)",
      doubleFree:
        "{{callee}}{{via}} frees MDL '{{name}}' a second time: it was freed at line {{freeLine}}{{freeVia}} (path: {{path}}) (bug check 0xC2 BAD_POOL_CALLER; Driver Verifier 0xC4/0x13 or 0x14)",
    },
    defaultSeverity: 'error',
    schema: { type: 'object', properties: {}, additionalProperties: false },
    simulator: { validates: 'fault', bugChecks: ['0xC2', '0xC4/0x13', '0xCC', '0xD5'] },
    triggers: ['IoFreeMdl'],
  },
  check(context) {
    const seen = new Set<string>();
    for (const obs of context.analysis.observations) {
      if (obs.imprecise) continue;
      if (obs.kind === 'mdl-op') {
        const o = obs.before;
        if (o.state !== 'freed' || !o.freeSite) continue;
        const site = nodeSite(obs.call);
        const key = `${site.line}:${site.column}:${o.name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const path = explainPath(obs.trace, undefined, { ...site, message: obs.callee });
        const data = {
          callee: obs.callee, via: viaText(obs.via), name: o.name, freeCallee: o.freeSite.callee, freeLine: o.freeSite.line, freeVia: viaText(o.freeSite.via), path: renderPath(path),
        };
        context.report({ node: obs.call, messageId: obs.op === 'free' ? 'doubleFree' : 'useAfterFree', data, path });
      } else if (obs.kind === 'field-read') {
        const o = obs.obj;
        if (!o.freeSite) continue;
        const site = nodeSite(obs.node);
        const key = `${site.line}:${site.column}:${o.name}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const path = explainPath(obs.trace, undefined, { ...site, message: obs.node.text });
        context.report({
          node: obs.node,
          messageId: 'fieldAfterFree',
          data: { expr: obs.node.text.replace(/\s+/g, ' ').slice(0, 60), name: o.name, freeCallee: o.freeSite.callee, freeLine: o.freeSite.line, freeVia: viaText(o.freeSite.via), path: renderPath(path) },
          path,
        });
      }
    }
  },
};
