/**
 * The command's plumbing (file discovery, ignores, config, formats, exit codes, bad input) driven
 * in-process with a small fake engine, so these tests do not depend on the analysis: the fake
 * reports `mdl-probe-outside-try` on every line containing `MmProbeAndLockPages` and
 * `mdl-unmatched-lock` on every line containing `MmUnlockPages`, honouring severities and
 * suppression directives like the real linter. `cli.test.ts` runs the built command end to end.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import { runCli, helpText, SUBCOMMANDS, type LintEngine } from '../../src/cli/run.js';
import { SPECS } from '../../src/cli/args.js';
import { applyDirectives } from '../../src/lint/suppressions.js';
import type { LintMessage, LintResult } from '../../src/lint/types.js';
import type { RuleMeta } from '../../src/lint/rule.js';
import type * as Sarif from 'sarif';

const PROBE = 'mdl-probe-outside-try';
const UNLOCK = 'mdl-unmatched-lock';

function meta(id: string, description: string, defaultSeverity: RuleMeta['defaultSeverity']): RuleMeta {
  return {
    id,
    type: 'problem',
    docs: { description, url: `https://example.test/docs/rules/${id}.md`, recommended: true },
    messages: { m: 'x' },
    defaultSeverity,
    schema: { type: 'object', properties: { strict: { type: 'boolean' } }, additionalProperties: false },
    simulator: { validates: 'fault', bugChecks: ['0x7E'] },
  };
}

const calls: { file: string; options: unknown }[] = [];
const fake: LintEngine = {
  rules: [{ meta: meta(UNLOCK, 'MDL unlocked without being locked', 'error') }, { meta: meta(PROBE, 'Probe outside __try/__except', 'warn') }],
  lintText(text, filePath, options) {
    calls.push({ file: filePath, options });
    if (text.includes('CRASH_THE_RULE')) throw new Error('rule exploded');
    const messages: LintMessage[] = [];
    text.split('\n').forEach((line, i) => {
      for (const [needle, id] of [
        ['MmProbeAndLockPages', PROBE],
        ['MmUnlockPages', UNLOCK],
      ] as const) {
        const col = line.indexOf(needle);
        const sev = options.rules[id]?.severity ?? 0;
        if (col >= 0 && sev > 0) {
          messages.push({
            ruleId: id,
            severity: sev as 1 | 2,
            message: `${needle} finding`,
            line: i + 1,
            column: col + 1,
            endLine: i + 1,
            endColumn: col + 1 + needle.length,
            function: 'Dispatch',
            path: [
              { line: 1, column: 1, message: 'entry' },
              { line: i + 1, column: col + 1, message: 'here' },
            ],
          });
        }
      }
    });
    const { messages: kept, suppressedMessages } = applyDirectives(text, messages);
    const result: LintResult = {
      filePath,
      messages: kept,
      suppressedMessages,
      errorCount: kept.filter((m) => m.severity === 2).length,
      warningCount: kept.filter((m) => m.severity === 1).length,
      fatalErrorCount: 0,
      fixableErrorCount: 0,
      fixableWarningCount: 0,
      usedDeprecatedRules: [],
    };
    return result;
  },
};

const root = mkdtempSync(join(tmpdir(), 'ddi-run-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function project(files: Record<string, string | Buffer>): string {
  const d = join(root, `p${n++}`);
  mkdirSync(d, { recursive: true });
  // stop config lookup from wandering above the temp dir
  writeFileSync(join(d, 'ddi-lint.config.json'), '{"root": true}');
  for (const [rel, content] of Object.entries(files)) {
    const p = join(d, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, content);
  }
  return d;
}

async function run(cwd: string, ...argv: string[]) {
  let stdout = '';
  let stderr = '';
  calls.length = 0;
  const code = await runCli(argv, { cwd, stdout: { write: (s: string) => (stdout += s) }, stderr: { write: (s: string) => (stderr += s) } }, fake);
  return { code, stdout, stderr, linted: calls.map((c) => c.file.slice(cwd.length + 1)).sort() };
}

const PROBE_C = 'void f(PMDL m) {\n  MmProbeAndLockPages(m, UserMode, IoReadAccess);\n}\n';
const UNLOCK_C = 'void g(PMDL m) {\n  MmUnlockPages(m);\n}\n';
const CLEAN_C = 'int h(void) { return 0; }\n';

describe('file discovery', () => {
  it('recurses into directories and lints only C/C++ extensions', async () => {
    const d = project({ 'a.c': CLEAN_C, 'sub/b.cpp': CLEAN_C, 'sub/deep/c.H': CLEAN_C, 'd.cxx': CLEAN_C, 'e.hh': CLEAN_C, 'notes.txt': 'MmUnlockPages', 'f.inf': '', 'g.cc': CLEAN_C, 'h.hpp': CLEAN_C, 'i.hxx': CLEAN_C });
    const r = await run(d);
    expect(r.code).toBe(0);
    expect(r.linted).toEqual(['a.c', 'd.cxx', 'e.hh', 'g.cc', 'h.hpp', 'i.hxx', 'sub/b.cpp', 'sub/deep/c.H']);
  });

  it('expands globs and de-duplicates', async () => {
    const d = project({ 'src/a.c': CLEAN_C, 'src/b.c': CLEAN_C, 'src/x/c.c': CLEAN_C, 'inc/a.h': CLEAN_C });
    const r = await run(d, 'src/*.c', 'src/a.c', 'src/**/*.c');
    expect(r.linted).toEqual(['src/a.c', 'src/b.c', 'src/x/c.c']);
  });

  it('applies .gitignore files, nested ones and negations, like git', async () => {
    const d = project({
      '.gitignore': 'build/\n*.gen.c\n',
      'build/out.c': CLEAN_C,
      'a.gen.c': CLEAN_C,
      'a.c': CLEAN_C,
      'drv/.gitignore': '!keep.gen.c\nlocal.c\n',
      'drv/keep.gen.c': CLEAN_C,
      'drv/other.gen.c': CLEAN_C,
      'drv/local.c': CLEAN_C,
      'local.c': CLEAN_C,
      'node_modules/x/y.c': CLEAN_C,
    });
    mkdirSync(join(d, '.git'));
    writeFileSync(join(d, '.git', 'z.c'), CLEAN_C);
    const r = await run(d);
    expect(r.linted).toEqual(['a.c', 'drv/keep.gen.c', 'local.c']);
    // from a subdirectory, the repository's top .gitignore still applies
    const r2 = await run(join(d, 'drv'), '.');
    expect(r2.linted).toEqual(['keep.gen.c']);
    // --no-ignore lints them all (but never .git or node_modules)
    const r3 = await run(d, '--no-ignore');
    expect(r3.linted).toEqual(['a.c', 'a.gen.c', 'build/out.c', 'drv/keep.gen.c', 'drv/local.c', 'drv/other.gen.c', 'local.c']);
  });

  it('an explicitly named ignored file is skipped with a message', async () => {
    const d = project({ '.gitignore': 'gen.c\n', 'gen.c': UNLOCK_C, 'ok.c': CLEAN_C });
    const r = await run(d, 'gen.c', 'ok.c');
    expect(r.linted).toEqual(['ok.c']);
    expect(r.stderr).toContain('gen.c: ignored by a .gitignore or ignorePatterns entry (use --no-ignore to lint it)');
    expect(r.code).toBe(0);
  });

  it("applies the configs' ignorePatterns relative to each config file", async () => {
    const d = project({
      'ddi-lint.config.json': '{"root": true, "ignorePatterns": ["third_party/", "*.tmh.h"]}',
      'third_party/lib.c': UNLOCK_C,
      'trace.tmh.h': UNLOCK_C,
      'drv/ddi-lint.config.json': '{"ignorePatterns": ["/legacy.c"]}',
      'drv/legacy.c': UNLOCK_C,
      'drv/sub/legacy.c': CLEAN_C,
      'drv/main.c': CLEAN_C,
    });
    const r = await run(d);
    expect(r.linted).toEqual(['drv/main.c', 'drv/sub/legacy.c']);
  });

  it('a missing path is a usage error but the other paths are linted', async () => {
    const d = project({ 'a.c': UNLOCK_C });
    const r = await run(d, 'nope.c', 'a.c', 'src/*.c');
    expect(r.code).toBe(2);
    expect(r.linted).toEqual(['a.c']);
    expect(r.stderr).toContain('ddi-lint: nope.c: no such file or directory');
    expect(r.stderr).toContain('ddi-lint: src/*.c: no C/C++ source files matching the pattern were found');
    expect(r.stdout).toContain('MmUnlockPages finding');
    const r2 = await run(d, 'nope.c', 'a.c', '--no-error-on-unmatched-pattern');
    expect(r2.code).toBe(1);
  });

  it('a directory without sources is a usage error', async () => {
    const d = project({ 'empty/readme.txt': 'x', '.gitignore': 'build/\n', 'build/x.c': CLEAN_C, 'gen/.gitignore': '*.c\n', 'gen/y.c': CLEAN_C });
    const r = await run(d, 'empty');
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('ddi-lint: empty: no C/C++ source files (.c .h .cpp .cc .cxx .hpp .hxx .hh) in this directory\n');
    // named directories whose sources are all ignored say so
    const b = await run(d, 'build', 'gen', 'build/*.c');
    expect(b.code).toBe(2);
    expect(b.stderr).toContain('ddi-lint: build: no C/C++ source files (.c .h .cpp .cc .cxx .hpp .hxx .hh) in this directory outside what .gitignore or ignorePatterns exclude (use --no-ignore to include them)');
    expect(b.stderr).toContain('ddi-lint: gen: no C/C++ source files');
    expect(b.stderr).toContain('ddi-lint: build/*.c: all the C/C++ sources matching the pattern are ignored');
    expect((await run(d, '--no-ignore', 'build', 'gen')).linted).toEqual(['build/x.c', 'gen/y.c']);
  });

  it('reports a directory symlink loop once and goes on', async () => {
    const d = project({ 'drv/a.c': CLEAN_C, 'drv/sub/b.c': CLEAN_C });
    symlinkSync('..', join(d, 'drv', 'sub', 'up'));
    symlinkSync(join(d, 'missing.c'), join(d, 'drv', 'dangling.c'));
    const r = await run(d, 'drv');
    expect(r.linted).toEqual(['drv/a.c', 'drv/sub/b.c']);
    expect(r.stderr).toContain(`ddi-lint: drv/sub/up: directory symlink loop (links back to ${join(d, 'drv')}), skipped`);
    expect(r.stderr.trim().split('\n')).toHaveLength(2);
    expect(r.stderr).toContain('drv/dangling.c: broken symbolic link, skipped');
    expect(r.code).toBe(0);
  });
});

describe('bad input', () => {
  it('binary, invalid UTF-8 (with --source-charset utf-8) and empty files get one stderr line each and the run goes on', async () => {
    const d = project({
      'bin.c': Buffer.from([0x4d, 0x5a, 0x90, 0x00, 0x03, 0x00]),
      'latin1.c': Buffer.from('/* caf\xe9 */\nMmUnlockPages(m);\n', 'latin1'),
      'empty.c': '',
      'blank.h': '  \n\n',
      'good.c': UNLOCK_C,
    });
    const r = await run(d, '--source-charset', 'utf-8');
    expect(r.linted).toEqual(['good.c']);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toHaveLength(4);
    expect(r.stderr).toContain('ddi-lint: bin.c: binary file');
    expect(r.stderr).toContain('ddi-lint: latin1.c: not valid UTF-8 text');
    expect(r.stderr).toContain('ddi-lint: empty.c: empty file, nothing to lint');
    expect(r.stderr).toContain('ddi-lint: blank.h: empty file, nothing to lint');
    expect(r.code).toBe(1); // the finding in good.c
  });

  it('UTF-16 with a BOM is decoded and linted', async () => {
    const text = '\ufeff' + UNLOCK_C;
    const d = project({ 'wide.c': Buffer.from(text, 'utf16le') });
    const r = await run(d, '--format', 'json');
    expect(r.code).toBe(1);
    const json = JSON.parse(r.stdout) as LintResult[];
    expect(json[0]!.messages[0]).toMatchObject({ ruleId: UNLOCK, line: 2, column: 3 });
  });

  it('when no file at all can be linted the exit code is 2', async () => {
    const d = project({ 'bin.c': Buffer.from([0, 1, 2, 3]) });
    const r = await run(d, 'bin.c');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ddi-lint: no file could be linted');
  });

  it('an unreadable file is reported and skipped', async () => {
    if (process.getuid?.() === 0) {
      // root reads any file whatever its mode: use a FIFO-free trick instead — a directory named like a source file
      const d = project({ 'ok.c': CLEAN_C });
      mkdirSync(join(d, 'weird.c'));
      const r = await run(d, 'weird.c', 'ok.c');
      // an explicit directory without sources is a usage error; recursing, a directory named *.c is just a directory
      expect(r.stderr).toContain('weird.c: no C/C++ source files');
      const r2 = await run(d);
      expect(r2.linted).toEqual(['ok.c']);
      return;
    }
    const d = project({ 'secret.c': CLEAN_C, 'ok.c': CLEAN_C });
    chmodSync(join(d, 'secret.c'), 0o000);
    const r = await run(d);
    expect(r.stderr).toContain('secret.c: permission denied');
    expect(r.linted).toEqual(['ok.c']);
  });

  it('a file larger than --max-file-size is skipped', async () => {
    const d = project({ 'big.c': 'x'.repeat(1024 * 1024 + 10), 'ok.c': CLEAN_C });
    const r = await run(d, '--max-file-size', '1');
    expect(r.linted).toEqual(['ok.c']);
    expect(r.stderr).toMatch(/big\.c: file is 1\.0 MiB, over the 1 MiB limit/);
  });

  it('a rule that throws yields an internal-error message for that file only', async () => {
    const d = project({ 'a.c': 'CRASH_THE_RULE\n', 'b.c': UNLOCK_C });
    const r = await run(d, '-f', 'json');
    expect(r.code).toBe(2);
    const json = JSON.parse(r.stdout) as LintResult[];
    expect(json).toHaveLength(2);
    expect(json[0]!.messages[0]).toMatchObject({ ruleId: null, fatal: true, severity: 2 });
    expect(json[0]!.messages[0]!.message).toContain('internal error while linting this file: rule exploded');
    expect(json[1]!.messages[0]!.ruleId).toBe(UNLOCK);
  });
});

describe('options and exit codes', () => {
  it('exit 0 when clean, 1 on an error, 0 on warnings only', async () => {
    expect((await run(project({ 'a.c': CLEAN_C }))).code).toBe(0);
    expect((await run(project({ 'a.c': UNLOCK_C }))).code).toBe(1);
    const w = await run(project({ 'a.c': PROBE_C }));
    expect(w.code).toBe(0);
    expect(w.stdout).toContain('warning');
  });

  it('--max-warnings', async () => {
    const d = project({ 'a.c': PROBE_C, 'b.c': PROBE_C });
    expect((await run(d, '--max-warnings', '2')).code).toBe(0);
    const r = await run(d, '--max-warnings', '1');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('ddi-lint found too many warnings (maximum: 1, found: 2).');
    expect((await run(d, '--max-warnings=-1')).code).toBe(0);
    expect((await run(d, '--max-warnings', 'x')).code).toBe(2);
  });

  it('--quiet hides warnings but they still count for --max-warnings', async () => {
    const d = project({ 'a.c': PROBE_C + UNLOCK_C });
    const r = await run(d, '--quiet', '-f', 'json');
    const json = JSON.parse(r.stdout) as LintResult[];
    expect(json[0]!.messages.map((m) => m.ruleId)).toEqual([UNLOCK]);
    expect(json[0]!.warningCount).toBe(0);
    const q = await run(project({ 'a.c': PROBE_C }), '--quiet', '--max-warnings', '0');
    expect(q.stdout).toBe('');
    expect(q.code).toBe(1);
  });

  it('--rule overrides severities, and validates ids and severities', async () => {
    const d = project({ 'a.c': PROBE_C + UNLOCK_C });
    const off = await run(d, '--rule', `${UNLOCK}:off`, '--rule', `${PROBE}:error`, '-f', 'json');
    const json = JSON.parse(off.stdout) as LintResult[];
    expect(json[0]!.messages.map((m) => [m.ruleId, m.severity])).toEqual([[PROBE, 2]]);
    expect(off.code).toBe(1);
    expect((await run(d, '--rule', `${UNLOCK}:0`, '--rule', `${PROBE}:1`)).code).toBe(0);
    const bad = await run(d, '--rule', 'no-such-rule:off');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown rule 'no-such-rule'");
    const badSev = await run(d, '--rule', `${UNLOCK}:fatal`);
    expect(badSev.code).toBe(2);
    expect(badSev.stderr).toContain("invalid severity 'fatal'");
    expect((await run(d, '--rule', 'nocolon')).code).toBe(2);
  });

  it('config files set severities and options per directory; --config replaces them', async () => {
    const d = project({
      'ddi-lint.config.json': `{"root": true, "rules": {"${UNLOCK}": "warn"}}`,
      'strict/ddi-lint.config.json': `{"rules": {"${PROBE}": ["error", {"strict": true}]}}`,
      'strict/a.c': PROBE_C,
      'b.c': PROBE_C + UNLOCK_C,
      'custom.json': `{"rules": {"${PROBE}": "off", "${UNLOCK}": "off"}}`,
    });
    const r = await run(d, '-f', 'json');
    const json = JSON.parse(r.stdout) as LintResult[];
    const byFile = Object.fromEntries(json.map((x) => [x.filePath.slice(d.length + 1), x.messages.map((m) => [m.ruleId, m.severity])]));
    expect(byFile).toEqual({ 'b.c': [[PROBE, 1], [UNLOCK, 1]], 'strict/a.c': [[PROBE, 2]] });
    const opts = calls.find((c) => c.file.endsWith('strict/a.c'))!.options as { rules: Record<string, { options: unknown }> };
    expect(opts.rules[PROBE]!.options).toEqual({ strict: true });
    const c = await run(d, '--config', 'custom.json');
    expect(c.code).toBe(0);
    expect(c.stdout).toBe('');
  });

  it('an invalid config is a clear error naming the file and key (exit 2)', async () => {
    const d = project({ 'sub/ddi-lint.config.json': `{"rules": {"${UNLOCK}": "warning"}}`, 'sub/a.c': CLEAN_C });
    const r = await run(d);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`ddi-lint: configuration error in sub/ddi-lint.config.json: rules.${UNLOCK}: invalid severity "warning": use "off", "warn", "error" (or 0, 1, 2)\n`);
    expect(r.stdout).toBe('');
    const r2 = await run(d, '--config', 'missing.json');
    expect(r2.code).toBe(2);
    expect(r2.stderr).toContain('configuration error in missing.json: cannot read configuration file: no such file');
    writeFileSync(join(d, 'broken.json'), '{"rules": ');
    const r3 = await run(d, '-c', 'broken.json');
    expect(r3.code).toBe(2);
    expect(r3.stderr).toContain('configuration error in broken.json: not valid JSON');
  });

  it('--print-config prints the resolved configuration', async () => {
    const d = project({
      'ddi-lint.config.json': `{"root": true, "rules": {"${UNLOCK}": ["warn", {"strict": true}]}, "ignorePatterns": ["gen/"]}`,
      'gen/x.c': CLEAN_C,
    });
    const r = await run(d, '--print-config', 'gen/x.c');
    expect(r.code).toBe(0);
    const cfg = JSON.parse(r.stdout);
    expect(cfg).toMatchObject({
      configFiles: [join(d, 'ddi-lint.config.json')],
      ignored: true,
      rules: { [UNLOCK]: ['warn', { strict: true }], [PROBE]: ['warn', {}] },
      ignorePatterns: [{ basePath: d, patterns: ['gen/'] }],
    });
    expect((await run(d, '--print-config', 'gen/x.c', 'other.c')).code).toBe(2);
    expect((await run(d, '--print-config')).code).toBe(2);
  });

  it('--report-unused-disable-directives', async () => {
    const d = project({ 'a.c': `MmUnlockPages(m); // ddi-lint-disable-line ${UNLOCK}\nx; // ddi-lint-disable-line ${PROBE}\n` });
    expect((await run(d)).code).toBe(0);
    const r = await run(d, '--report-unused-disable-directives', '-f', 'json');
    expect(r.code).toBe(1);
    const [res] = JSON.parse(r.stdout) as LintResult[];
    expect(res!.messages).toEqual([
      { ruleId: null, severity: 2, message: `Unused ddi-lint-disable-line directive (no problems were reported from '${PROBE}').`, line: 2, column: 4, nodeType: 'Comment' },
    ]);
    expect(res!.errorCount).toBe(1);
    expect(res!.suppressedMessages).toHaveLength(1);
    // in SARIF, a warning notification, not a result, and not an execution failure
    const s = JSON.parse((await run(d, '--report-unused-disable-directives', '-f', 'sarif')).stdout) as Sarif.Log;
    expect(s.runs[0]!.results!.map((x) => x.ruleId)).toEqual([UNLOCK]);
    expect(s.runs[0]!.invocations![0]!.executionSuccessful).toBe(true);
    expect(s.runs[0]!.invocations![0]!.toolExecutionNotifications![0]!.message.text).toContain('Unused ddi-lint-disable-line directive');
  });

  it('--print-schema prints a schema that validates configs', async () => {
    const r = await run(project({}), '--print-schema');
    const validate = new Ajv({ strict: false }).compile(JSON.parse(r.stdout));
    expect(validate({ rules: { [UNLOCK]: 'warn' } })).toBe(true);
    expect(validate({ rules: { nope: 'warn' } })).toBe(false);
  });

  it('--output-file writes the report (creating directories)', async () => {
    const d = project({ 'a.c': UNLOCK_C });
    const r = await run(d, '-f', 'unix', '--output-file', 'out/report.txt');
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(readFileSync(join(d, 'out/report.txt'), 'utf8')).toContain(`a.c:2:3: MmUnlockPages finding [Error/${UNLOCK}]`);
  });

  it('--version, --help, unknown options', async () => {
    const d = project({});
    const v = await run(d, '--version');
    expect(v.stdout).toMatch(/^ddi-lint \d+\.\d+\.\d+\n$/);
    const h = await run(d, '--help');
    expect(h.code).toBe(0);
    for (const s of [
      '--format',
      '--output-file',
      '--max-warnings',
      '--quiet',
      '--rule',
      '--config',
      '--print-config',
      '--no-ignore',
      '--version',
      '--help',
      'ddi-lint.config.json',
      'ddi-lint-disable-next-line',
      'ddi-lint-disable-line',
      'ddi-lint-enable',
      'Exit codes',
      UNLOCK,
      'MDL unlocked without being locked',
      PROBE,
      'visualstudio',
      'sarif',
      'ddi-lint simulate',
    ]) {
      expect(h.stdout).toContain(s);
    }
    const u = await run(d, '--frobnicate');
    expect(u.code).toBe(2);
    expect(u.stderr).toBe("ddi-lint: unknown option '--frobnicate' (see ddi-lint --help)\n");
    expect((await run(d, '--format')).code).toBe(2);
  });

  it('--help documents every option the parser accepts', () => {
    const help = helpText(fake.rules);
    for (const spec of SPECS) for (const name of spec.names) expect(help).toMatch(new RegExp(`(^|[\\s,])${name.replace(/[-]/g, '\\-')}([\\s,=]|$)`, 'm'));
  });

  it('help lines fit in 80 columns', () => {
    for (const line of helpText(fake.rules).split('\n')) expect(line.length).toBeLessThanOrEqual(80);
  });
});

describe('formats', () => {
  const files = { 'drv/a.c': PROBE_C + UNLOCK_C, 'b.c': CLEAN_C };

  it('stylish (default) lists findings per file with the rule id', async () => {
    const d = project(files);
    const r = await run(d);
    expect(r.stdout).toContain(join(d, 'drv/a.c'));
    expect(r.stdout).toMatch(/2:3\s+warning\s+MmProbeAndLockPages finding\s+mdl-probe-outside-try/);
    expect(r.stdout).toMatch(/5:3\s+error\s+MmUnlockPages finding\s+mdl-unmatched-lock/);
    expect(r.stdout).toMatch(/2 problems \(1 error, 1 warning\)/);
  });

  it('json keeps the ESLint shape with the explanation path and suppressedMessages', async () => {
    const d = project({ 'a.c': `${UNLOCK_C}// ddi-lint-disable-next-line ${PROBE} -- caller probes\nMmProbeAndLockPages(m, KernelMode, IoReadAccess);\n` });
    const r = await run(d, '-f', 'json');
    const [res] = JSON.parse(r.stdout) as LintResult[];
    expect(res).toMatchObject({ filePath: join(d, 'a.c'), errorCount: 1, warningCount: 0, fixableErrorCount: 0, fixableWarningCount: 0, usedDeprecatedRules: [] });
    expect(res!.source).toContain('MmUnlockPages');
    expect(res!.messages[0]!.path).toEqual([
      { line: 1, column: 1, message: 'entry' },
      { line: 2, column: 3, message: 'here' },
    ]);
    expect(res!.suppressedMessages).toHaveLength(1);
    expect(res!.suppressedMessages[0]).toMatchObject({ ruleId: PROBE, line: 5, suppressions: [{ kind: 'directive', justification: 'caller probes' }] });
  });

  it('json omits the source of clean files', async () => {
    const r = await run(project({ 'b.c': CLEAN_C }), '-f', 'json');
    const [res] = JSON.parse(r.stdout) as LintResult[];
    expect(res!.source).toBeUndefined();
    expect(res!.messages).toEqual([]);
  });

  it('unix and visualstudio', async () => {
    const d = project(files);
    const u = await run(d, '-f', 'unix');
    expect(u.stdout).toContain(`${join(d, 'drv/a.c')}:5:3: MmUnlockPages finding [Error/${UNLOCK}]`);
    const v = await run(d, '--format=visualstudio');
    expect(v.stdout).toContain(`${join(d, 'drv/a.c')}(5,3): error ${UNLOCK} : MmUnlockPages finding`);
    expect(v.stdout).toContain(`${join(d, 'drv/a.c')}(2,3): warning ${PROBE} : MmProbeAndLockPages finding`);
  });

  it('junit', async () => {
    const r = await run(project(files), '-f', 'junit');
    expect(r.stdout).toMatch(/^<\?xml/);
    expect(r.stdout).toContain('<testsuite package="org.eslint" time="0" tests="2" errors="2"');
    expect(r.stdout).toContain(`<failure message="MmUnlockPages finding"><![CDATA[line 5, col 3, Error - MmUnlockPages finding (${UNLOCK})]]></failure>`);
  });

  it('codeframe shows the source line', async () => {
    const r = await run(project(files), '-f', 'codeframe');
    expect(r.stdout).toContain(`error: MmUnlockPages finding (${UNLOCK})`);
    expect(r.stdout).toMatch(/> 5 \|\s+MmUnlockPages\(m\);/);
  });

  it('a formatter module given by path, and eslint-formatter-NAME from the cwd', async () => {
    const d = project({
      ...files,
      'fmt/count.mjs': 'export default (results, data) => `files=${results.length} rules=${Object.keys(data.rulesMeta).join(",")}`;',
      'node_modules/eslint-formatter-tally/package.json': '{"name": "eslint-formatter-tally", "main": "index.js"}',
      'node_modules/eslint-formatter-tally/index.js': 'module.exports = (results) => "tally " + results.reduce((n, r) => n + r.messages.length, 0);',
    });
    const p = await run(d, '-f', './fmt/count.mjs');
    expect(p.stdout).toBe(`files=2 rules=${UNLOCK},${PROBE}\n`);
    const t = await run(d, '-f', 'tally');
    expect(t.stdout).toBe('tally 2\n');
    // a user's package does not shadow a built-in format
    mkdirSync(join(d, 'node_modules/eslint-formatter-unix'), { recursive: true });
    writeFileSync(join(d, 'node_modules/eslint-formatter-unix/package.json'), '{"name": "eslint-formatter-unix", "main": "index.js"}');
    writeFileSync(join(d, 'node_modules/eslint-formatter-unix/index.js'), 'module.exports = () => "FAKE";');
    expect((await run(d, '-f', 'unix')).stdout).toContain('[Error/mdl-unmatched-lock]');
    expect((await run(d, '-f', 'eslint-formatter-tally')).stdout).toBe('tally 2\n');
    writeFileSync(join(d, 'fmt/broken.cjs'), 'module.exports = () => { throw new Error("formatter bug"); };');
    const broken = await run(d, '-f', 'fmt/broken.cjs');
    expect(broken.code).toBe(2);
    expect(broken.stderr).toBe("ddi-lint: the 'fmt/broken.cjs' formatter failed: formatter bug\n");
    writeFileSync(join(d, 'fmt/notfn.mjs'), 'export const x = 1;');
    const notfn = await run(d, '-f', 'fmt/notfn.mjs');
    expect(notfn.code).toBe(2);
    expect(notfn.stderr).toContain('fmt/notfn.mjs does not export a formatter function');
    const bad = await run(d, '-f', 'nosuchformat');
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain("unknown format 'nosuchformat'");
    expect(bad.stderr).toContain('eslint-formatter-nosuchformat');
  });

  it('sarif', async () => {
    const d = project({ ...files, 'c.c': `MmUnlockPages(m); // ddi-lint-disable-line ${UNLOCK} -- released by the completion routine\n` });
    const r = await run(d, '-f', 'sarif');
    expect(r.code).toBe(1);
    const log = JSON.parse(r.stdout) as Sarif.Log;
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const run0 = log.runs[0]!;
    expect(run0.tool.driver.name).toBe('ddi-lint');
    expect(run0.tool.driver.rules!.map((x) => x.id)).toEqual([UNLOCK, PROBE]);
    const results = run0.results!;
    expect(results.map((x) => [x.ruleId, x.level, x.locations![0]!.physicalLocation!.artifactLocation!.uri, x.locations![0]!.physicalLocation!.region!.startLine])).toEqual([
      [UNLOCK, 'error', 'c.c', 1],
      [PROBE, 'warning', 'drv/a.c', 2],
      [UNLOCK, 'error', 'drv/a.c', 5],
    ]);
    expect(results[0]!.suppressions).toEqual([{ kind: 'inSource', justification: 'released by the completion routine' }]);
    for (const x of results) expect(run0.tool.driver.rules![x.ruleIndex!]!.id).toBe(x.ruleId);
    expect(run0.originalUriBaseIds!['%SRCROOT%']!.uri).toBe(`file://${d}/`);
    expect(run0.invocations![0]!.commandLine).toBe('ddi-lint -f sarif');
    expect(run0.invocations![0]!.executionSuccessful).toBe(true);
  });

  it('sarif lists skipped files as tool notifications', async () => {
    const d = project({ 'a.c': UNLOCK_C, 'bin.c': Buffer.from([0, 0, 0]), 'empty.c': '' });
    const r = await run(d, '-f', 'sarif', '--rule', `${UNLOCK}:warn`);
    expect(r.code).toBe(0);
    const inv = (JSON.parse(r.stdout) as Sarif.Log).runs[0]!.invocations![0]!;
    expect(inv.commandLine).toBe(`ddi-lint -f sarif --rule ${UNLOCK}:warn`);
    expect(inv.toolExecutionNotifications!.map((x) => [x.level, x.locations![0]!.physicalLocation!.artifactLocation!.uri, x.message.text])).toEqual([
      ['warning', 'bin.c', 'not analyzed: binary file (contains NUL bytes), not C/C++ source'],
      ['note', 'empty.c', 'empty file, nothing to lint'],
    ]);
  });
});

describe('subcommands', () => {
  it('a subcommand gets the rest of argv and an io usable as functions or streams; its result is the exit code', async () => {
    const d = project({ 'sub.mjs': 'export async function run(argv, io) { io.stdout(`args=${argv.join(",")}\\n`); io.stderr.write(`cwd=${io.cwd}\\n`); return 3; }' });
    SUBCOMMANDS['echo-test'] = { module: pathToFileURL(join(d, 'sub.mjs')).href, fn: 'run', summary: 'test' };
    SUBCOMMANDS['missing-test'] = { module: pathToFileURL(join(d, 'nope.mjs')).href, fn: 'run', summary: 'test' };
    SUBCOMMANDS['nofn-test'] = { module: pathToFileURL(join(d, 'sub.mjs')).href, fn: 'other', summary: 'test' };
    try {
      const r = await run(d, 'echo-test', '--format', 'x', 'a.c');
      expect(r).toMatchObject({ code: 3, stdout: 'args=--format,x,a.c\n', stderr: `cwd=${d}\n` });
      const m = await run(d, 'missing-test');
      expect(m.code).toBe(2);
      expect(m.stderr).toMatch(/^ddi-lint: the 'missing-test' command is not available in this build/);
      const f = await run(d, 'nofn-test');
      expect(f.code).toBe(2);
      expect(f.stderr).toContain('does not export other()');
      // any other first argument is a path; a file named explicitly is linted whatever its extension
      expect((await run(d, 'sub.mjs')).linted).toEqual(['sub.mjs']);
    } finally {
      delete SUBCOMMANDS['echo-test'];
      delete SUBCOMMANDS['missing-test'];
      delete SUBCOMMANDS['nofn-test'];
    }
  });

  it('simulate is registered and points at src/sim/cli.ts runSimulateCommand', () => {
    expect(SUBCOMMANDS.simulate).toMatchObject({ module: '../sim/cli.js', fn: 'runSimulateCommand' });
  });
});
