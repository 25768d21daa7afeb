/**
 * Fuzzing (issue 7): the linter and the simulator must never throw, hang or crash on any input.
 *
 * Inputs are the bundled fixture files mutated (bytes flipped, spans deleted, lines duplicated, driver
 * tokens inserted) and random streams of C and driver tokens. Each input is linted (every rule, the
 * file as its own program) and simulated (every function, with small budgets); the case fails when
 * either throws or when it takes longer than the time bound. The mutations are deterministic in a
 * seed, so a failing case is reproduced by its seed and index, and the CLI saves its input.
 */
import { readFileSync } from 'node:fs';
import { lintText } from '../lint/linter.js';
import { parseSource } from '../parse/parser.js';
import { simulateSource } from '../sim/simulate.js';
import { listSourceFiles } from '../validation/fixtures.js';
import { Rng } from '../validation/generator.js';

export { Rng };

/** Tokens of driver C: punctuation that unbalances, keywords, SEH, the DDIs the rules look at. */
export const TOKENS: readonly string[] = [
  '{', '}', '(', ')', '[', ']', ';', ',', '*', '&', '->', '.', '=', '==', '!', '?', ':', '#', '"', "'", '/*', '*/', '//', '\\',
  'if', 'else', 'while', 'for', 'do', 'switch', 'case', 'default', 'return', 'goto', 'break', 'continue', 'sizeof',
  '__try', '__except', '__finally', '__leave', 'try', 'catch', 'throw', 'template', 'class', 'struct', 'typedef', 'static',
  'EXCEPTION_EXECUTE_HANDLER', 'NULL', 'TRUE', 'FALSE', 'STATUS_SUCCESS', 'KernelMode', 'UserMode', 'IoWriteAccess',
  'DISPATCH_LEVEL', 'PASSIVE_LEVEL', 'HIGH_LEVEL', 'PagedPool', 'NonPagedPoolNx',
  'MmProbeAndLockPages', 'MmUnlockPages', 'IoAllocateMdl', 'IoFreeMdl', 'MmBuildMdlForNonPagedPool', 'IoBuildPartialMdl',
  'MmGetSystemAddressForMdlSafe', 'KeAcquireSpinLock', 'KeReleaseSpinLock', 'KeRaiseIrql', 'KeLowerIrql', 'ZwClose',
  'KeWaitForSingleObject', 'ExAllocatePoolWithTag', 'ExFreePoolWithTag', 'PAGED_CODE', 'KeAcquireInStackQueuedSpinLock',
  'Irp', 'mdl', 'ext', 'old', 'x', '0', '1', '42', '-1', '0xFFFFFFFF', '"str"', "'c'", '#pragma alloc_text(PAGE, f)',
  '#if 0', '#endif', '#define X(a) a', 'DRIVER_DISPATCH', 'KDEFERRED_ROUTINE', '_IRQL_requires_(DISPATCH_LEVEL)', '\n',
  // integers wider than 32 bits and past 2^53 (a mask of maharmstone/btrfs once made the analysis loop for ever)
  '0xf000000000000000', '18446744073709551615ULL', '0x100000000ULL', '63', '<<', '>>', '|', '^', '~', '>=', '<',
];

export type MutationKind = 'flip' | 'delete' | 'duplicate' | 'insert' | 'truncate' | 'tokens';

/** One mutation of `text`: which one, and the result. */
export function mutate(text: string, rng: Rng): { kind: MutationKind; text: string } {
  const kind = rng.pick<MutationKind>(['flip', 'delete', 'duplicate', 'insert', 'truncate', 'tokens']);
  switch (kind) {
    case 'flip': {
      // a few bytes replaced by any UTF-16 unit, control characters and lone surrogates included
      const chars = text.split('');
      for (let k = 1 + rng.int(8); k > 0 && chars.length; k--) chars[rng.int(chars.length)] = String.fromCharCode(rng.int(0x10000));
      return { kind, text: chars.join('') };
    }
    case 'delete': {
      const a = rng.int(text.length + 1);
      return { kind, text: text.slice(0, a) + text.slice(Math.min(text.length, a + 1 + rng.int(200))) };
    }
    case 'duplicate': {
      const lines = text.split('\n');
      const a = rng.int(lines.length);
      const n = 1 + rng.int(12);
      lines.splice(a, 0, ...lines.slice(a, a + n));
      return { kind, text: lines.join('\n') };
    }
    case 'insert': {
      let t = text;
      for (let k = 1 + rng.int(6); k > 0; k--) {
        const at = rng.int(t.length + 1);
        t = `${t.slice(0, at)} ${rng.pick(TOKENS)} ${t.slice(at)}`;
      }
      return { kind, text: t };
    }
    case 'truncate':
      return { kind, text: text.slice(0, rng.int(text.length + 1)) };
    case 'tokens':
      return { kind, text: randomTokens(rng, 20 + rng.int(400)) };
  }
}

/** A random stream of driver C tokens. */
export function randomTokens(rng: Rng, n: number): string {
  const out: string[] = [];
  for (let k = 0; k < n; k++) out.push(rng.pick(TOKENS));
  return out.join(' ');
}

export interface FuzzOutcome {
  /** The exception thrown, if any (a crash). */
  error?: string;
  /** Milliseconds the lint and the simulation took. */
  lintMs: number;
  simMs: number;
  findings: number;
  /** Messages the linter gave as internal errors (allowed: they are how a broken function is reported). */
  internalErrors: number;
}

/** Lint and simulate one input; never throws (a throw is the outcome's `error`). */
export function runCase(text: string, path = 'fuzz.c', simulate = true): FuzzOutcome {
  const out: FuzzOutcome = { lintMs: 0, simMs: 0, findings: 0, internalErrors: 0 };
  let t = performance.now();
  try {
    const r = lintText(text, path);
    out.findings = r.messages.filter((m) => m.ruleId).length;
    out.internalErrors = r.messages.filter((m) => m.fatal || /internal error/.test(m.message)).length;
  } catch (e) {
    out.error = `linter threw: ${(e as Error)?.stack ?? String(e)}`;
    return out;
  } finally {
    out.lintMs = performance.now() - t;
  }
  if (!simulate) return out;
  t = performance.now();
  try {
    simulateSource(parseSource(path, text), { maxPaths: 64, maxSteps: 20_000, loopBound: 2, callDepth: 3 });
  } catch (e) {
    out.error = `simulator threw: ${(e as Error)?.stack ?? String(e)}`;
  } finally {
    out.simMs = performance.now() - t;
  }
  return out;
}

/** The bundled fixtures (the seeds of the mutations). */
export function corpus(root: string): { path: string; text: string }[] {
  return listSourceFiles(root).map((p) => ({ path: p, text: readFileSync(p, 'utf8') }));
}

/** Input `index` of a campaign with `seed`: a mutated fixture (one to three mutations) or a token stream. */
export function caseInput(seed: number, index: number, files: readonly { path: string; text: string }[]): { text: string; from: string; kinds: MutationKind[] } {
  const rng = new Rng((seed * 1_000_003 + index) >>> 0);
  const base = files[rng.int(files.length)]!;
  let text = base.text;
  const kinds: MutationKind[] = [];
  for (let k = 1 + rng.int(3); k > 0; k--) {
    const m = mutate(text, rng);
    kinds.push(m.kind);
    text = m.text;
    if (m.kind === 'tokens') break;
  }
  return { text, from: kinds.includes('tokens') ? 'random tokens' : base.path, kinds };
}
