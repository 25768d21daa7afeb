/**
 * Output formatters: ESLint's (`eslint-formatter-NAME` packages), any formatter module given by
 * path, and our own SARIF writer. An ESLint formatter is `(results, data) => string | Promise<string>`.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { isAbsolute, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { FormatterData, LintResult } from '../lint/types.js';

export type FormatterFunction = (results: LintResult[], data: FormatterData) => string | Promise<string>;

/** Formatters shipped with ddi-lint (the ESLint ones are dependencies of this package). */
export const BUILTIN_FORMATS = ['stylish', 'json', 'unix', 'visualstudio', 'junit', 'codeframe', 'sarif'] as const;

export class FormatterError extends Error {}

const ownRequire = createRequire(import.meta.url);

function pickFunction(mod: unknown, where: string): FormatterFunction {
  let m = mod as { default?: unknown } | ((...a: unknown[]) => unknown);
  // ESM default export, CJS module.exports, or CJS transpiled with __esModule + default
  for (let i = 0; i < 3 && typeof m !== 'function' && m && typeof m === 'object' && 'default' in m; i++) {
    m = (m as { default: unknown }).default as typeof m;
  }
  if (typeof m !== 'function') throw new FormatterError(`${where} does not export a formatter function`);
  return m as FormatterFunction;
}

async function importModule(resolved: string): Promise<unknown> {
  return import(pathToFileURL(resolved).href);
}

/** ESLint's naming convention: `x` → `eslint-formatter-x`, `@s` → `@s/eslint-formatter`, `@s/x` → `@s/eslint-formatter-x`. */
export function formatterPackageName(name: string): string {
  if (name.startsWith('@')) {
    const [scope, rest] = name.split('/', 2);
    if (!rest) return `${scope}/eslint-formatter`;
    return rest.startsWith('eslint-formatter') ? name : `${scope}/eslint-formatter-${rest}`;
  }
  return name.startsWith('eslint-formatter-') ? name : `eslint-formatter-${name}`;
}

function looksLikePath(name: string): boolean {
  return name.startsWith('.') || isAbsolute(name) || name.includes('\\') || (name.includes('/') && !name.startsWith('@'));
}

/**
 * Load a formatter by name or path. `sarif` is handled by the caller (it needs more than the results).
 * Resolution: a path (contains a slash or starts with '.') relative to cwd; else the package
 * `eslint-formatter-NAME`: for the built-in names from ddi-lint's own dependencies, for the others
 * from the user's cwd (then from ddi-lint's dependencies).
 */
export async function loadFormatter(name: string, cwd: string): Promise<FormatterFunction> {
  if (looksLikePath(name) || (existsSync(resolve(cwd, name)) && /\.(c|m)?js$/.test(name))) {
    const p = resolve(cwd, name);
    if (!existsSync(p)) throw new FormatterError(`formatter file not found: ${name}`);
    try {
      return pickFunction(await importModule(p), name);
    } catch (e) {
      if (e instanceof FormatterError) throw e;
      throw new FormatterError(`cannot load formatter ${name}: ${(e as Error).message}`);
    }
  }
  const pkg = formatterPackageName(name);
  let resolved: string | undefined;
  const userRequire = createRequire(join(cwd, '__ddi-lint__.js'));
  // Built-in names resolve to ddi-lint's own dependencies first; other names to the user's packages first.
  const order = (BUILTIN_FORMATS as readonly string[]).includes(name) ? [ownRequire, userRequire] : [userRequire, ownRequire];
  for (const req of order) {
    try {
      resolved = req.resolve(pkg);
      break;
    } catch {
      /* try the next */
    }
  }
  if (!resolved) {
    throw new FormatterError(
      `unknown format '${name}': no formatter package '${pkg}' is installed (built in: ${BUILTIN_FORMATS.join(', ')}; or give the path of a formatter module)`,
    );
  }
  try {
    return pickFunction(await importModule(resolved), pkg);
  } catch (e) {
    if (e instanceof FormatterError) throw e;
    throw new FormatterError(`cannot load formatter ${pkg}: ${(e as Error).message}`);
  }
}
