/**
 * Which files to lint: explicit files, directories (recursively) and globs, minus what `.gitignore`
 * files and the configs' `ignorePatterns` exclude.
 *
 * `.gitignore` semantics follow git: every `.gitignore` in the directories from the top of the
 * repository (the nearest ancestor holding `.git`; outside a repository, the working directory or
 * the named directory) down to the file applies, patterns relative to their own directory, deeper
 * files overriding (`!pattern`) shallower ones; an ignored directory is not entered at all.
 * `.git` and `node_modules` directories are never entered. Symbolic links are followed; a directory
 * reached twice through links (a loop) is reported once and skipped.
 */
import { readFileSync, statSync, type Dirent } from 'node:fs';
import { readdir, realpath, stat } from 'node:fs/promises';
import { dirname, extname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { glob, isDynamicPattern } from 'tinyglobby';
import { describeFsError } from '../parse/decode.js';
import { SOURCE_EXTENSIONS } from '../parse/parser.js';
import type { ConfigResolver, IgnoreSource } from '../lint/config.js';

export const ALWAYS_SKIPPED_DIRS = ['.git', 'node_modules'];

export interface FileProblem {
  /** Path as shown to the user. */
  path: string;
  reason: string;
}

export interface FileListing {
  /** Absolute paths, in a deterministic order, without duplicates. */
  files: string[];
  /** Explicit paths that do not exist and patterns that matched nothing (usage errors). */
  unmatched: FileProblem[];
  /** Problems met while walking (unreadable directories, symlink loops); the walk went on. */
  warnings: FileProblem[];
  /** Explicitly named files skipped because an ignore pattern excludes them. */
  ignoredExplicit: string[];
}

export interface ListOptions {
  cwd: string;
  /** Apply .gitignore files and config ignorePatterns. */
  useIgnore: boolean;
  config: ConfigResolver;
}

export function isSourceFile(path: string): boolean {
  return SOURCE_EXTENSIONS.includes(extname(path).toLowerCase());
}

function toPosix(p: string): string {
  return sep === '/' ? p : p.split(sep).join('/');
}

function within(dir: string, p: string): string | undefined {
  const rel = relative(dir, p);
  if (rel === '' || rel.startsWith('..') || isAbsolute(rel)) return undefined;
  return toPosix(rel);
}

/** Caches `.gitignore` files and repository roots per directory. */
export class GitIgnores {
  private readonly perDir = new Map<string, Ignore | null>();
  private readonly topCache = new Map<string, string>();

  constructor(private readonly cwd: string) {}

  private gitignoreIn(dir: string): Ignore | null {
    if (this.perDir.has(dir)) return this.perDir.get(dir)!;
    let ig: Ignore | null = null;
    try {
      const text = readFileSync(join(dir, '.gitignore'), 'utf8');
      ig = ignore().add(text);
    } catch {
      ig = null;
    }
    this.perDir.set(dir, ig);
    return ig;
  }

  /** The top directory whose .gitignore still applies to `dir`. */
  top(dir: string): string {
    const cached = this.topCache.get(dir);
    if (cached) return cached;
    let result: string | undefined;
    for (let d = dir; ; ) {
      if (hasGit(d)) {
        result = d;
        break;
      }
      const parent = dirname(d);
      if (parent === d) break;
      d = parent;
    }
    if (!result) {
      // Outside a repository: the working directory if `dir` is within it, else `dir` itself.
      result = dir === this.cwd || within(this.cwd, dir) !== undefined ? this.cwd : dir;
    }
    this.topCache.set(dir, result);
    return result;
  }

  /** Sources applying to `p` (a file or directory), outermost first. */
  sourcesFor(p: string, top: string): { dir: string; ig: Ignore }[] {
    const dirs: string[] = [];
    for (let d = dirname(p); ; d = dirname(d)) {
      dirs.push(d);
      if (d === top || dirname(d) === d) break;
    }
    dirs.reverse();
    const out: { dir: string; ig: Ignore }[] = [];
    for (const d of dirs) {
      const ig = this.gitignoreIn(d);
      if (ig) out.push({ dir: d, ig });
    }
    return out;
  }
}

/** A `.git` directory, or a `.git` file (worktrees, submodules), marks a repository's top. */
function hasGit(d: string): boolean {
  try {
    statSync(join(d, '.git'));
    return true;
  } catch {
    return false;
  }
}

/** Evaluate layered ignore sources (outermost first); deeper negations win. */
function layeredIgnored(sources: { dir: string; ig: Ignore }[], p: string, isDir: boolean): boolean {
  let ignored = false;
  for (const s of sources) {
    const rel = within(s.dir, p);
    if (rel === undefined) continue;
    const t = s.ig.test(isDir ? `${rel}/` : rel);
    if (t.ignored) ignored = true;
    else if (t.unignored) ignored = false;
  }
  return ignored;
}

const configIgnoreCache = new WeakMap<IgnoreSource, Ignore>();
function configIgnores(sources: IgnoreSource[]): { dir: string; ig: Ignore }[] {
  return sources.map((s) => {
    let ig = configIgnoreCache.get(s);
    if (!ig) {
      ig = ignore().add(s.patterns);
      configIgnoreCache.set(s, ig);
    }
    return { dir: s.dir, ig };
  });
}

export class IgnoreChecker {
  readonly git: GitIgnores;
  constructor(
    private readonly opts: ListOptions,
  ) {
    this.git = new GitIgnores(opts.cwd);
  }

  /** Whether `p` is excluded. `top` is where .gitignore lookup stops. Throws ConfigError for a bad config. */
  isIgnored(p: string, isDir: boolean, top?: string): boolean {
    if (!this.opts.useIgnore) return false;
    const t = top ?? this.git.top(dirname(p));
    if (layeredIgnored(this.git.sourcesFor(p, t), p, isDir)) return true;
    // Config ignorePatterns: the configs that apply to the entry's parent directory.
    const cfg = this.opts.config.forDirectory(dirname(p));
    return layeredIgnored(configIgnores(cfg.ignores), p, isDir);
  }
}

/** Expand the command line's paths and globs into files. */
export async function listFiles(patterns: readonly string[], opts: ListOptions): Promise<FileListing> {
  const checker = new IgnoreChecker(opts);
  const files: string[] = [];
  const seen = new Set<string>();
  const unmatched: FileProblem[] = [];
  const warnings: FileProblem[] = [];
  const ignoredExplicit: string[] = [];
  const add = (f: string) => {
    if (!seen.has(f)) {
      seen.add(f);
      files.push(f);
    }
  };
  const display = (abs: string) => {
    const rel = relative(opts.cwd, abs);
    return rel === '' ? '.' : rel.startsWith('..') ? abs : rel;
  };

  for (const pattern of patterns) {
    const abs = resolve(opts.cwd, pattern);
    let st: Awaited<ReturnType<typeof stat>> | undefined;
    try {
      st = await stat(abs);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') {
        // Exists but cannot be examined (permissions, loop): name it, as for any bad input.
        unmatched.push({ path: pattern, reason: describeFsError(e) });
        continue;
      }
    }
    if (st?.isFile()) {
      if (checker.isIgnored(abs, false)) ignoredExplicit.push(pattern);
      else add(abs);
      continue;
    }
    if (st?.isDirectory()) {
      const before = files.length;
      const top = checker.git.top(abs);
      const counts = { ignored: 0 };
      await walk(abs, top, checker, add, warnings, new Set<string>(), [], display, counts);
      if (files.length === before) {
        unmatched.push({
          path: pattern,
          reason:
            counts.ignored > 0
              ? `no C/C++ source files (${SOURCE_EXTENSIONS.join(' ')}) in this directory outside what .gitignore or ignorePatterns exclude (use --no-ignore to include them)`
              : `no C/C++ source files (${SOURCE_EXTENSIONS.join(' ')}) in this directory`,
        });
      }
      continue;
    }
    if (st) {
      unmatched.push({ path: pattern, reason: 'not a regular file or directory' });
      continue;
    }
    if (isDynamicPattern(toPosix(pattern))) {
      const matches = await glob(toPosix(pattern), {
        cwd: opts.cwd,
        absolute: true,
        onlyFiles: true,
        dot: false,
        followSymbolicLinks: true,
        expandDirectories: false,
        ignore: ALWAYS_SKIPPED_DIRS.map((d) => `**/${d}/**`),
      });
      matches.sort();
      let count = 0;
      let ignored = 0;
      for (const m of matches) {
        const f = resolve(m);
        if (!isSourceFile(f)) continue;
        if (checker.isIgnored(f, false)) {
          ignored++;
          continue;
        }
        add(f);
        count++;
      }
      if (count === 0) {
        unmatched.push({
          path: pattern,
          reason:
            ignored > 0
              ? 'all the C/C++ sources matching the pattern are ignored by .gitignore or ignorePatterns (use --no-ignore to lint them)'
              : 'no C/C++ source files matching the pattern were found',
        });
      }
      continue;
    }
    unmatched.push({ path: pattern, reason: 'no such file or directory' });
  }
  return { files, unmatched, warnings, ignoredExplicit };
}

async function walk(
  dir: string,
  top: string,
  checker: IgnoreChecker,
  add: (f: string) => void,
  warnings: FileProblem[],
  visited: Set<string>,
  ancestors: string[],
  display: (abs: string) => string,
  counts: { ignored: number },
): Promise<void> {
  let real: string;
  try {
    real = await realpath(dir);
  } catch (e) {
    warnings.push({ path: display(dir), reason: describeFsError(e) });
    return;
  }
  if (ancestors.includes(real)) {
    warnings.push({ path: display(dir), reason: `directory symlink loop (links back to ${real}), skipped` });
    return;
  }
  // Reached again through another link: its files are listed already.
  if (visited.has(real)) return;
  visited.add(real);
  let entries: Dirent[];
  try {
    entries = await readdir(dir, { withFileTypes: true });
  } catch (e) {
    warnings.push({ path: display(dir), reason: `cannot read directory: ${describeFsError(e)}` });
    return;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  const subdirs: string[] = [];
  for (const ent of entries) {
    const p = join(dir, ent.name);
    let isDir = ent.isDirectory();
    let isFile = ent.isFile();
    if (ent.isSymbolicLink()) {
      try {
        const s = await stat(p);
        isDir = s.isDirectory();
        isFile = s.isFile();
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (isSourceFile(p) || code === 'ELOOP') {
          warnings.push({ path: display(p), reason: code === 'ENOENT' ? 'broken symbolic link, skipped' : `${describeFsError(e)}, skipped` });
        }
        continue;
      }
    }
    if (isDir) {
      if (ALWAYS_SKIPPED_DIRS.includes(ent.name)) continue;
      if (checker.isIgnored(p, true, top)) {
        counts.ignored++;
        continue;
      }
      subdirs.push(p);
    } else if (isFile && isSourceFile(p)) {
      if (checker.isIgnored(p, false, top)) {
        counts.ignored++;
        continue;
      }
      add(p);
    }
  }
  const chain = [...ancestors, real];
  for (const d of subdirs) await walk(d, top, checker, add, warnings, visited, chain, display, counts);
}
