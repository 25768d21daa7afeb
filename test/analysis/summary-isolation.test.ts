/**
 * A helper whose summary the analysis fails on (an exception other than the budgets and guards the
 * analysis handles itself) is unknown code to its callers: the program keeps every other summary, and
 * the linter reports the failure on that helper only. Before, one such helper made the whole run drop
 * its cross-file summaries ("cross-file summaries could not be computed").
 */
import { describe, expect, it, vi } from 'vitest';

vi.mock('../../src/analysis/mdl-analysis.js', async (importOriginal) => {
  const real = await importOriginal<typeof import('../../src/analysis/mdl-analysis.js')>();
  return {
    ...real,
    analyzeFunction: ((...args: Parameters<typeof real.analyzeFunction>) => {
      if (args[1].name === 'Broken') throw new Error('simulated analysis failure');
      return real.analyzeFunction(...args);
    }) as typeof real.analyzeFunction,
  };
});

const { lintText, prepareProject } = await import('../../src/lint/linter.js');

describe('a summary the analysis fails on', () => {
  it('leaves that helper unknown and keeps the other cross-file summaries', () => {
    const inputs = [
      { path: '/s/broken.c', text: '#include <wdm.h>\nvoid Broken(PMDL Mdl) {\n  __try { MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess); } __except (EXCEPTION_EXECUTE_HANDLER) { return; }\n}\n' },
      { path: '/s/lock.c', text: '#include <wdm.h>\nvoid LockIt(PMDL Mdl) {\n  __try { MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess); } __except (EXCEPTION_EXECUTE_HANDLER) { return; }\n}\n' },
      { path: '/s/caller.c', text: '#include <wdm.h>\nvoid Caller(PMDL Mdl) {\n  LockIt(Mdl);\n  LockIt(Mdl);\n  Broken(Mdl);\n}\n' },
    ];
    const project = prepareProject(inputs, '/s');
    const found = inputs.flatMap((i) => lintText(i.text, i.path, { project }).messages.map((m) => `${i.path}:${m.line} ${m.ruleId ?? m.message}`));
    expect(found).toContain("/s/broken.c:2 ddi-lint internal error while analyzing function 'Broken': simulated analysis failure");
    expect(found).toContain('/s/caller.c:4 mdl-double-lock');
  });
});
