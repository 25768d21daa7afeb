/**
 * Configuration: `ddi-lint.config.json`.
 *
 *   {
 *     "$schema": "...",                     // optional, for editors
 *     "root": true,                         // optional: stop looking further up
 *     "rules": {
 *       "mdl-unmatched-lock": "error",      // "off" | "warn" | "error" | 0 | 1 | 2
 *       "mdl-probe-outside-try": ["warn", { ...options }]
 *     },
 *     "ignorePatterns": ["generated/", "*.tmh"],  // .gitignore syntax, relative to the config's directory
 *     "irqlContracts": {                     // IRQL contracts of the driver's own routines (or corrections)
 *       "MyDrvWaitForDevice": { "max": 1, "source": "mydrv.h" }
 *     }
 *   }
 *
 * Lookup (like ESLint's cascading config): for each linted file, the `ddi-lint.config.json` files in
 * its directory and every ancestor directory up to the first one with `"root": true` (or the
 * filesystem root) apply; nearer files override farther ones rule by rule, and the ignore patterns of
 * all of them apply, each relative to its own directory. Lookups are cached per directory.
 * `--config FILE` replaces the lookup: that one file applies to every linted file.
 *
 * `irqlContracts` is different: the IRQL analysis sees the whole run as one program, so the entries
 * of every config file that applies to some linted file form one table for the run (see
 * `ConfigResolver.irqlContractsFor`). Each entry has the shape of an entry of `irql-contracts.json`
 * (`IRQL_CONTRACT_SCHEMA`, `source` optional) and replaces the built-in contract of that name, if any.
 * Two config files may both define a routine only identically; otherwise that is a `ConfigError`
 * naming both files.
 *
 * The file is validated with ajv against a JSON schema built from the rules' ids and their
 * `meta.schema` (options); an invalid file is a `ConfigError` naming the file and the key.
 */
import { readFileSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv, type ErrorObject, type ValidateFunction } from 'ajv';
import { IRQL_CONTRACT_SCHEMA, validateIrqlContract, withOverrides, type IrqlContract, type IrqlTable } from '../ddi/irql.js';
import type { RuleMeta } from './rule.js';
import type { Severity, SeverityName } from './types.js';

export const CONFIG_FILE_NAME = 'ddi-lint.config.json';
export const SCHEMA_ID = 'https://github.com/ddi-lint/ddi-lint/ddi-lint.schema.json';

/** What the config module needs to know about a rule. */
export type RuleLike = { meta: RuleMeta };

export type RuleSetting = SeverityName | Severity | [SeverityName | Severity] | [SeverityName | Severity, Record<string, unknown>];

export interface ConfigFileContents {
  $schema?: string;
  root?: boolean;
  rules?: Record<string, RuleSetting>;
  ignorePatterns?: string[];
  /** IRQL contracts of routines, by name: added to the built-in table, or replacing its entry. */
  irqlContracts?: Record<string, IrqlContract>;
}

export interface LoadedConfigFile {
  /** Absolute path. */
  path: string;
  /** Directory ignore patterns are relative to. */
  dir: string;
  contents: ConfigFileContents;
}

export interface ResolvedRuleConfig {
  severity: Severity;
  options: Record<string, unknown>;
}

export interface IgnoreSource {
  /** Absolute directory the patterns are relative to. */
  dir: string;
  patterns: string[];
  /** Config file that declared them. */
  file: string;
}

export interface ResolvedConfig {
  /** Config files that applied, farthest first. */
  configFiles: string[];
  /** Every known rule, with its effective severity and options (defaults merged). */
  rules: Record<string, ResolvedRuleConfig>;
  ignores: IgnoreSource[];
}

export class ConfigError extends Error {
  constructor(
    readonly file: string,
    readonly key: string | undefined,
    readonly detail: string,
  ) {
    super(`${file}: ${key ? `${key}: ` : ''}${detail}`);
    this.name = 'ConfigError';
  }
}

const SEVERITY_NAMES: Record<string, Severity> = { off: 0, warn: 1, error: 2 };

export function parseSeverity(value: unknown): Severity | undefined {
  if (value === 0 || value === 1 || value === 2) return value;
  if (typeof value === 'string' && value in SEVERITY_NAMES) return SEVERITY_NAMES[value];
  return undefined;
}

export function severityName(s: Severity): SeverityName {
  return s === 0 ? 'off' : s === 1 ? 'warn' : 'error';
}

const severitySchema = { enum: ['off', 'warn', 'error', 0, 1, 2] } as const;

function optionsSchema(meta: RuleMeta): Record<string, unknown> {
  const s = meta.schema && Object.keys(meta.schema).length > 0 ? meta.schema : { type: 'object' };
  return s;
}

/** The JSON schema of `ddi-lint.config.json` for the given rules (exported for editors). */
export function buildConfigSchema(rules: readonly RuleLike[]): Record<string, unknown> {
  const ruleProps: Record<string, unknown> = {};
  for (const r of rules) {
    const m = r.meta;
    ruleProps[m.id] = {
      description: `${m.docs.description} (default: ${m.defaultSeverity}). ${m.docs.url}`,
      anyOf: [
        severitySchema,
        {
          type: 'array',
          items: [severitySchema, optionsSchema(m)],
          minItems: 1,
          maxItems: 2,
          additionalItems: false,
        },
      ],
    };
  }
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    $id: SCHEMA_ID,
    title: 'ddi-lint configuration (ddi-lint.config.json)',
    type: 'object',
    additionalProperties: false,
    properties: {
      $schema: { type: 'string', description: 'JSON schema reference, for editors.' },
      root: { type: 'boolean', description: 'Do not look for ddi-lint.config.json files in parent directories.' },
      rules: {
        type: 'object',
        description: 'Rule severities ("off", "warn", "error" or 0, 1, 2), optionally with options: ["warn", { ... }].',
        additionalProperties: false,
        properties: ruleProps,
      },
      ignorePatterns: {
        type: 'array',
        description: 'Files and directories not to lint, in .gitignore syntax, relative to the directory of this file.',
        items: { type: 'string' },
      },
      irqlContracts: irqlContractsSchema(),
    },
  };
}

const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Schema of the `irqlContracts` key: routine name → one entry of the IRQL contract table. */
function irqlContractsSchema(): Record<string, unknown> {
  const { $schema: _s, title: _t, ...entry } = IRQL_CONTRACT_SCHEMA;
  return {
    type: 'object',
    description:
      'IRQL contracts of routines, by name, for the whole run: each adds a routine to the built-in IRQL contract table or replaces its built-in entry. ' +
      'Fields: min, max (IRQL 0..31), when (argument conditions), pageableArgs, pageableBufferOfMdlArg with maxIfPageable, effect (raise, lower, acquire, release, callback-at), source (where the contract is documented). ' +
      'Every configuration file of a run contributes; two may define the same routine only identically.',
    propertyNames: { pattern: IDENTIFIER.source },
    additionalProperties: { description: 'The IRQL contract of this routine.', ...entry },
  };
}

/** One line: `{"max":1}` → `{"max":1}`; long entries are cut. */
function shortJson(v: unknown): string {
  const t = JSON.stringify(v) ?? String(v);
  return t.length > 80 ? `${t.slice(0, 77)}...` : t;
}

/** `irqlContracts.Name`, or `irqlContracts["odd key"]` for a key that is not an identifier. */
function contractKey(name: string): string {
  return IDENTIFIER.test(name) ? `irqlContracts.${name}` : `irqlContracts[${JSON.stringify(name)}]`;
}

/** Throws ConfigError for the first malformed `irqlContracts` entry (one line: file, key, problems). */
function checkIrqlContracts(file: string, value: unknown): void {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new ConfigError(file, 'irqlContracts', `must be an object mapping routine names to IRQL contracts, like {"MyDrvWaitForDevice": {"max": 1}}, got ${shortJson(value)}`);
  }
  for (const [name, entry] of Object.entries(value as Record<string, unknown>)) {
    if (!IDENTIFIER.test(name)) throw new ConfigError(file, contractKey(name), 'the key must be the name of a C function (an identifier)');
    const problems = validateIrqlContract(entry, false);
    if (problems.length > 0) {
      throw new ConfigError(file, contractKey(name), `invalid IRQL contract ${shortJson(entry)}: ${problems.map((p) => p.replace(/^entry: /, '')).join('; ')}`);
    }
  }
}

function newAjv(): Ajv {
  return new Ajv({ allErrors: false, strict: false, allowUnionTypes: true });
}

/** JSON-pointer instance path → `rules.mdl-unmatched-lock[1].maxDepth` */
function keyFromPointer(base: string, pointer: string): string {
  const parts = pointer
    .split('/')
    .slice(1)
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
  let key = base;
  for (const p of parts) {
    if (/^\d+$/.test(p)) key += `[${p}]`;
    else key += key ? `.${p}` : p;
  }
  return key;
}

function describeAjvError(e: ErrorObject): string {
  switch (e.keyword) {
    case 'additionalProperties':
      return `unknown option '${String((e.params as { additionalProperty: string }).additionalProperty)}'`;
    case 'enum':
      return `must be one of ${((e.params as { allowedValues: unknown[] }).allowedValues ?? []).map((v) => JSON.stringify(v)).join(', ')}`;
    default:
      return e.message ?? 'invalid';
  }
}

/** Validates config contents; caches compiled validators per rule set. */
export class ConfigValidator {
  private readonly byId = new Map<string, RuleLike>();
  private readonly optionValidators = new Map<string, ValidateFunction>();
  private readonly full: ValidateFunction;
  readonly schema: Record<string, unknown>;

  constructor(readonly rules: readonly RuleLike[]) {
    for (const r of rules) this.byId.set(r.meta.id, r);
    this.schema = buildConfigSchema(rules);
    this.full = newAjv().compile(this.schema);
  }

  private optionValidator(meta: RuleMeta): ValidateFunction {
    let v = this.optionValidators.get(meta.id);
    if (!v) {
      v = newAjv().compile(optionsSchema(meta));
      this.optionValidators.set(meta.id, v);
    }
    return v;
  }

  /** Throws ConfigError with the first problem; returns the typed contents. */
  validate(file: string, data: unknown): ConfigFileContents {
    if (this.full(data)) {
      // the schema does not express every rule of a contract (min <= max, a raise's level...)
      if ((data as ConfigFileContents).irqlContracts !== undefined) checkIrqlContracts(file, (data as ConfigFileContents).irqlContracts);
      return data as ConfigFileContents;
    }
    // Find a precise, readable explanation.
    this.explain(file, data);
    // Fallback: ajv's own text.
    const e = this.full.errors?.[0];
    throw new ConfigError(file, e ? keyFromPointer('', e.instancePath) || undefined : undefined, e ? describeAjvError(e) : 'invalid configuration');
  }

  private explain(file: string, data: unknown): void {
    if (typeof data !== 'object' || data === null || Array.isArray(data)) {
      throw new ConfigError(file, undefined, `must be a JSON object like {"rules": {...}}, got ${Array.isArray(data) ? 'an array' : data === null ? 'null' : typeof data}`);
    }
    const obj = data as Record<string, unknown>;
    for (const key of Object.keys(obj)) {
      if (!['$schema', 'root', 'rules', 'ignorePatterns', 'irqlContracts'].includes(key)) {
        throw new ConfigError(file, key, `unknown key (allowed: "rules", "ignorePatterns", "irqlContracts", "root", "$schema")`);
      }
    }
    if ('$schema' in obj && typeof obj.$schema !== 'string') throw new ConfigError(file, '$schema', 'must be a string');
    if ('root' in obj && typeof obj.root !== 'boolean') throw new ConfigError(file, 'root', 'must be true or false');
    if ('ignorePatterns' in obj) {
      const ip = obj.ignorePatterns;
      if (!Array.isArray(ip)) throw new ConfigError(file, 'ignorePatterns', 'must be an array of strings (.gitignore patterns)');
      ip.forEach((p, i) => {
        if (typeof p !== 'string') throw new ConfigError(file, `ignorePatterns[${i}]`, `must be a string, got ${JSON.stringify(p)}`);
      });
    }
    if ('irqlContracts' in obj) checkIrqlContracts(file, obj.irqlContracts);
    if ('rules' in obj) {
      const rules = obj.rules;
      if (typeof rules !== 'object' || rules === null || Array.isArray(rules)) {
        throw new ConfigError(file, 'rules', 'must be an object mapping rule ids to severities');
      }
      for (const [id, setting] of Object.entries(rules as Record<string, unknown>)) {
        const key = `rules.${id}`;
        const rule = this.byId.get(id);
        if (!rule) {
          throw new ConfigError(file, key, `unknown rule '${id}' (known rules: ${[...this.byId.keys()].join(', ')})`);
        }
        const sev = Array.isArray(setting) ? setting[0] : setting;
        const sevKey = Array.isArray(setting) ? `${key}[0]` : key;
        if (Array.isArray(setting) && (setting.length < 1 || setting.length > 2)) {
          throw new ConfigError(file, key, `must be a severity or [severity, options], got an array of ${setting.length} items`);
        }
        if (parseSeverity(sev) === undefined) {
          throw new ConfigError(file, sevKey, `invalid severity ${JSON.stringify(sev)}: use "off", "warn", "error" (or 0, 1, 2)`);
        }
        if (Array.isArray(setting) && setting.length === 2) {
          const v = this.optionValidator(rule.meta);
          if (!v(setting[1])) {
            const e = v.errors![0]!;
            throw new ConfigError(file, keyFromPointer(`${key}[1]`, e.instancePath), `invalid option: ${describeAjvError(e)}`);
          }
        }
      }
    }
  }
}

/** JSON.parse's message, with the line and column of "position N" (comments are not allowed either). */
export function describeJsonError(text: string, message: string): string {
  const m = /at position (\d+)/.exec(message);
  if (!m || /line \d+/.test(message)) return message;
  const pos = Number(m[1]);
  const before = text.slice(0, pos);
  const line = before.split('\n').length;
  const column = pos - before.lastIndexOf('\n');
  const hint = /^\s*\/[/*]/.test(text.slice(pos)) ? ' (comments are not allowed in JSON)' : '';
  return `${message} (line ${line}, column ${column})${hint}`;
}

/** Read, parse and validate one config file. */
export function loadConfigFile(path: string, validator: ConfigValidator): LoadedConfigFile {
  const abs = resolve(path);
  let text: string;
  try {
    text = readFileSync(abs, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : err.code === 'EISDIR' ? 'is a directory' : err.code === 'EACCES' ? 'permission denied' : err.message;
    throw new ConfigError(path, undefined, `cannot read configuration file: ${why}`);
  }
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(path, undefined, `not valid JSON: ${describeJsonError(text, (e as Error).message)}`);
  }
  const contents = validator.validate(path, data);
  return { path: abs, dir: dirname(abs), contents };
}

/** Merge config files (farthest first) over the rules' defaults. */
export function mergeConfigs(rules: readonly RuleLike[], files: readonly LoadedConfigFile[]): ResolvedConfig {
  const resolved: Record<string, ResolvedRuleConfig> = {};
  for (const r of rules) {
    resolved[r.meta.id] = { severity: parseSeverity(r.meta.defaultSeverity) ?? 2, options: { ...(r.meta.defaultOptions ?? {}) } };
  }
  const ignores: IgnoreSource[] = [];
  for (const f of files) {
    for (const [id, setting] of Object.entries(f.contents.rules ?? {})) {
      const cur = resolved[id];
      if (!cur) continue; // validated already
      const sev = parseSeverity(Array.isArray(setting) ? setting[0] : setting)!;
      // Like ESLint: a severity alone keeps the options set by a farther config.
      const opts = Array.isArray(setting) && setting.length === 2 ? { ...(rules.find((r) => r.meta.id === id)?.meta.defaultOptions ?? {}), ...setting[1] } : cur.options;
      resolved[id] = { severity: sev, options: opts };
    }
    if (f.contents.ignorePatterns && f.contents.ignorePatterns.length > 0) {
      ignores.push({ dir: f.dir, patterns: [...f.contents.ignorePatterns], file: f.path });
    }
  }
  return { configFiles: files.map((f) => f.path), rules: resolved, ignores };
}

/** Deep equality of two JSON values (key order does not matter). */
function sameJson(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) {
    const bb = b as unknown[];
    return a.length === bb.length && a.every((x, i) => sameJson(x, bb[i]));
  }
  const ka = Object.keys(a);
  const kb = Object.keys(b);
  return ka.length === kb.length && ka.every((k) => Object.prototype.hasOwnProperty.call(b, k) && sameJson((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * The `irqlContracts` of several config files as one table (the IRQL analysis is project-wide).
 * Files are taken shallowest directory first; a routine defined by two files must be defined
 * identically, otherwise a ConfigError names the deeper file, the key and the other file.
 */
export function mergeIrqlContracts(files: readonly LoadedConfigFile[]): Record<string, IrqlContract> {
  const depth = (p: string) => p.split(/[\\/]+/).length;
  const ordered = [...new Map(files.map((f) => [f.path, f])).values()].sort((a, b) => depth(a.path) - depth(b.path) || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  const out = Object.create(null) as Record<string, IrqlContract>;
  const from = new Map<string, string>();
  for (const f of ordered) {
    for (const [name, entry] of Object.entries(f.contents.irqlContracts ?? {})) {
      const prev = from.get(name);
      if (prev === undefined) {
        out[name] = entry;
        from.set(name, f.path);
      } else if (!sameJson(out[name], entry)) {
        throw new ConfigError(
          f.path,
          contractKey(name),
          `conflicts with the IRQL contract of ${name} in ${prev} (${shortJson(out[name])} there, ${shortJson(entry)} here): the IRQL contracts of all configuration files of a run form one table, so a routine may be defined in several of them only identically`,
        );
      }
    }
  }
  return out;
}

/** Apply `--rule id:severity` overrides. */
export function applyRuleOverrides(config: ResolvedConfig, overrides: ReadonlyMap<string, Severity>): ResolvedConfig {
  if (overrides.size === 0) return config;
  const rules = { ...config.rules };
  for (const [id, sev] of overrides) {
    const cur = rules[id];
    if (cur) rules[id] = { ...cur, severity: sev };
  }
  return { ...config, rules };
}

/** Structurally the linter's `LintOptions`. */
export interface RuleOptionsForLinter {
  rules: Record<string, { severity: Severity; options?: Record<string, unknown> }>;
}

export function toLintOptions(config: ResolvedConfig): RuleOptionsForLinter {
  const rules: RuleOptionsForLinter['rules'] = {};
  for (const [id, r] of Object.entries(config.rules)) rules[id] = { severity: r.severity, options: r.options };
  return { rules };
}

function isFile(p: string): boolean {
  try {
    return statSync(p).isFile();
  } catch {
    return false;
  }
}

/**
 * Finds and caches the configuration for each directory. With `configFile` set, that file alone
 * applies everywhere.
 */
export class ConfigResolver {
  readonly validator: ConfigValidator;
  private readonly fileCache = new Map<string, LoadedConfigFile | null>();
  /** dir → config files applying to it (farthest first). */
  private readonly chainCache = new Map<string, LoadedConfigFile[]>();
  private readonly resolvedCache = new Map<string, ResolvedConfig>();
  private readonly explicit: LoadedConfigFile | undefined;

  constructor(
    readonly rules: readonly RuleLike[],
    opts: { configFile?: string; overrides?: ReadonlyMap<string, Severity> } = {},
  ) {
    this.validator = new ConfigValidator(rules);
    this.explicit = opts.configFile ? loadConfigFile(opts.configFile, this.validator) : undefined;
    this.overrides = opts.overrides ?? new Map();
  }

  private readonly overrides: ReadonlyMap<string, Severity>;

  /** The config file in `dir` itself, if any (throws ConfigError when invalid). */
  private configIn(dir: string): LoadedConfigFile | null {
    if (this.fileCache.has(dir)) return this.fileCache.get(dir)!;
    const candidate = join(dir, CONFIG_FILE_NAME);
    const loaded = isFile(candidate) ? loadConfigFile(candidate, this.validator) : null;
    this.fileCache.set(dir, loaded);
    return loaded;
  }

  /** Config files applying to a directory, farthest first. */
  chainFor(dir: string): LoadedConfigFile[] {
    const abs = resolve(dir);
    if (this.explicit) return [this.explicit];
    const cached = this.chainCache.get(abs);
    if (cached) return cached;
    const own = this.configIn(abs);
    let chain: LoadedConfigFile[];
    if (own?.contents.root) chain = [own];
    else {
      const parent = dirname(abs);
      const up = parent === abs ? [] : this.chainFor(parent);
      chain = own ? [...up, own] : up;
    }
    this.chainCache.set(abs, chain);
    return chain;
  }

  /** Effective configuration for a directory (of a file). */
  forDirectory(dir: string): ResolvedConfig {
    const abs = resolve(dir);
    let r = this.resolvedCache.get(abs);
    if (!r) {
      r = applyRuleOverrides(mergeConfigs(this.rules, this.chainFor(abs)), this.overrides);
      this.resolvedCache.set(abs, r);
    }
    return r;
  }

  forFile(file: string): ResolvedConfig {
    return this.forDirectory(dirname(resolve(file)));
  }

  /** The config files that apply to at least one of these files (each once). */
  configFilesFor(files: Iterable<string>): LoadedConfigFile[] {
    const byPath = new Map<string, LoadedConfigFile>();
    const dirs = new Set<string>();
    for (const f of files) dirs.add(dirname(resolve(f)));
    for (const d of dirs) for (const c of this.chainFor(d)) byPath.set(c.path, c);
    return [...byPath.values()];
  }

  /**
   * The run's IRQL contracts: the `irqlContracts` of every config file that applies to one of the
   * linted files, merged (see `mergeIrqlContracts`; throws ConfigError on a conflict).
   */
  irqlContractsFor(files: Iterable<string>): Record<string, IrqlContract> {
    return mergeIrqlContracts(this.configFilesFor(files));
  }

  /** The built-in IRQL contract table with the run's `irqlContracts` on top. */
  irqlTableFor(files: Iterable<string>): IrqlTable {
    return withOverrides(this.irqlContractsFor(files));
  }
}
