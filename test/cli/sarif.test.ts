import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type * as Sarif from 'sarif';
import { FINGERPRINT_KEY, artifactLocation, ruleName, toSarif, type SarifOptions } from '../../src/report/sarif.js';
import type { RuleMeta } from '../../src/lint/rule.js';
import type { LintMessage, LintResult } from '../../src/lint/types.js';

const CWD = '/home/dev/driver';

function meta(id: string, defaultSeverity: RuleMeta['defaultSeverity'], extra: Partial<RuleMeta> = {}): RuleMeta {
  return {
    id,
    type: 'problem',
    docs: { description: `Description of ${id}`, url: `https://example.test/docs/rules/${id}.md`, recommended: true },
    messages: {},
    defaultSeverity,
    schema: {},
    simulator: { validates: 'none', reason: 'n/a' },
    ...extra,
  };
}

const RULES = [
  meta('mdl-unmatched-lock', 'error', { simulator: { validates: 'fault', bugChecks: ['PROCESS_HAS_LOCKED_PAGES (0x76)'] }, caWarnings: [28103] }),
  meta('mdl-probe-outside-try', 'warn'),
];

function result(filePath: string, messages: LintMessage[], suppressedMessages: LintMessage[] = []): LintResult {
  return {
    filePath,
    messages,
    suppressedMessages,
    errorCount: messages.filter((m) => m.severity === 2).length,
    warningCount: messages.filter((m) => m.severity === 1).length,
    fatalErrorCount: messages.filter((m) => m.fatal).length,
    fixableErrorCount: 0,
    fixableWarningCount: 0,
    usedDeprecatedRules: [],
  };
}

const SOURCE = [
  'NTSTATUS ReadBuffer(PIRP Irp, PMDL mdl)', // 1
  '{', // 2
  '    MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);', // 3
  '    if (!NT_SUCCESS(status)) {', // 4
  '        return status;', // 5
  '    }', // 6
  '    MmUnlockPages(mdl);', // 7
  '    return STATUS_SUCCESS;', // 8
  '}', // 9
].join('\n');

const LOCK: LintMessage = {
  ruleId: 'mdl-unmatched-lock',
  severity: 2,
  message: "MDL 'mdl' locked at line 3 is still locked when the function returns at line 5 (path: 3 → 4 [status failed] → 5)",
  messageId: 'stillLocked',
  line: 5,
  column: 9,
  endLine: 5,
  endColumn: 23,
  function: 'ReadBuffer',
  path: [
    { line: 3, column: 5, message: 'locked here' },
    { line: 4, column: 9, message: 'status failed' },
    { line: 5, column: 9, message: 'returns' },
  ],
};
const PROBE: LintMessage = {
  ruleId: 'mdl-probe-outside-try',
  severity: 1,
  message: 'MmProbeAndLockPages is not inside a __try/__except',
  line: 3,
  column: 5,
  function: 'ReadBuffer',
};

function opts(extra: Partial<SarifOptions> = {}): SarifOptions {
  return { cwd: CWD, rules: RULES, toolVersion: '1.2.3', getSourceText: () => SOURCE, ...extra };
}

/** Structural checks every log must pass (what GitHub code scanning requires, and internal consistency). */
function checkStructure(log: Sarif.Log): void {
  expect(log.version).toBe('2.1.0');
  expect(log.$schema).toMatch(/sarif/);
  expect(log.runs).toHaveLength(1);
  const run = log.runs[0]!;
  const driver = run.tool.driver;
  expect(driver.name).toBe('ddi-lint');
  expect(driver.version).toBeTruthy();
  expect(driver.informationUri).toMatch(/^https:\/\//);
  const ids = new Set<string>();
  for (const r of driver.rules ?? []) {
    expect(r.id).toMatch(/^[a-z0-9-]+$/);
    expect(ids.has(r.id)).toBe(false);
    ids.add(r.id);
    expect(r.shortDescription?.text).toBeTruthy();
    expect(r.fullDescription?.text).toBeTruthy();
    expect(r.help?.text).toBeTruthy();
    expect(r.helpUri).toMatch(/^https:\/\//);
    expect(['none', 'note', 'warning', 'error']).toContain(r.defaultConfiguration?.level);
  }
  for (const res of run.results ?? []) {
    expect(res.message.text).toBeTruthy();
    expect(res.ruleId).toBeTruthy();
    expect(res.ruleIndex).toBeTypeOf('number');
    expect(driver.rules![res.ruleIndex!]!.id).toBe(res.ruleId);
    expect(['none', 'note', 'warning', 'error']).toContain(res.level);
    expect(res.locations).toHaveLength(1);
    const pl = res.locations![0]!.physicalLocation!;
    expect(pl.artifactLocation!.uri).toBeTruthy();
    if (pl.artifactLocation!.uriBaseId) expect(run.originalUriBaseIds![pl.artifactLocation!.uriBaseId]).toBeDefined();
    expect(pl.artifactLocation!.uri).not.toMatch(/\\/);
    const reg = pl.region!;
    expect(reg.startLine).toBeGreaterThanOrEqual(1);
    expect(reg.startColumn).toBeGreaterThanOrEqual(1);
    if (reg.endLine !== undefined) expect(reg.endLine).toBeGreaterThanOrEqual(reg.startLine!);
    expect(Object.keys(res.partialFingerprints ?? {})).toEqual([FINGERPRINT_KEY]);
    for (const cf of res.codeFlows ?? []) {
      for (const tf of cf.threadFlows) {
        expect(tf.locations.length).toBeGreaterThan(0);
        for (const l of tf.locations) expect(l.location!.physicalLocation!.region!.startLine).toBeGreaterThanOrEqual(1);
      }
    }
  }
  // the whole log is plain JSON
  expect(JSON.parse(JSON.stringify(log))).toEqual(log);
}

describe('SARIF writer', () => {
  it('writes the tool, its rules and results referring to them by index', () => {
    const log = toSarif([result(join(CWD, 'src/read.c'), [PROBE, LOCK])], opts());
    checkStructure(log);
    const run = log.runs[0]!;
    expect(run.tool.driver.version).toBe('1.2.3');
    const [r0, r1] = run.tool.driver.rules!;
    expect(r0).toMatchObject({
      id: 'mdl-unmatched-lock',
      name: 'MdlUnmatchedLock',
      shortDescription: { text: 'Description of mdl-unmatched-lock' },
      helpUri: 'https://example.test/docs/rules/mdl-unmatched-lock.md',
      defaultConfiguration: { level: 'error', enabled: true },
    });
    expect(r0!.fullDescription!.text).toContain('PROCESS_HAS_LOCKED_PAGES (0x76)');
    expect(r0!.fullDescription!.text).toContain('C28103');
    expect(r1!.defaultConfiguration!.level).toBe('warning');
    expect(run.results!.map((r) => [r.ruleId, r.ruleIndex, r.level])).toEqual([
      ['mdl-probe-outside-try', 1, 'warning'],
      ['mdl-unmatched-lock', 0, 'error'],
    ]);
  });

  it('uses repo-relative URIs with %SRCROOT% and 1-based regions', () => {
    const log = toSarif([result(join(CWD, 'src/my file#1.c'), [LOCK])], opts());
    const run = log.runs[0]!;
    expect(run.originalUriBaseIds).toEqual({ '%SRCROOT%': { uri: 'file:///home/dev/driver/' } });
    expect(run.columnKind).toBe('utf16CodeUnits');
    const loc = run.results![0]!.locations![0]!;
    expect(loc.physicalLocation!.artifactLocation).toEqual({ uri: 'src/my%20file%231.c', uriBaseId: '%SRCROOT%' });
    expect(loc.physicalLocation!.region).toEqual({ startLine: 5, startColumn: 9, endLine: 5, endColumn: 23, snippet: { text: '        return status;' } });
    expect(loc.logicalLocations).toEqual([{ name: 'ReadBuffer', kind: 'function' }]);
  });

  it('files outside the working directory get absolute file URIs', () => {
    expect(artifactLocation('/opt/other/x.c', CWD)).toEqual({ uri: 'file:///opt/other/x.c' });
    expect(artifactLocation('rel/x.c', CWD)).toEqual({ uri: 'rel/x.c', uriBaseId: '%SRCROOT%' });
  });

  it('turns the explanation path into a code flow', () => {
    const log = toSarif([result(join(CWD, 'read.c'), [LOCK])], opts());
    const flow = log.runs[0]!.results![0]!.codeFlows!;
    expect(flow).toHaveLength(1);
    const locs = flow[0]!.threadFlows[0]!.locations;
    expect(locs.map((l) => [l.executionOrder, l.location!.physicalLocation!.region!.startLine, l.location!.message!.text])).toEqual([
      [1, 3, 'locked here'],
      [2, 4, 'status failed'],
      [3, 5, 'returns'],
    ]);
    expect(locs[0]!.location!.physicalLocation!.artifactLocation).toEqual({ uri: 'read.c', uriBaseId: '%SRCROOT%' });
    // a result without a path has no code flow
    const plain = toSarif([result(join(CWD, 'read.c'), [PROBE])], opts());
    expect(plain.runs[0]!.results![0]!.codeFlows).toBeUndefined();
  });

  it('path steps in other files and functions point there', () => {
    const m: LintMessage = { ...LOCK, path: [{ line: 40, column: 3, message: 'locked in helper', function: 'LockHelper', file: join(CWD, 'helper.c') }, ...LOCK.path!] };
    const log = toSarif([result(join(CWD, 'read.c'), [m])], opts());
    const first = log.runs[0]!.results![0]!.codeFlows![0]!.threadFlows[0]!.locations[0]!.location!;
    expect(first.physicalLocation!.artifactLocation!.uri).toBe('helper.c');
    expect(first.physicalLocation!.region!.snippet).toBeUndefined();
    expect(first.logicalLocations).toEqual([{ name: 'LockHelper', kind: 'function' }]);
  });

  it('fingerprints survive lines moving and differ between occurrences', () => {
    const fp = (source: string, messages: LintMessage[]) =>
      toSarif([result(join(CWD, 'read.c'), messages)], opts({ getSourceText: () => source })).runs[0]!.results!.map((r) => r.partialFingerprints![FINGERPRINT_KEY]);
    const [before] = fp(SOURCE, [LOCK]);
    // three lines inserted above, indentation changed: same fingerprint
    const shifted = '// header\n// more\n\n' + SOURCE.replace('        return status;', '\treturn status;');
    const [after] = fp(shifted, [{ ...LOCK, line: 8, path: undefined }]);
    expect(after).toBe(before);
    // a different rule on the same line, or the same rule in another function: different
    expect(fp(SOURCE, [{ ...LOCK, ruleId: 'mdl-probe-outside-try' }])[0]).not.toBe(before);
    expect(fp(SOURCE, [{ ...LOCK, function: 'Other' }])[0]).not.toBe(before);
    // two findings on identical lines in one function: distinct, numbered by position
    const twice = SOURCE + '\n        return status;';
    const both = fp(twice, [{ ...LOCK, line: 10 }, LOCK]);
    expect(new Set(both).size).toBe(2);
    expect(both[0]).toMatch(/:0$/);
    expect(both[1]).toMatch(/:1$/);
  });

  it('suppressed findings are results with inSource suppressions', () => {
    const sup: LintMessage = { ...PROBE, suppressions: [{ kind: 'directive', justification: 'buffer is from a kernel-mode caller' }] };
    const bare: LintMessage = { ...LOCK, suppressions: [{ kind: 'directive', justification: '' }] };
    const log = toSarif([result(join(CWD, 'read.c'), [], [sup, bare])], opts());
    checkStructure(log);
    const results = log.runs[0]!.results!;
    expect(results.map((r) => r.suppressions)).toEqual([[{ kind: 'inSource', justification: 'buffer is from a kernel-mode caller' }], [{ kind: 'inSource' }]]);
  });

  it('internal errors and unreadable files become tool notifications', () => {
    const fatal: LintMessage = { ruleId: null, fatal: true, severity: 2, message: 'internal error while linting this file: boom', line: 1, column: 1 };
    const log = toSarif([result(join(CWD, 'bad.c'), [fatal])], opts({ notifications: [{ filePath: join(CWD, 'bin.c'), message: 'not analyzed: binary file', level: 'warning' }] }));
    checkStructure(log);
    const inv = log.runs[0]!.invocations![0]!;
    expect(log.runs[0]!.results).toEqual([]);
    expect(inv.executionSuccessful).toBe(false);
    expect(inv.toolExecutionNotifications!.map((n) => [n.level, n.message.text, n.locations![0]!.physicalLocation!.artifactLocation!.uri])).toEqual([
      ['warning', 'not analyzed: binary file', 'bin.c'],
      ['error', 'internal error while linting this file: boom', 'bad.c'],
    ]);
    const ok = toSarif([], opts({ notifications: [{ filePath: join(CWD, 'bin.c'), message: 'x', level: 'warning' }] }));
    expect(ok.runs[0]!.invocations![0]!.executionSuccessful).toBe(true);
  });

  it('an empty run is still a valid log', () => {
    const log = toSarif([], opts());
    checkStructure(log);
    expect(log.runs[0]!.results).toEqual([]);
    expect(log.runs[0]!.tool.driver.rules).toHaveLength(2);
  });

  it('rule names are PascalCase ids', () => {
    expect(ruleName('mdl-probe-outside-try')).toBe('MdlProbeOutsideTry');
  });
});
