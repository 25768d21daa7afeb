/**
 * `--threads N` runs the built command (the workers load dist/src/cli/worker.js): its output is that of
 * one thread, byte for byte, on the bundled fixtures (cross-file programs included).
 */
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateCorpus } from '../../src/bench/corpus.js';

const ROOT = new URL('../..', import.meta.url).pathname;
const BIN = `${ROOT}bin/ddi-lint.js`;

function lint(...args: string[]): { code: number | null; out: string; err: string } {
  return lintWith({}, ...args);
}
function lintWith(env: Record<string, string>, ...args: string[]): { code: number | null; out: string; err: string } {
  const target = args[0]?.startsWith('/') ? args.shift()! : 'fixtures/';
  const r = spawnSync(process.execPath, [BIN, target, '--format', 'json', ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, env: { ...process.env, ...env }, timeout: 60000 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

/** Run `fn` with a fresh temporary directory, removed afterwards. */
function inTempDir(fn: (dir: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'ddi-lint-threads-'));
  try {
    fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The fixtures' cross-file programs, each file in a directory of its own (so that different threads parse a helper and its callers). */
function splitCrossFileFixtures(dir: string): number {
  let k = 0;
  for (const rule of readdirSync(`${ROOT}fixtures`)) {
    for (const f of readdirSync(`${ROOT}fixtures/${rule}`)) {
      if (!/^(cross-file-|helpers)/.test(f)) continue;
      const sub = join(dir, `d${k++}`);
      mkdirSync(sub);
      copyFileSync(`${ROOT}fixtures/${rule}/${f}`, join(sub, `${rule}-${f}`));
    }
  }
  return k;
}

describe('--threads', () => {
  it('3 threads give the same results as 1', () => {
    const one = lint('--threads', '1');
    const three = lint('--threads', '3');
    expect(one.code).toBe(1);
    expect(three.code).toBe(one.code);
    expect(three.err).not.toContain('worker threads');
    expect(three.out).toBe(one.out);
    expect((JSON.parse(one.out) as { messages: unknown[] }[]).reduce((k, r) => k + r.messages.length, 0)).toBeGreaterThan(400);
  });
  it('2 threads give the same results as 1 on a generated 3 MB driver tree (cross-file helpers and callers)', () => {
    inTempDir((dir) => {
      generateCorpus(dir, 1, 3 * 1024 * 1024);
      const one = lint(dir, '--threads', '1');
      const two = lint(dir, '--threads', '2');
      expect(two.err).not.toContain('worker threads');
      expect(two.out).toBe(one.out);
      expect((JSON.parse(one.out) as { messages: unknown[] }[]).reduce((k, r) => k + r.messages.length, 0)).toBeGreaterThan(20);
    });
  }, 120000);
  it('2 threads give the same results as 1 when a helper and its callers are parsed by different threads', () => {
    // each file of the fixtures' cross-file programs in a directory of its own: the pool shares
    // directories out whole, so the helpers and their callers land on different threads, which hand
    // their files to each other (src/analysis/transfer.ts)
    inTempDir((dir) => {
      expect(splitCrossFileFixtures(dir)).toBeGreaterThan(8);
      const one = lint(dir, '--threads', '1');
      const two = lint(dir, '--threads', '2');
      expect(two.err).not.toContain('worker threads');
      expect(two.out).toBe(one.out);
      const found = JSON.parse(one.out) as { filePath: string; messages: { ruleId: string }[] }[];
      // findings that need the other file: the callers' files have them
      expect(found.filter((r) => /callers|dpc/.test(r.filePath)).reduce((n, r) => n + r.messages.length, 0)).toBeGreaterThan(5);
    });
  }, 60000);
  it('--summaries: the workers, each computing the summaries of its own files, report the figures of one thread', () => {
    inTempDir((dir) => {
      splitCrossFileFixtures(dir);
      const sum = join(dir, 'summaries.json');
      const w = spawnSync(process.execPath, [BIN, 'summarize', dir, '--out', sum], { cwd: ROOT, encoding: 'utf8' });
      expect(w.status).toBe(0);
      // an edit that moves the functions of every other file: those and their callers are computed again
      const dirs = readdirSync(dir).filter((d) => !d.endsWith('.json'));
      for (const d of dirs.filter((_, k) => k % 2 === 0)) {
        for (const f of readdirSync(join(dir, d))) writeFileSync(join(dir, d, f), `/* moved */\n${readFileSync(join(dir, d, f), 'utf8')}`);
      }
      const one = lint(dir, '--threads', '1', '--summaries', sum);
      const three = lint(dir, '--threads', '3', '--summaries', sum);
      const figures = /--summaries \S+: ([1-9]\d*) helper summaries reused, ([1-9]\d*) computed/;
      expect(one.err).toMatch(figures);
      expect(three.err).toBe(one.err);
      expect(three.out).toBe(one.out);
    });
  }, 60000);
  it('a recursive group summarized by another worker: the handler its callee reaches is found as on one thread (found in review)', () => {
    // R2 calls R1 (which raises) inside __try at DISPATCH_LEVEL; the handler calls YWrite in b.c. The
    // worker linting b.c does not summarize {R1, R2}: it found the handler reachable where one thread,
    // which kept R2's CFG from before R1 was known to raise, did not
    inTempDir((dir) => {
      mkdirSync(join(dir, 'a'));
      mkdirSync(join(dir, 'b'));
      writeFileSync(join(dir, 'a', 'a.c'), '#include <ntddk.h>\nNTSTATUS YWrite(HANDLE h);\nVOID R2(PMDL Mdl, HANDLE h, int n);\nVOID R1(PMDL Mdl, int n)\n{\n    MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);\n    if (n > 0) R2(Mdl, NULL, n - 1);\n    MmUnlockPages(Mdl);\n}\nVOID R2(PMDL Mdl, HANDLE h, int n)\n{\n    KIRQL old;\n    KeRaiseIrql(DISPATCH_LEVEL, &old);\n    __try { R1(Mdl, n); } __except (EXCEPTION_EXECUTE_HANDLER) { YWrite(h); }\n    KeLowerIrql(old);\n}\nDRIVER_DISPATCH Dispatch;\nNTSTATUS Dispatch(PDEVICE_OBJECT d, PIRP Irp) { R2(Irp->MdlAddress, NULL, 3); return 0; }\n');
      writeFileSync(join(dir, 'b', 'b.c'), '#include <ntddk.h>\nNTSTATUS YWrite(HANDLE h)\n{\n    IO_STATUS_BLOCK iosb;\n    return ZwWriteFile(h, NULL, NULL, NULL, &iosb, NULL, 0, NULL, NULL);\n}\n');
      const one = lint(dir, '--threads', '1');
      for (const n of ['2', '3']) expect(lint(dir, '--threads', n).out, n).toBe(one.out);
      expect(one.out).toContain('irql-too-high');
    });
  }, 60000);
  it('a worker that cannot start or exits in any phase leaves its files to the main thread: same output, and the run ends', () => {
    inTempDir((dir) => {
      splitCrossFileFixtures(dir);
      const one = lint(dir, '--threads', '1');
      expect(one.code).toBe(1);
      for (const fault of ['start:1', 'parse:0', 'pack:1', 'lint:2', 'summaries:1', 'result:0']) {
        const r = lintWith({ DDI_LINT_WORKER_FAULT: fault }, dir, '--threads', '3');
        expect(r.code, fault).toBe(one.code); // (null if it had to be killed: a worker left running)
        expect(r.out, fault).toBe(one.out);
        expect(r.err, fault).toMatch(/worker threads (could not parse the program|failed)/);
      }
    });
  }, 120000);
  it('a function at the depth guard is analyzed in a worker as on one thread (the same stack size), one past it is not', () => {
    // a chain of 590 commas: a syntax tree about as deep as the guard allows (src/parse/depth.ts), which
    // takes most of the stack of the main thread; the workers get the same stack (a smaller one would
    // fail on it, and Node's default 4 MiB once let workers analyse what one thread could not)
    inTempDir((dir) => {
      const chain = (n: number) => `(${Array.from({ length: n }, (_, k) => `a${k}`).join(', ')})`;
      writeFileSync(join(dir, 'a.c'), `#include <wdm.h>\nvoid F(PMDL Mdl) {\n  int y = ${chain(590)};\n  MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);\n}\n`);
      writeFileSync(join(dir, 'b.c'), `#include <wdm.h>\nvoid G(PMDL Mdl) {\n  int y = ${chain(1200)};\n  MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);\n}\n`);
      const one = lint(dir, '--threads', '1');
      const two = lint(dir, '--threads', '2');
      expect(two.err).not.toContain('worker threads');
      expect(two.out).toBe(one.out);
      const messages = (JSON.parse(one.out) as { messages: { ruleId: string | null; message: string }[] }[]).flatMap((r) => r.messages);
      expect(messages.map((m) => m.ruleId ?? m.message.replace(/\d+ levels/, 'N levels'))).toEqual(['mdl-probe-outside-try', "function 'G' has a syntax tree N levels deep (more than 600): not analyzed"]);
    });
  }, 60000);
  it('bad inputs give the same output, messages and exit code with 2 threads as with 1', () => {
    inTempDir((dir) => {
      const src = readFileSync(`${ROOT}fixtures/mdl-unmatched-lock/helpers.c`, 'utf8');
      writeFileSync(join(dir, 'binary.c'), Buffer.from([0x7f, 0x45, 0x4c, 0x46, 0, 1, 2, 3, 0, 0xff]));
      writeFileSync(join(dir, 'empty.c'), '');
      writeFileSync(join(dir, 'blank.c'), '  \n\n');
      writeFileSync(join(dir, 'utf16.c'), Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(src, 'utf16le')]));
      writeFileSync(join(dir, 'crlf.c'), src.replace(/\n/g, '\r\n'));
      writeFileSync(join(dir, 'truncated.c'), src.slice(0, src.length >> 1));
      writeFileSync(join(dir, 'latin1.c'), Buffer.from('/* caf\xe9 */ void G(void) {}\n', 'latin1'));
      writeFileSync(join(dir, 'deep.c'), `void F(PMDL m) {${'{'.repeat(10000)}MmProbeAndLockPages(m, KernelMode, IoReadAccess);${'}'.repeat(10000)}}\n`);
      writeFileSync(join(dir, 'helpers.c'), src);
      const one = lint(dir, '--threads', '1');
      const two = lint(dir, '--threads', '2');
      expect(one.code).toBe(2); // files that cannot be read as source
      expect(two.code).toBe(one.code);
      expect(two.out).toBe(one.out);
      expect(two.err).toBe(one.err);
      expect(one.err).toContain('binary file');
    });
  }, 60000);
  it('--threads needs a positive integer', () => {
    const r = spawnSync(process.execPath, [BIN, 'fixtures/', '--threads', '0'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(2);
    expect(r.stderr).toContain('--threads must be at least 1');
  });
});
