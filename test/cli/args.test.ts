import { describe, expect, it } from 'vitest';
import { parseArgs, UsageError } from '../../src/cli/args.js';

describe('parseArgs', () => {
  it('defaults', () => {
    expect(parseArgs([])).toMatchObject({ patterns: [], format: 'stylish', maxWarnings: -1, quiet: false, ignore: true, errorOnUnmatchedPattern: true, maxFileSizeMiB: 64 });
  });

  it('values as separate arguments or with =, short forms, repeated --rule', () => {
    const o = parseArgs(['-f', 'json', '--output-file=out.json', 'src', '--rule', 'a:off', '--rule=b : warn', '-c', 'cfg.json', '--max-warnings', '-1', 'x.c']);
    expect(o).toMatchObject({
      format: 'json',
      outputFile: 'out.json',
      patterns: ['src', 'x.c'],
      rules: [
        { id: 'a', severity: 'off' },
        { id: 'b', severity: 'warn' },
      ],
      config: 'cfg.json',
      maxWarnings: -1,
    });
  });

  it('-- ends the options', () => {
    expect(parseArgs(['--quiet', '--', '--weird-name.c', '-x.c']).patterns).toEqual(['--weird-name.c', '-x.c']);
  });

  it('usage errors', () => {
    const err = (argv: string[]) => {
      try {
        parseArgs(argv);
      } catch (e) {
        expect(e).toBeInstanceOf(UsageError);
        return (e as Error).message;
      }
      throw new Error(`no error for ${argv.join(' ')}`);
    };
    expect(err(['--bogus'])).toBe("unknown option '--bogus' (see ddi-lint --help)");
    expect(err(['--format'])).toBe('option --format needs a value (NAME|PATH)');
    expect(err(['--format', '--quiet'])).toBe('option --format needs a value (NAME|PATH)');
    expect(err(['--format='])).toBe('option --format needs a value (NAME|PATH)');
    expect(err(['--quiet=yes'])).toBe('option --quiet takes no value');
    expect(err(['--max-warnings', '1.5'])).toBe("--max-warnings needs an integer, got '1.5'");
    expect(err(['--max-warnings', '-2'])).toBe('--max-warnings must be at least -1, got -2');
    expect(err(['--max-file-size', '0'])).toBe('--max-file-size must be at least 1, got 0');
    expect(err(['--rule', 'nocolon'])).toMatch(/^--rule needs ID:SEVERITY/);
    expect(err(['-'])).toMatch(/stdin/);
  });
});
