/**
 * mdl-unmatched-lock: every successful MmProbeAndLockPages is matched by exactly one MmUnlockPages
 * on every path, and nothing is unlocked that is not locked.
 */
import type { ReportDescriptor, Rule } from '../src/lint/rule.js';
import { docsUrl } from '../src/lint/rule.js';
import { explainPath, renderPath, viaText } from '../src/analysis/explain.js';

const USER_LEAK = 'bug check 0x76 PROCESS_HAS_LOCKED_PAGES, or 0xCB with locked-page tracking';
const KERNEL_LEAK = 'kernel memory: no process is charged for the lock, so no bug check follows; they stay resident until reboot';

export const mdlUnmatchedLock: Rule = {
  meta: {
    id: 'mdl-unmatched-lock',
    type: 'problem',
    docs: {
      description: 'Every successful MmProbeAndLockPages is matched by exactly one MmUnlockPages on every path, and nothing is unlocked that is not locked',
      url: docsUrl('mdl-unmatched-lock'),
      recommended: true,
    },
    messages: {
      stillLocked:
        "MDL '{{name}}' locked at line {{lockLine}}{{lockVia}} is still locked when the function returns at line {{exitLine}} (path: {{path}}); its pages stay locked ({{consequence}})",
      lostWhileLocked:
        "MDL '{{name}}' locked at line {{lockLine}}{{lockVia}} is still locked when the function returns at line {{exitLine}}: its last reference was overwritten at line {{line}}, so nothing can unlock it (path: {{path}}) ({{consequence}})",
      unlockNeverLocked:
        "MmUnlockPages{{via}} on MDL '{{name}}', which is not locked on this path: it was never locked (path: {{path}}); unlocking an unlocked MDL corrupts page reference counts (bug check 0x4E / 0x76, Driver Verifier 0xC4/0x7C)",
      unlockAfterFailedProbe:
        "MmUnlockPages{{via}} on MDL '{{name}}' after {{probe}} at line {{probeLine}} raised an exception (path: {{path}}): a probe that raises leaves the MDL unlocked, so this unlocks an unlocked MDL (bug check 0x4E / 0x76, Driver Verifier 0xC4/0x7C)",
      unlockTwice:
        "MmUnlockPages{{via}} on MDL '{{name}}', which was already unlocked at line {{unlockLine}} (path: {{path}}); a second unlock corrupts page reference counts (bug check 0x4E / 0x76, Driver Verifier 0xC4/0x7C)",
    },
    defaultSeverity: 'error',
    schema: { type: 'object', properties: {}, additionalProperties: false },
    simulator: { validates: 'fault', bugChecks: ['0x76', '0xCB', '0x4E', '0xC4/0x7C'] },
    triggers: ['MmProbeAndLockPages', 'MmProbeAndLockProcessPages', 'MmProbeAndLockSelectedPages', 'MmUnlockPages'],
  },
  check(context) {
    const { analysis } = context;
    // One finding per location and MDL: keep the most specific reason (and the shortest path for it).
    const PRIORITY: Record<string, number> = {
      unlockAfterFailedProbe: 0,
      unlockTwice: 2,
      unlockNeverLocked: 3,
      lostWhileLocked: 1,
      stillLocked: 2,
    };
    const best = new Map<string, { priority: number; length: number; report: ReportDescriptor }>();
    const offer = (key: string, report: ReportDescriptor) => {
      const priority = PRIORITY[report.messageId] ?? 9;
      const length = report.path?.length ?? 0;
      const cur = best.get(key);
      if (!cur || priority < cur.priority || (priority === cur.priority && length < cur.length)) best.set(key, { priority, length, report });
    };
    for (const obs of analysis.observations) {
      if (obs.imprecise) continue;
      if (obs.kind === 'leak') {
        const o = obs.obj;
        // left locked after IoFreeIrp of the IRP it was attached to: mdl-free-while-locked reports it there
        if (!o.lockSite || o.irpFreed) continue;
        const exitMessage = obs.explicitReturn ? 'returns' : 'falls off the end of the function';
        const path = explainPath(obs.trace, o.id, { ...obs.exit, message: exitMessage });
        const data: Record<string, string | number> = { name: o.name, lockLine: o.lockSite.line, lockVia: viaText(o.lockSite.via), exitLine: obs.exit.line, path: renderPath(path) };
        if (o.lostAt) data.line = o.lostAt.line;
        // a lock of kernel memory (pool, the system buffer) is charged to no process: nothing stops the machine,
        // the pages stay resident and locked until reboot
        data.consequence = o.kernelVa ? KERNEL_LEAK : USER_LEAK;
        offer(`${obs.exit.line}:${obs.exit.column}:${o.name}`, {
          loc: { line: obs.exit.line, column: obs.exit.column },
          messageId: o.lostAt ? 'lostWhileLocked' : 'stillLocked',
          data,
          path,
        });
      } else if (obs.kind === 'mdl-op' && obs.op === 'unlock') {
        const o = obs.before;
        const site = { line: obs.call.startPosition.row + 1, column: obs.call.startPosition.column + 1 };
        const key = `${site.line}:${site.column}:${o.name}`;
        // (the path is built only for an unlock that is reported: most unlocks are right)
        const explain = () => explainPath(obs.trace, o.id, { ...site, message: 'MmUnlockPages' });
        if (o.state === 'allocated' || (o.state === 'unlocked' && o.failedProbe)) {
          const path = explain();
          if (o.failedProbe) {
            offer(key, {
              node: obs.call,
              messageId: 'unlockAfterFailedProbe',
              data: { via: viaText(obs.via), name: o.name, probe: o.failedProbe.callee, probeLine: o.failedProbe.line, path: renderPath(path) },
              path,
            });
          } else {
            offer(key, { node: obs.call, messageId: 'unlockNeverLocked', data: { via: viaText(obs.via), name: o.name, path: renderPath(path) }, path });
          }
        } else if (o.state === 'unlocked') {
          const path = explain();
          offer(key, {
            node: obs.call,
            messageId: 'unlockTwice',
            data: { via: viaText(obs.via), name: o.name, unlockLine: o.unlockSite?.line ?? '?', path: renderPath(path) },
            path,
          });
        }
      }
    }
    for (const { report } of best.values()) context.report(report);
  },
};
