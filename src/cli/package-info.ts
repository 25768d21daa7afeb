/** ddi-lint's own package.json (found upward from this module: works from src/ and from dist/src/). */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface PackageInfo {
  name: string;
  version: string;
  homepage?: string;
  dir: string;
}

let cached: PackageInfo | undefined;

export function packageInfo(): PackageInfo {
  if (cached) return cached;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    try {
      const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { name?: string; version?: string; homepage?: string };
      if (pkg.name === 'ddi-lint' && pkg.version) {
        cached = { name: pkg.name, version: pkg.version, homepage: pkg.homepage, dir };
        return cached;
      }
    } catch {
      /* keep looking */
    }
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  cached = { name: 'ddi-lint', version: '0.0.0', dir: process.cwd() };
  return cached;
}

/** What a summaries file is stamped with: only the same version reads it. */
export function packageStamp(): string {
  return `ddi-lint ${packageInfo().version}`;
}
