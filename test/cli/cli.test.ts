/**
 * End to end: spawns the built command (`node bin/ddi-lint.js`, compiled from src/ by tsc) on small
 * driver sources in temporary directories, with the real linter and rules.
 */
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type * as Sarif from 'sarif';
import type { LintResult } from '../../src/lint/types.js';
import { allRules } from '../../rules/index.js';

const REPO = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const BIN = join(REPO, 'bin', 'ddi-lint.js');
const MAIN = join(REPO, 'dist', 'src', 'cli', 'main.js');

function newestSource(dir: string): number {
  let newest = 0;
  for (const ent of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, ent.name);
    if (ent.isDirectory()) newest = Math.max(newest, newestSource(p));
    else if (ent.name.endsWith('.ts')) newest = Math.max(newest, statSync(p).mtimeMs);
  }
  return newest;
}

beforeAll(() => {
  // `npm test` compiles first; when this file runs alone, compile if dist/ is missing or stale.
  let built = 0;
  try {
    built = statSync(MAIN).mtimeMs;
  } catch {
    built = 0;
  }
  if (built < Math.max(newestSource(join(REPO, 'src')), newestSource(join(REPO, 'rules')))) {
    spawnSync(process.execPath, [join(REPO, 'node_modules', 'typescript', 'bin', 'tsc'), '-p', REPO], { stdio: 'ignore' });
  }
  statSync(MAIN); // fails the suite clearly if the build produced nothing
}, 120_000);

const root = mkdtempSync(join(tmpdir(), 'ddi-cli-'));
chmodSync(root, 0o755);
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function project(files: Record<string, string | Buffer>): string {
  const d = join(root, `p${n++}`);
  mkdirSync(d, { recursive: true });
  chmodSync(d, 0o755);
  for (const [rel, content] of Object.entries(files)) {
    const p = join(d, rel);
    mkdirSync(dirname(p), { recursive: true });
    writeFileSync(p, content);
  }
  return d;
}

function ddiLint(cwd: string, args: string[], extra: SpawnSyncOptions = {}) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd, encoding: 'utf8', env: { ...process.env, FORCE_COLOR: '0' }, ...extra });
  return { code: r.status, stdout: String(r.stdout), stderr: String(r.stderr) };
}

// --- driver sources -------------------------------------------------------------------------------

/** Probe outside any __try (line 15). */
const PROBE_OUTSIDE_TRY = `#include <ntddk.h>

NTSTATUS
ReadUserBuffer(
    _In_ PVOID UserBuffer,
    _In_ ULONG Length
    )
{
    PMDL mdl;

    mdl = IoAllocateMdl(UserBuffer, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return STATUS_SUCCESS;
}
`;
const PROBE_LINE = 15;

/** Locked MDL leaked on the early return at line 14 (locked at line 9). */
const LEAK_ON_ERROR = `NTSTATUS
LockAndSend(PDEVICE_EXTENSION Ext, PVOID Buffer, ULONG Length)
{
    NTSTATUS status;
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    if (!mdl) return STATUS_INSUFFICIENT_RESOURCES;

    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        IoFreeMdl(mdl);
        return GetExceptionCode();
    }
    status = SendToHardware(Ext, Length); if (!NT_SUCCESS(status)) { return status; }
    MmUnlockPages(mdl);
    IoFreeMdl(mdl);
    return status;
}
`;
const LEAK_LINE = 14;

/** Correct: probe in __try/__except, flag variable, cleanup label. */
const CORRECT = `NTSTATUS
CopyFromUser(PVOID Buffer, ULONG Length)
{
    NTSTATUS status = STATUS_SUCCESS;
    BOOLEAN locked = FALSE;
    PMDL mdl = IoAllocateMdl(Buffer, Length, FALSE, FALSE, NULL);
    if (mdl == NULL) {
        return STATUS_INSUFFICIENT_RESOURCES;
    }
    __try {
        MmProbeAndLockPages(mdl, UserMode, IoReadAccess);
        locked = TRUE;
    } __except (EXCEPTION_EXECUTE_HANDLER) {
        status = GetExceptionCode();
        goto Cleanup;
    }
    DoWork(MmGetSystemAddressForMdlSafe(mdl, NormalPagePriority));
Cleanup:
    if (locked) {
        MmUnlockPages(mdl);
    }
    IoFreeMdl(mdl);
    return status;
}
`;

const PROBE = 'mdl-probe-outside-try';
const LOCK = 'mdl-unmatched-lock';

function json(stdout: string): LintResult[] {
  return JSON.parse(stdout) as LintResult[];
}
function findings(stdout: string, base: string): string[] {
  return json(stdout)
    .flatMap((r) => r.messages.map((m) => `${r.filePath.slice(base.length + 1)}:${m.line}:${m.ruleId}`))
    .sort();
}

describe('ddi-lint (built command)', () => {
  it('lints a tree with the default stylish format; exit 1 on errors', () => {
    const d = project({ 'drv/read.c': PROBE_OUTSIDE_TRY, 'drv/send.cpp': LEAK_ON_ERROR, 'drv/good.c': CORRECT, 'README.txt': 'MmProbeAndLockPages' });
    const r = ddiLint(d, []);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('');
    expect(r.stdout).toContain(join(d, 'drv/read.c'));
    expect(r.stdout).toMatch(new RegExp(`${PROBE_LINE}:5\\s+error\\s+MmProbeAndLockPages.*${PROBE}`));
    expect(r.stdout).toMatch(new RegExp(`${LEAK_LINE}:\\d+\\s+error\\s+MDL 'mdl' locked at line 9 .*${LOCK}`));
    expect(r.stdout).not.toContain('good.c');
    expect(r.stdout).toMatch(/2 problems \(2 errors, 0 warnings\)/);
  });

  it('exit 0 and no output on correct code', () => {
    const r = ddiLint(project({ 'good.c': CORRECT }), ['.']);
    expect(r).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('json: ESLint results with the explanation path', () => {
    const d = project({ 'send.c': LEAK_ON_ERROR });
    const r = ddiLint(d, ['-f', 'json']);
    const [res] = json(r.stdout);
    expect(res).toMatchObject({ filePath: join(d, 'send.c'), errorCount: 1, warningCount: 0, fatalErrorCount: 0, suppressedMessages: [] });
    const m = res!.messages[0]!;
    expect(m).toMatchObject({ ruleId: LOCK, severity: 2, line: LEAK_LINE, function: 'LockAndSend' });
    expect(m.path!.length).toBeGreaterThanOrEqual(2);
    expect(m.path![0]!.line).toBe(9);
    expect(m.path![m.path!.length - 1]!.line).toBe(LEAK_LINE);
    expect(res!.source).toBe(LEAK_ON_ERROR);
  });

  it('unix, visualstudio, junit and codeframe', () => {
    const d = project({ 'read.c': PROBE_OUTSIDE_TRY });
    const file = join(d, 'read.c');
    expect(ddiLint(d, ['-f', 'unix']).stdout).toMatch(new RegExp(`^${file}:${PROBE_LINE}:5: MmProbeAndLockPages .*\\[Error/${PROBE}\\]$`, 'm'));
    const vs = ddiLint(d, ['--format', 'visualstudio']);
    expect(vs.code).toBe(1);
    expect(vs.stdout).toMatch(new RegExp(`^${file}\\(${PROBE_LINE},5\\): error ${PROBE} : MmProbeAndLockPages`, 'm'));
    const ju = ddiLint(d, ['-f', 'junit']);
    expect(ju.stdout).toMatch(/^<\?xml version="1.0" encoding="utf-8"\?>/);
    expect(ju.stdout).toContain(`<testsuite package="org.eslint" time="0" tests="1" errors="1" name="${file}">`);
    const cf = ddiLint(d, ['-f', 'codeframe']);
    expect(cf.stdout).toContain(`(${PROBE}) at read.c:${PROBE_LINE}:5:`);
    expect(cf.stdout).toContain(`> ${PROBE_LINE} |     MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);`);
  });

  it('sarif: one run, rules referenced by index, repo-relative URIs, code flows, fingerprints', () => {
    const d = project({ 'src/read.c': PROBE_OUTSIDE_TRY, 'src/send.c': LEAK_ON_ERROR });
    const r = ddiLint(d, ['-f', 'sarif', '-o', 'out/ddi.sarif']);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    const log = JSON.parse(readFileSync(join(d, 'out/ddi.sarif'), 'utf8')) as Sarif.Log;
    expect(log.version).toBe('2.1.0');
    expect(log.runs).toHaveLength(1);
    const run = log.runs[0]!;
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(run.tool.driver).toMatchObject({ name: 'ddi-lint', version: pkg.version });
    expect(run.tool.driver.rules!.map((x) => x.id)).toEqual(allRules.map((x) => x.meta.id));
    for (const rule of run.tool.driver.rules!) {
      const meta = allRules.find((x) => x.meta.id === rule.id)!.meta;
      expect(rule.helpUri).toBe(meta.docs.url);
      expect(rule.shortDescription!.text).toBe(meta.docs.description);
    }
    const results = run.results!;
    expect(results.map((x) => [x.ruleId, x.locations![0]!.physicalLocation!.artifactLocation!.uri, x.locations![0]!.physicalLocation!.region!.startLine])).toEqual([
      [PROBE, 'src/read.c', PROBE_LINE],
      [LOCK, 'src/send.c', LEAK_LINE],
    ]);
    for (const x of results) {
      expect(run.tool.driver.rules![x.ruleIndex!]!.id).toBe(x.ruleId);
      expect(x.locations![0]!.physicalLocation!.artifactLocation!.uriBaseId).toBe('%SRCROOT%');
      expect(Object.values(x.partialFingerprints!)[0]).toMatch(/^[0-9a-f]{32}:0$/);
    }
    const flow = results[1]!.codeFlows![0]!.threadFlows[0]!.locations;
    expect(flow[0]!.location!.physicalLocation!.region!.startLine).toBe(9);
    expect(flow.at(-1)!.location!.physicalLocation!.region!.startLine).toBe(LEAK_LINE);
    expect(run.invocations![0]!.executionSuccessful).toBe(true);
  });

  it('sarif fingerprints do not change when lines are inserted above the finding', () => {
    const d = project({ 'read.c': PROBE_OUTSIDE_TRY });
    const fp = () => (JSON.parse(ddiLint(d, ['-f', 'sarif']).stdout) as Sarif.Log).runs[0]!.results![0]!.partialFingerprints;
    const before = fp();
    writeFileSync(join(d, 'read.c'), `// Copyright notice\n// added later\n${PROBE_OUTSIDE_TRY}`);
    expect(fp()).toEqual(before);
  });

  it('inline suppressions move findings to suppressedMessages (json) and suppressed results (sarif)', () => {
    const src = PROBE_OUTSIDE_TRY.replace(
      '    MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);',
      `    // ddi-lint-disable-next-line ${PROBE} -- UserBuffer was validated by the caller's __try\n    MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);`,
    );
    const d = project({ 'read.c': src, 'send.c': `/* ddi-lint-disable ${LOCK} */\n${LEAK_ON_ERROR}/* ddi-lint-enable ${LOCK} */\n` });
    const r = ddiLint(d, ['-f', 'json']);
    expect(r.code).toBe(0);
    const res = json(r.stdout);
    expect(res.flatMap((x) => x.messages)).toEqual([]);
    const sup = res.flatMap((x) => x.suppressedMessages);
    expect(sup.map((m) => [m.ruleId, m.line, m.suppressions])).toEqual([
      [PROBE, PROBE_LINE + 1, [{ kind: 'directive', justification: "UserBuffer was validated by the caller's __try" }]],
      [LOCK, LEAK_LINE + 1, [{ kind: 'directive', justification: '' }]],
    ]);
    const s = JSON.parse(ddiLint(d, ['-f', 'sarif']).stdout) as Sarif.Log;
    expect(s.runs[0]!.results!.map((x) => x.suppressions)).toEqual([[{ kind: 'inSource', justification: "UserBuffer was validated by the caller's __try" }], [{ kind: 'inSource' }]]);
    // stylish shows nothing for suppressed findings
    expect(ddiLint(d, []).stdout).toBe('');
  });

  it('Code Analysis pragmas suppress the rules mapped to the warning number', () => {
    const meta = allRules.find((r) => r.meta.id === PROBE)!.meta;
    expect(meta.caWarnings).toContain(28125);
    const src = PROBE_OUTSIDE_TRY.replace(
      '    MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);',
      '#pragma warning(suppress: 28125) // the I/O manager probed this buffer\n    MmProbeAndLockPages(mdl, UserMode, IoWriteAccess);',
    );
    const d = project({ 'read.c': src, 'other.c': `#pragma warning(suppress: 6001)\n${PROBE_OUTSIDE_TRY}` });
    const r = ddiLint(d, ['-f', 'json']);
    const res = json(r.stdout);
    const read = res.find((x) => x.filePath.endsWith('read.c'))!;
    expect(read.messages).toEqual([]);
    expect(read.suppressedMessages.map((m) => [m.ruleId, m.line, m.suppressions])).toEqual([[PROBE, PROBE_LINE + 1, [{ kind: 'directive', justification: 'the I/O manager probed this buffer' }]]]);
    // another warning number does not suppress
    expect(res.find((x) => x.filePath.endsWith('other.c'))!.messages.map((m) => m.ruleId)).toEqual([PROBE]);
  });

  it('config file: severities, ignorePatterns, --max-warnings, --quiet, --rule', () => {
    const d = project({
      'ddi-lint.config.json': JSON.stringify({ root: true, rules: { [PROBE]: 'warn' }, ignorePatterns: ['generated/'] }),
      'read.c': PROBE_OUTSIDE_TRY,
      'generated/send.c': LEAK_ON_ERROR,
    });
    const r = ddiLint(d, ['-f', 'json']);
    expect(r.code).toBe(0);
    expect(findings(r.stdout, d)).toEqual([`read.c:${PROBE_LINE}:${PROBE}`]);
    expect(json(r.stdout)[0]!.messages[0]!.severity).toBe(1);
    const mw = ddiLint(d, ['--max-warnings', '0']);
    expect(mw.code).toBe(1);
    expect(mw.stderr).toContain('ddi-lint found too many warnings (maximum: 0, found: 1).');
    expect(ddiLint(d, ['--quiet'])).toEqual({ code: 0, stdout: '', stderr: '' });
    expect(ddiLint(d, ['--rule', `${PROBE}:error`]).code).toBe(1);
    expect(ddiLint(d, ['--no-ignore', '--rule', `${PROBE}:off`, '-f', 'json']).stdout).toContain(LOCK);
    const pc = JSON.parse(ddiLint(d, ['--print-config', 'generated/send.c']).stdout);
    expect(pc.ignored).toBe(true);
    expect(pc.rules[PROBE]).toEqual(['warn', {}]);
    expect(pc.rules[LOCK][0]).toBe('error');
  });

  it('config errors name the file and the key, exit 2', () => {
    const d = project({ 'ddi-lint.config.json': JSON.stringify({ root: true, rules: { [LOCK]: ['error', { maxPaths: 3 }] } }), 'read.c': PROBE_OUTSIDE_TRY });
    const r = ddiLint(d, []);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`ddi-lint: configuration error in ddi-lint.config.json: rules.${LOCK}[1]: invalid option: unknown option 'maxPaths'\n`);
    writeFileSync(join(d, 'ddi-lint.config.json'), '{"rules": {"mdl-probe-outside-tyr": "off"}}');
    const u = ddiLint(d, []);
    expect(u.code).toBe(2);
    expect(u.stderr).toContain("rules.mdl-probe-outside-tyr: unknown rule 'mdl-probe-outside-tyr'");
    writeFileSync(join(d, 'ddi-lint.config.json'), '{ rules: {} }');
    expect(ddiLint(d, []).stderr).toMatch(/^ddi-lint: configuration error in ddi-lint.config.json: not valid JSON/);
  });

  it('.gitignore is honoured, nested ones too', () => {
    const d = project({
      '.gitignore': 'build/\n',
      'build/x.c': PROBE_OUTSIDE_TRY,
      'drv/.gitignore': '*.tmp.c\n',
      'drv/a.tmp.c': PROBE_OUTSIDE_TRY,
      'drv/read.c': PROBE_OUTSIDE_TRY,
    });
    mkdirSync(join(d, '.git'));
    expect(findings(ddiLint(d, ['-f', 'json']).stdout, d)).toEqual([`drv/read.c:${PROBE_LINE}:${PROBE}`]);
    expect(findings(ddiLint(d, ['-f', 'json', '--no-ignore']).stdout, d)).toHaveLength(3);
  });

  it('globs are expanded by ddi-lint', () => {
    const d = project({ 'a/read.c': PROBE_OUTSIDE_TRY, 'b/read.cpp': PROBE_OUTSIDE_TRY, 'b/good.c': CORRECT });
    expect(findings(ddiLint(d, ['-f', 'json', '**/*.cpp']).stdout, d)).toEqual([`b/read.cpp:${PROBE_LINE}:${PROBE}`]);
  });

  it('bad input: binary and empty files are named on stderr and skipped; UTF-16 with BOM and Windows-1252 are linted', () => {
    const d = project({
      'drv/blob.c': Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0x02, 0x01, 0x00, 0x00]),
      'drv/cp1252.c': Buffer.concat([Buffer.from('// Gr'), Buffer.from([0xfc]), Buffer.from('\xdfe\nint x;\n', 'latin1')]),
      'drv/empty.h': '',
      'drv/wide.c': Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(PROBE_OUTSIDE_TRY.replace(/\n/g, '\r\n'), 'utf16le')]),
    });
    const r = ddiLint(d, ['-f', 'json']);
    expect(r.stderr.split('\n').filter(Boolean).sort()).toEqual([
      'ddi-lint: drv/blob.c: binary file (contains NUL bytes), not C/C++ source; skipped',
      'ddi-lint: drv/empty.h: empty file, nothing to lint',
    ]);
    expect(findings(r.stdout, d)).toEqual([`drv/wide.c:${PROBE_LINE}:${PROBE}`]);
    expect(json(r.stdout).find((x) => x.filePath.endsWith('cp1252.c'))!.messages).toEqual([]);
    // refused when the run says its sources are UTF-8
    const strict = ddiLint(d, ['-f', 'json', '--source-charset', 'utf-8']);
    expect(strict.stderr).toMatch(/^ddi-lint: drv\/cp1252\.c: not valid UTF-8 text \(invalid byte 0xfc at offset 5, line 1\); .*--source-charset; skipped$/m);
    expect(ddiLint(d, ['--source-charset', 'klingon'])).toMatchObject({ code: 2, stderr: expect.stringMatching(/--source-charset: unknown code page 'klingon'/) });
    expect(json(r.stdout).find((x) => x.filePath.endsWith('wide.c'))!.messages[0]!.column).toBe(5);
    expect(r.code).toBe(1);
  });

  it('a missing path: named on stderr, other paths linted, exit 2', () => {
    const d = project({ 'read.c': PROBE_OUTSIDE_TRY });
    const r = ddiLint(d, ['read.c', 'missing.c']);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe('ddi-lint: missing.c: no such file or directory\n');
    expect(r.stdout).toContain(PROBE);
  });

  it('an unreadable file or directory is named and skipped (run as an unprivileged user when root)', (ctx) => {
    const d = project({ 'read.c': PROBE_OUTSIDE_TRY, 'secret.c': CORRECT, 'locked/x.c': CORRECT });
    // root reads every file whatever its mode: run the command as 'nobody' (uid 65534) then.
    const asUser = process.getuid?.() === 0 ? { uid: 65534, gid: 65534 } : {};
    if (process.getuid?.() === 0) {
      const probe = ddiLint(d, ['--version'], asUser);
      ctx.skip(probe.code !== 0, `running as root and user 'nobody' cannot run ddi-lint from ${REPO} (${probe.stderr.trim().split('\n')[0]}), so no user is denied read access`);
    }
    chmodSync(join(d, 'secret.c'), 0o000);
    chmodSync(join(d, 'locked'), 0o000);
    const r = ddiLint(d, [], asUser);
    chmodSync(join(d, 'locked'), 0o755);
    expect(r.stderr.split('\n').filter(Boolean).sort()).toEqual([
      'ddi-lint: locked: cannot read directory: permission denied (file is not readable)',
      'ddi-lint: secret.c: permission denied (file is not readable); skipped',
    ]);
    expect(r.stdout).toContain(join(d, 'read.c'));
    expect(r.code).toBe(1);
  });

  it('runs in a worker thread (src/cli/launch.ts) with the output, exit code and messages of a run on the main thread', () => {
    const d = project({
      'drv/read.c': PROBE_OUTSIDE_TRY,
      'drv/send.cpp': LEAK_ON_ERROR,
      'drv/good.c': CORRECT,
      'drv/empty.c': '',
      'drv/latin1.c': Buffer.from([...Buffer.from('// caf'), 0xe9, ...Buffer.from('\nint x;\n')]),
      'drv/utf16.c': Buffer.from(`\ufeff${PROBE_OUTSIDE_TRY.replace(/\n/g, '\r\n')}`, 'utf16le'),
    });
    const onMain = { env: { ...process.env, FORCE_COLOR: '0', DDI_LINT_NO_WORKER: '1' } };
    for (const args of [[], ['-f', 'json'], ['-f', 'codeframe'], ['-f', 'sarif', '--threads', '2'], ['--max-warnings'], ['drv/good.c'], ['--version']]) {
      const inWorker = ddiLint(d, args);
      expect(inWorker, args.join(' ')).toEqual(ddiLint(d, args, onMain));
      expect(inWorker.stderr, args.join(' ')).not.toContain('internal error');
    }
  });

  /** 40 files of 10 functions with a finding each: a JSON report (with the sources) of about 600 KB, in about ten batches. */
  const manyFiles = () =>
    Object.fromEntries(
      Array.from({ length: 40 }, (_, f) => [
        `drv/f${String(f).padStart(2, '0')}.c`,
        Array.from({ length: 10 }, (_, k) => PROBE_OUTSIDE_TRY.replace('ReadUserBuffer', `ReadUserBuffer${f}x${k}`)).join('\n'),
      ]),
    );

  it('a large report (JSON, SARIF) leaves the worker in batches that wait to be written: the same bytes as on the main thread', () => {
    const d = project(manyFiles());
    const onMain = { env: { ...process.env, FORCE_COLOR: '0', DDI_LINT_NO_WORKER: '1' } };
    for (const args of [['-f', 'json'], ['-f', 'sarif']]) {
      // (a write that is never acknowledged would leave the command waiting: killed, it has no exit code)
      const inWorker = ddiLint(d, args, { timeout: 60_000 });
      expect(inWorker.stdout.length, args.join(' ')).toBeGreaterThan(4 * 64 * 1024);
      expect(inWorker.code).toBe(1);
      expect(inWorker, args.join(' ')).toEqual(ddiLint(d, args, onMain));
    }
    const json = JSON.parse(ddiLint(d, ['-f', 'json']).stdout) as { messages: unknown[] }[];
    expect(json.map((r) => r.messages.length)).toEqual(Array(40).fill(10));
  });

  it('a reader that goes away in the middle of a large report: no error, no wait, and the exit code of the run', async () => {
    const d = project(manyFiles());
    const child = spawn(process.execPath, [BIN, '-f', 'json'], { cwd: d, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    let read = 0;
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // (reads the first batch, then goes)
    child.stdout.on('data', (c: Buffer) => {
      read += c.length;
      child.stdout.destroy();
    });
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(read).toBeGreaterThan(0);
    expect(stderr).toBe('');
    expect(code).toBe(1);
  });

  it('a reader that goes away (`ddi-lint | head`): no error, and the exit code of the run', async () => {
    const d = project({ 'read.c': PROBE_OUTSIDE_TRY });
    const child = spawn(process.execPath, [BIN, '-f', 'unix'], { cwd: d, env: { ...process.env, FORCE_COLOR: '0' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    // (gone before the report is written: writing it fails)
    child.stdout.destroy();
    const code = await new Promise<number | null>((done) => child.on('close', done));
    expect(stderr).toBe('');
    expect(code).toBe(1);
  });

  it('--version and --help', () => {
    const d = project({});
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(ddiLint(d, ['--version'])).toEqual({ code: 0, stdout: `ddi-lint ${pkg.version}\n`, stderr: '' });
    const h = ddiLint(d, ['--help']);
    expect(h.code).toBe(0);
    for (const r of allRules) {
      expect(h.stdout).toContain(r.meta.id);
      // descriptions are wrapped: compare word sequences
      expect(h.stdout.replace(/\s+/g, ' ')).toContain(r.meta.docs.description.replace(/\s+/g, ' '));
    }
  });

  it('--color forces ANSI colors in stylish output, --no-color removes them', () => {
    const d = project({ 'read.c': PROBE_OUTSIDE_TRY });
    expect(ddiLint(d, ['--color']).stdout).toContain('\u001b[');
    expect(ddiLint(d, ['--no-color'], { env: { ...process.env, FORCE_COLOR: '1' } }).stdout).not.toContain('\u001b[');
  });

  it('usage errors exit 2', () => {
    const d = project({ 'read.c': PROBE_OUTSIDE_TRY });
    expect(ddiLint(d, ['--max-warnings']).code).toBe(2);
    expect(ddiLint(d, ['-f', 'nope']).code).toBe(2);
    expect(ddiLint(d, ['--rule', 'nope:off']).code).toBe(2);
  });

  it('simulate is delegated to the simulator command (or reported as missing)', () => {
    const r = ddiLint(project({}), ['simulate', '--help']);
    const simBuilt = (() => {
      try {
        statSync(join(REPO, 'dist', 'src', 'sim', 'cli.js'));
        return true;
      } catch {
        return false;
      }
    })();
    if (!simBuilt) {
      expect(r.code).toBe(2);
      expect(r.stderr).toContain("ddi-lint: the 'simulate' command is not available in this build");
    } else {
      expect(r.stderr).not.toContain('internal error');
      expect(r.stdout + r.stderr).toContain('ddi-lint simulate');
    }
  });

  it('`npx ddi-lint` in the repository runs this package', () => {
    const r = spawnSync('npx', ['--no-install', 'ddi-lint', '--version'], { cwd: REPO, encoding: 'utf8' });
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(r.stdout).toBe(`ddi-lint ${pkg.version}\n`);
    expect(r.status).toBe(0);
  });
});
