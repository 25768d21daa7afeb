import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { Ajv } from 'ajv';
import {
  CONFIG_FILE_NAME,
  ConfigError,
  ConfigResolver,
  ConfigValidator,
  buildConfigSchema,
  loadConfigFile,
  toLintOptions,
  type RuleLike,
} from '../../src/lint/config.js';
import type { RuleMeta } from '../../src/lint/rule.js';
import type { Project } from '../../src/analysis/project.js';
import { irqlContract } from '../../src/ddi/irql.js';
import { prepareProject } from '../../src/lint/linter.js';
import { engine } from '../../src/cli/main.js';
import { runCli, type LintEngine } from '../../src/cli/run.js';

function meta(id: string, extra: Partial<RuleMeta> = {}): RuleMeta {
  return {
    id,
    type: 'problem',
    docs: { description: `${id} description`, url: `https://example.test/${id}.md`, recommended: true },
    messages: { m: 'msg' },
    defaultSeverity: 'error',
    schema: {},
    simulator: { validates: 'none', reason: 'test' },
    ...extra,
  };
}

const RULES: RuleLike[] = [
  {
    meta: meta('mdl-unmatched-lock', {
      schema: {
        type: 'object',
        properties: { maxPathSteps: { type: 'integer', minimum: 1 }, ownershipSinks: { type: 'array', items: { type: 'string' } } },
        additionalProperties: false,
      },
      defaultOptions: { maxPathSteps: 8 },
    }),
  },
  { meta: meta('mdl-probe-outside-try', { defaultSeverity: 'warn' }) },
];

const root = mkdtempSync(join(tmpdir(), 'ddi-config-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let n = 0;
function dir(files: Record<string, string>): string {
  const d = join(root, `case${n++}`);
  for (const [rel, text] of Object.entries(files)) {
    const p = join(d, rel);
    mkdirSync(join(p, '..'), { recursive: true });
    writeFileSync(p, text);
  }
  return d;
}

function configError(contents: string): ConfigError {
  const d = dir({ [CONFIG_FILE_NAME]: contents });
  try {
    loadConfigFile(join(d, CONFIG_FILE_NAME), new ConfigValidator(RULES));
  } catch (e) {
    expect(e).toBeInstanceOf(ConfigError);
    return e as ConfigError;
  }
  throw new Error('expected a ConfigError');
}

describe('config validation', () => {
  it('accepts every severity spelling and options', () => {
    const v = new ConfigValidator(RULES);
    for (const sev of ['off', 'warn', 'error', 0, 1, 2]) {
      expect(() => v.validate('x.json', { rules: { 'mdl-probe-outside-try': sev } })).not.toThrow();
      expect(() => v.validate('x.json', { rules: { 'mdl-probe-outside-try': [sev] } })).not.toThrow();
    }
    expect(() =>
      v.validate('x.json', { $schema: './s.json', root: true, ignorePatterns: ['gen/'], rules: { 'mdl-unmatched-lock': ['warn', { maxPathSteps: 3 }] } }),
    ).not.toThrow();
  });

  it('names the file and the key for an unknown rule', () => {
    const e = configError('{"rules": {"mdl-unmatched-lok": "error"}}');
    expect(e.key).toBe('rules.mdl-unmatched-lok');
    expect(e.message).toContain(CONFIG_FILE_NAME);
    expect(e.message).toContain("unknown rule 'mdl-unmatched-lok'");
    expect(e.message).toContain('mdl-unmatched-lock');
  });

  it('reports a bad severity', () => {
    const e = configError('{"rules": {"mdl-unmatched-lock": "warning"}}');
    expect(e.key).toBe('rules.mdl-unmatched-lock');
    expect(e.detail).toMatch(/invalid severity "warning"/);
    const e2 = configError('{"rules": {"mdl-unmatched-lock": [3, {}]}}');
    expect(e2.key).toBe('rules.mdl-unmatched-lock[0]');
    const e3 = configError('{"rules": {"mdl-unmatched-lock": ["warn", {}, {}]}}');
    expect(e3.key).toBe('rules.mdl-unmatched-lock');
  });

  it('reports bad options with the option path', () => {
    const e = configError('{"rules": {"mdl-unmatched-lock": ["warn", {"maxPathSteps": 0}]}}');
    expect(e.key).toBe('rules.mdl-unmatched-lock[1].maxPathSteps');
    expect(e.detail).toMatch(/>= 1/);
    const e2 = configError('{"rules": {"mdl-unmatched-lock": ["warn", {"maxPathStep": 2}]}}');
    expect(e2.key).toBe('rules.mdl-unmatched-lock[1]');
    expect(e2.detail).toContain("unknown option 'maxPathStep'");
    const e3 = configError('{"rules": {"mdl-unmatched-lock": ["warn", {"ownershipSinks": ["a", 7]}]}}');
    expect(e3.key).toBe('rules.mdl-unmatched-lock[1].ownershipSinks[1]');
  });

  it('reports unknown top-level keys, bad ignorePatterns, bad root, non-objects and non-JSON', () => {
    expect(configError('{"rule": {}}').key).toBe('rule');
    expect(configError('{"ignorePatterns": "gen/"}').key).toBe('ignorePatterns');
    expect(configError('{"ignorePatterns": ["a", 1]}').key).toBe('ignorePatterns[1]');
    expect(configError('{"root": "yes"}').key).toBe('root');
    expect(configError('{"rules": []}').key).toBe('rules');
    expect(configError('[]').detail).toMatch(/JSON object/);
    const e = configError('{"rules": {\n  "mdl-unmatched-lock": "error",\n}}');
    expect(e.detail).toMatch(/^not valid JSON: .*line 3, column 1/);
    const c = configError('{\n  // severities\n  "rules": {}\n}');
    expect(c.detail).toMatch(/line 2, column 3\) \(comments are not allowed in JSON\)$/);
    expect(configError('').detail).toMatch(/^not valid JSON/);
  });

  it('reports a missing --config file', () => {
    expect(() => new ConfigResolver(RULES, { configFile: join(root, 'nope.json') })).toThrow(/cannot read configuration file: no such file/);
  });

  it('exports a schema that ajv compiles and that agrees with the validator', () => {
    const schema = buildConfigSchema(RULES);
    const validate = new Ajv({ strict: false }).compile(schema);
    expect(validate({ rules: { 'mdl-unmatched-lock': ['warn', { maxPathSteps: 2 }] } })).toBe(true);
    expect(validate({ rules: { 'other-rule': 'warn' } })).toBe(false);
    expect(validate({ rules: { 'mdl-unmatched-lock': 'warning' } })).toBe(false);
    const props = (schema.properties as Record<string, { properties?: Record<string, unknown> }>).rules!.properties!;
    expect(Object.keys(props)).toEqual(['mdl-unmatched-lock', 'mdl-probe-outside-try']);
  });
});

describe('config lookup', () => {
  it('uses defaults when there is no config file', () => {
    const d = dir({ 'a.c': '' });
    // a root config above stops the lookup from reaching the real filesystem's parents
    writeFileSync(join(d, CONFIG_FILE_NAME), '{"root": true}');
    const r = new ConfigResolver(RULES).forFile(join(d, 'a.c'));
    expect(r.rules).toEqual({
      'mdl-unmatched-lock': { severity: 2, options: { maxPathSteps: 8 } },
      'mdl-probe-outside-try': { severity: 1, options: {} },
    });
  });

  it('cascades: nearer files override farther ones per rule, up to root: true', () => {
    const d = dir({
      [CONFIG_FILE_NAME]: '{"root": true, "rules": {"mdl-probe-outside-try": "error", "mdl-unmatched-lock": ["warn", {"maxPathSteps": 3}]}, "ignorePatterns": ["gen/"]}',
      [`drv/${CONFIG_FILE_NAME}`]: '{"rules": {"mdl-unmatched-lock": "error"}, "ignorePatterns": ["*.tmh"]}',
      'drv/sub/x.c': '',
      'other/y.c': '',
    });
    const resolver = new ConfigResolver(RULES);
    const r = resolver.forFile(join(d, 'drv/sub/x.c'));
    expect(r.configFiles).toEqual([join(d, CONFIG_FILE_NAME), join(d, 'drv', CONFIG_FILE_NAME)]);
    // severity alone keeps the options from the farther file
    expect(r.rules['mdl-unmatched-lock']).toEqual({ severity: 2, options: { maxPathSteps: 3 } });
    expect(r.rules['mdl-probe-outside-try']!.severity).toBe(2);
    expect(r.ignores).toEqual([
      { dir: d, patterns: ['gen/'], file: join(d, CONFIG_FILE_NAME) },
      { dir: join(d, 'drv'), patterns: ['*.tmh'], file: join(d, 'drv', CONFIG_FILE_NAME) },
    ]);
    const o = resolver.forFile(join(d, 'other/y.c'));
    expect(o.rules['mdl-unmatched-lock']).toEqual({ severity: 1, options: { maxPathSteps: 3 } });
    // cached: same object for the same directory
    expect(resolver.forFile(join(d, 'drv/sub/z.c'))).toBe(r);
  });

  it('a nested root: true config hides the ones above', () => {
    const d = dir({
      [CONFIG_FILE_NAME]: '{"root": true, "rules": {"mdl-probe-outside-try": "off"}}',
      [`inner/${CONFIG_FILE_NAME}`]: '{"root": true, "rules": {"mdl-unmatched-lock": "warn"}}',
    });
    const r = new ConfigResolver(RULES).forFile(join(d, 'inner/a.c'));
    expect(r.rules['mdl-probe-outside-try']!.severity).toBe(1);
    expect(r.rules['mdl-unmatched-lock']!.severity).toBe(1);
  });

  it('--config applies one file everywhere and --rule overrides win', () => {
    const d = dir({
      'custom.json': '{"rules": {"mdl-probe-outside-try": "off"}}',
      [`sub/${CONFIG_FILE_NAME}`]: '{"rules": {"mdl-probe-outside-try": "error"}}',
    });
    const resolver = new ConfigResolver(RULES, { configFile: join(d, 'custom.json'), overrides: new Map([['mdl-unmatched-lock', 0 as const]]) });
    const r = resolver.forFile(join(d, 'sub/a.c'));
    expect(r.configFiles).toEqual([join(d, 'custom.json')]);
    expect(r.rules['mdl-probe-outside-try']!.severity).toBe(0);
    expect(r.rules['mdl-unmatched-lock']!.severity).toBe(0);
    expect(toLintOptions(r).rules['mdl-unmatched-lock']).toEqual({ severity: 0, options: { maxPathSteps: 8 } });
  });

  it('an invalid config found during lookup throws a ConfigError naming it', () => {
    const d = dir({ [CONFIG_FILE_NAME]: '{"root": true, "rules": {"nope": 1}}' });
    expect(() => new ConfigResolver(RULES).forFile(join(d, 'a.c'))).toThrow(ConfigError);
    expect(() => new ConfigResolver(RULES).forFile(join(d, 'a.c'))).toThrow(join(d, CONFIG_FILE_NAME));
  });
});

describe('irqlContracts (project-wide IRQL contract table)', () => {
  const VALID = '{"root": true, "irqlContracts": {"MyDrvWaitForDevice": {"max": 1, "source": "our header"}, "KeWaitForSingleObject": {"max": 1}}}';

  it('a valid entry loads and reaches the Project as irqlTable / irqlWords', () => {
    const d = dir({ [CONFIG_FILE_NAME]: VALID, 'drv/a.c': 'void f(void) { MyDrvWaitForDevice(); }\n', 'drv/b.c': 'int g(void) { return 0; }\n' });
    const resolver = new ConfigResolver(RULES);
    const files = [join(d, 'drv/a.c'), join(d, 'drv/b.c')];
    const contracts = resolver.irqlContractsFor(files);
    expect({ ...contracts }).toEqual({ MyDrvWaitForDevice: { max: 1, source: 'our header' }, KeWaitForSingleObject: { max: 1 } });
    const project = prepareProject(
      files.map((path) => ({ path, text: readFileSync(path, 'utf8') })),
      d,
      { irqlTable: resolver.irqlTableFor(files) },
    );
    expect(project.irqlTable.contract('MyDrvWaitForDevice')).toEqual({ max: 1, source: 'our header' });
    expect(project.irqlTable.contract('KeAcquireSpinLock')).toBe(irqlContract('KeAcquireSpinLock'));
    expect(project.irqlWords.test('MyDrvWaitForDevice (x)')).toBe(true);
    expect(project.irqlWords.test('KeAcquireSpinLock(&l, &old)')).toBe(true);
    // a file that only calls a user routine matters to the IRQL analysis: it is part of the program
    expect(project.allFiles().map((f) => f.path)).toEqual([join(d, 'drv/a.c')]);
    // without the config: the built-in table, and the file is not chosen
    const plain = prepareProject([{ path: join(d, 'drv/a.c'), text: readFileSync(join(d, 'drv/a.c'), 'utf8') }], d);
    expect(plain.irqlTable.contract('MyDrvWaitForDevice')).toBeUndefined();
    expect(plain.irqlWords.test('MyDrvWaitForDevice(x)')).toBe(false);
    expect(plain.allFiles()).toEqual([]);
  });

  it('a built-in name overridden replaces the built-in contract as a whole', () => {
    const d = dir({ [CONFIG_FILE_NAME]: VALID });
    const table = new ConfigResolver(RULES).irqlTableFor([join(d, 'a.c')]);
    expect(irqlContract('KeWaitForSingleObject')?.when?.length).toBeGreaterThan(0);
    expect(table.contract('KeWaitForSingleObject')).toEqual({ max: 1 });
    expect(table.contract('KeWaitForSingleObject')?.when).toBeUndefined(); // not merged field by field
    expect(irqlContract('KeWaitForSingleObject')?.when?.length).toBeGreaterThan(0); // the built-in table is untouched
  });

  it('the command passes the contracts of the run to the engine (real engine: Project.irqlTable)', async () => {
    const d = dir({ [CONFIG_FILE_NAME]: VALID, 'drv/a.c': 'void f(void) { MyDrvWaitForDevice(); }\n' });
    let prepared: Project | undefined;
    const spy: LintEngine = {
      ...engine,
      prepare: async (inputs, r, options) => (prepared = (await engine.prepare!(inputs, r, options)) as Project),
    };
    let stderr = '';
    await runCli(['-f', 'json', 'drv'], { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, cwd: d }, spy);
    expect(stderr).not.toContain('configuration error');
    expect(prepared).toBeDefined();
    expect(prepared!.irqlTable.contract('MyDrvWaitForDevice')).toEqual({ max: 1, source: 'our header' });
    expect(prepared!.irqlTable.contract('KeWaitForSingleObject')).toEqual({ max: 1 });
    expect(prepared!.irqlWords.test('MyDrvWaitForDevice(')).toBe(true);
  });

  it('a malformed entry is a one-line ConfigError naming the file and the entry', () => {
    const cases: [string, string, RegExp][] = [
      ['{"irqlContracts": {"MyDrvWaitForDevice": {"max": 40}}}', 'irqlContracts.MyDrvWaitForDevice', /max: must be an IRQL 0\.\.31/],
      ['{"irqlContracts": {"MyDrvWaitForDevice": {"min": 2, "max": 1}}}', 'irqlContracts.MyDrvWaitForDevice', /min 2 > max 1/],
      ['{"irqlContracts": {"MyDrvWaitForDevice": {"maxx": 1}}}', 'irqlContracts.MyDrvWaitForDevice', /unknown key "maxx"/],
      ['{"irqlContracts": {"MyLock": {"effect": {"op": "acquire", "kind": "spinlock"}}}}', 'irqlContracts.MyLock', /needs "lockArg" or "handleArg"/],
      ['{"irqlContracts": {"MyWait": {"max": 2, "when": [{"arg": 1, "is": "sometimes", "max": 1}]}}}', 'irqlContracts.MyWait', /when\[0\]\.is/],
      ['{"irqlContracts": {"my-wait": {"max": 1}}}', 'irqlContracts["my-wait"]', /C function/],
      ['{"irqlContracts": [{"max": 1}]}', 'irqlContracts', /must be an object mapping routine names/],
      ['{"irqlContracts": {"MyDrvWaitForDevice": 1}}', 'irqlContracts.MyDrvWaitForDevice', /must be an object/],
    ];
    for (const [text, key, detail] of cases) {
      const e = configError(text);
      expect(e.key, text).toBe(key);
      expect(e.detail, text).toMatch(detail);
      expect(e.message, text).toContain(CONFIG_FILE_NAME);
      expect(e.message, text).toContain(key);
      expect(e.message, text).not.toContain('\n');
    }
  });

  it('a malformed entry exits 2 with one line naming the file and the entry', async () => {
    const d = dir({ [CONFIG_FILE_NAME]: '{"root": true, "irqlContracts": {"MyDrvWaitForDevice": {"max": "APC_LEVEL"}}}', 'a.c': 'void f(void) {}\n' });
    let stderr = '';
    const code = await runCli(['a.c'], { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, cwd: d }, engine);
    expect(code).toBe(2);
    expect(stderr).toMatch(/^ddi-lint: configuration error in ddi-lint\.config\.json: irqlContracts\.MyDrvWaitForDevice: .*max: must be an IRQL 0\.\.31\n$/);
  });

  it('configs of the run are merged; a conflicting definition is an error naming both files', async () => {
    const d = dir({
      [CONFIG_FILE_NAME]: '{"root": true, "irqlContracts": {"MyDrvWaitForDevice": {"max": 1}, "MyDrvShared": {"max": 2, "source": "x"}}}',
      [`same/${CONFIG_FILE_NAME}`]: '{"irqlContracts": {"MyDrvShared": {"source": "x", "max": 2}, "MyDrvOnlyHere": {"min": 2, "max": 2}}}',
      [`bad/${CONFIG_FILE_NAME}`]: '{"irqlContracts": {"MyDrvWaitForDevice": {"max": 2}}}',
      'top.c': 'void t(void) {}\n',
      'same/s.c': 'void s(void) {}\n',
      'bad/b.c': 'void b(void) {}\n',
    });
    const resolver = new ConfigResolver(RULES);
    // identical entries (key order aside) are fine; each file's contracts join the one table
    const ok = resolver.irqlContractsFor([join(d, 'top.c'), join(d, 'same/s.c')]);
    expect(Object.keys(ok).sort()).toEqual(['MyDrvOnlyHere', 'MyDrvShared', 'MyDrvWaitForDevice']);
    // a config that applies to no linted file does not count
    expect(() => resolver.irqlContractsFor([join(d, 'top.c')])).not.toThrow();
    let err: unknown;
    try {
      resolver.irqlContractsFor([join(d, 'top.c'), join(d, 'bad/b.c')]);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(ConfigError);
    const e = err as ConfigError;
    expect(e.file).toBe(join(d, 'bad', CONFIG_FILE_NAME));
    expect(e.key).toBe('irqlContracts.MyDrvWaitForDevice');
    expect(e.detail).toContain(join(d, CONFIG_FILE_NAME));
    expect(e.message).not.toContain('\n');
    // through the command: exit 2, one line
    let stderr = '';
    const code = await runCli(['.'], { stdout: { write: () => true }, stderr: { write: (s: string) => (stderr += s) }, cwd: d }, engine);
    expect(code).toBe(2);
    expect(stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(stderr).toContain(`configuration error in ${join('bad', CONFIG_FILE_NAME)}: irqlContracts.MyDrvWaitForDevice: conflicts with the IRQL contract of MyDrvWaitForDevice in ${join(d, CONFIG_FILE_NAME)}`);
  });

  it('--print-config shows the contracts of the configs that apply to the file', async () => {
    const d = dir({ [CONFIG_FILE_NAME]: VALID, 'drv/a.c': 'void f(void) {}\n' });
    let stdout = '';
    const code = await runCli(['--print-config', 'drv/a.c'], { stdout: { write: (s: string) => (stdout += s) }, stderr: { write: () => true }, cwd: d }, engine);
    expect(code).toBe(0);
    expect(JSON.parse(stdout).irqlContracts).toEqual({ MyDrvWaitForDevice: { max: 1, source: 'our header' }, KeWaitForSingleObject: { max: 1 } });
  });

  it('--config: that file alone gives the contracts', () => {
    const d = dir({
      'custom.json': '{"irqlContracts": {"MyDrvWaitForDevice": {"max": 0}}}',
      [`sub/${CONFIG_FILE_NAME}`]: '{"irqlContracts": {"MyDrvWaitForDevice": {"max": 2}}}',
    });
    const resolver = new ConfigResolver(RULES, { configFile: join(d, 'custom.json') });
    expect({ ...resolver.irqlContractsFor([join(d, 'sub/a.c')]) }).toEqual({ MyDrvWaitForDevice: { max: 0 } });
  });

  it('the schema (--print-schema) describes irqlContracts', () => {
    const validate = new Ajv({ strict: false }).compile(buildConfigSchema(RULES));
    expect(validate({ irqlContracts: { MyDrvWaitForDevice: { max: 1, source: 'our header' } } })).toBe(true);
    expect(validate({ irqlContracts: { MyLock: { max: 2, effect: { op: 'acquire', kind: 'spinlock', lockArg: 0, raiseTo: 2, savedTo: 'return' } } } })).toBe(true);
    expect(validate({ irqlContracts: { MyDrvWaitForDevice: { max: 40 } } })).toBe(false);
    expect(validate({ irqlContracts: { 'my-wait': { max: 1 } } })).toBe(false);
    expect(validate({ irqlContracts: { MyDrvWaitForDevice: { maxx: 1 } } })).toBe(false);
  });
});
