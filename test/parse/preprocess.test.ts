/**
 * Position-preserving preprocessing: every construct we neutralize, on small snippets. Each case checks
 * (1) the text keeps its length and its newlines, (2) a later token keeps its line and column in the
 * tree, (3) the parse has no ERROR/MISSING node where tree-sitter alone has one (when that is the point),
 * (4) what was blanked is recorded as an annotation of the right kind.
 */
import { describe, expect, it } from 'vitest';
import { preprocess, type AnnotationKind } from '../../src/parse/preprocess.js';
import { parseRaw, parseSource, type SyntaxNode } from '../../src/parse/parser.js';

/** Row/column of the `nth` occurrence of `needle` in `text` (0-based, UTF-16 columns). */
function posOf(text: string, needle: string, nth = 0): { row: number; column: number; index: number } {
  let index = -1;
  for (let k = 0; k <= nth; k++) {
    index = text.indexOf(needle, index + 1);
    if (index < 0) throw new Error(`'${needle}' not found`);
  }
  const before = text.slice(0, index);
  const row = before.split('\n').length - 1;
  return { row, column: index - (before.lastIndexOf('\n') + 1), index };
}

function findNode(root: SyntaxNode, pred: (n: SyntaxNode) => boolean): SyntaxNode | undefined {
  const stack = [root];
  while (stack.length) {
    const n = stack.pop()!;
    if (pred(n)) return n;
    for (let k = n.childCount - 1; k >= 0; k--) stack.push(n.child(k)!);
  }
  return undefined;
}

/** The identifier (or field) node that starts exactly where `needle` occurs. */
function nodeAt(root: SyntaxNode, text: string, needle: string, nth = 0): SyntaxNode | undefined {
  const p = posOf(text, needle, nth);
  return findNode(root, (n) => n.startIndex === p.index && n.childCount === 0);
}

function expectSameShape(src: string, out: string): void {
  expect(out.length).toBe(src.length);
  // UTF-16 code units, as tree-sitter counts columns for JS strings
  const nl = (s: string) => {
    const out: string[] = [];
    for (let k = 0; k < s.length; k++) if (s[k] === '\n' || s[k] === '\r') out.push(`${k}:${s[k]}`);
    return out;
  };
  expect(nl(out)).toEqual(nl(src));
}

/** Parse with preprocessing, check shape, positions of `later` and the absence of errors. */
function check(src: string, lang: 'c' | 'cpp', later: string, opts: { rawHasError?: boolean; kinds?: AnnotationKind[]; nth?: number } = {}) {
  const pp = preprocess(src, lang);
  expectSameShape(src, pp.text);
  const sf = parseSource(lang === 'c' ? 'snippet.c' : 'snippet.cpp', src);
  expect(sf.parsedText).toBe(pp.text);
  expect(sf.tree.rootNode.hasError, `errors after preprocessing:\n${pp.text}`).toBe(false);
  if (opts.rawHasError !== undefined) expect(parseRaw(src, lang).rootNode.hasError).toBe(opts.rawHasError);
  const p = posOf(src, later, opts.nth ?? 0);
  const leaf = nodeAt(sf.tree.rootNode, src, later, opts.nth ?? 0);
  expect(leaf, `no token at '${later}'`).toBeDefined();
  expect(leaf!.startPosition).toEqual({ row: p.row, column: p.column });
  expect(leaf!.text).toBe(later.match(/^[A-Za-z_]\w*|^\S/)![0]);
  for (const k of opts.kinds ?? []) expect(pp.annotations.map((a) => a.kind)).toContain(k);
  return { pp, sf };
}

describe('SAL, IN/OUT/OPTIONAL, calling conventions, declaration macros', () => {
  it('blanks SAL 2 with nested arguments and keeps its text', () => {
    const src = [
      '_IRQL_requires_max_(APC_LEVEL)',
      '_Must_inspect_result_',
      '_When_(Flags & (1 | 2), _IRQL_requires_(PASSIVE_LEVEL))',
      'NTSTATUS',
      'Fn(',
      '    _In_reads_bytes_(Length) PVOID Buffer,',
      '    _In_ ULONG Length',
      '    )',
      '{',
      '    return MmProbe(Buffer, Length);',
      '}',
      '',
    ].join('\n');
    const { pp, sf } = check(src, 'c', 'MmProbe', { rawHasError: true, kinds: ['sal'] });
    const sal = pp.annotations.filter((a) => a.kind === 'sal');
    expect(sal.map((a) => a.name)).toEqual(['_IRQL_requires_max_', '_Must_inspect_result_', '_When_', '_In_reads_bytes_', '_In_']);
    expect(sal[0]!.text).toBe('_IRQL_requires_max_(APC_LEVEL)');
    expect(sal[2]!.text).toBe('_When_(Flags & (1 | 2), _IRQL_requires_(PASSIVE_LEVEL))');
    expect(src.slice(sal[3]!.start, sal[3]!.end)).toBe('_In_reads_bytes_(Length)');
    expect(sf.functions.map((f) => [f.name, f.params, f.hasError])).toEqual([['Fn', ['Buffer', 'Length'], false]]);
  });

  it('blanks SAL 1 / driver SAL (__in, __drv_maxIRQL(2), __RPC__in)', () => {
    const src = '__drv_maxIRQL(2)\n__checkReturn\nNTSTATUS\nFn(__in PVOID p, __out_opt PULONG q, __RPC__in REFGUID g)\n{\n    return Go(p);\n}\n';
    const { pp } = check(src, 'c', 'Go', { kinds: ['sal'] });
    expect(pp.annotations.filter((a) => a.kind === 'sal').map((a) => a.text)).toEqual(['__drv_maxIRQL(2)', '__checkReturn', '__in', '__out_opt', '__RPC__in']);
  });

  it('does not take an all-capitals _NAME_ constant, a struct tag or a member for SAL', () => {
    const src = 'typedef struct _Rate_ { int a; } RATE;\nVOID Fn(PCTX c)\n{\n    DbgPrint("%s", _DRIVER_NAME_);\n    c->_Data_ = 1;\n    Go(c);\n}\n';
    const { pp } = check(src, 'c', 'Go');
    expect(pp.text).toContain('_DRIVER_NAME_');
    expect(pp.text).toContain('struct _Rate_');
    expect(pp.text).toContain('c->_Data_');
  });

  it('blanks IN/OUT/OPTIONAL, calling conventions and declaration macros', () => {
    const src = [
      'PAGED_CODE_SEG',
      'NTSTATUS NTAPI',
      'Fn(IN PDEVICE_OBJECT DeviceObject, IN OUT PIRP Irp, OUT PULONG Info OPTIONAL)',
      '{',
      '    return IoCallDriver(DeviceObject, Irp);',
      '}',
      'VOID FASTCALL __stdcall Gn(VOID) { Hn(); }',
      '',
    ].join('\n');
    const { pp, sf } = check(src, 'c', 'IoCallDriver', { rawHasError: true, kinds: ['macro'] });
    expect(pp.annotations.filter((a) => a.kind === 'macro').map((a) => a.name)).toEqual(['PAGED_CODE_SEG', 'NTAPI', 'IN', 'IN', 'OUT', 'OUT', 'OPTIONAL', 'FASTCALL', '__stdcall']);
    expect(sf.functions.map((f) => f.name)).toEqual(['Fn', 'Gn']);
    expect(sf.functions[0]!.params).toEqual(['DeviceObject', 'Irp', 'Info']);
  });

  it('blanks an unknown prefix macro before a declaration (A B C( ) but never a return type', () => {
    const src = 'SCSIPORT_API\nNTSTATUS\nClassFn(\n    PVOID p\n    )\n{\n    return Go(p);\n}\nNTSTATUS\nOther(PVOID p)\n{\n    return Go(p);\n}\n';
    const { pp, sf } = check(src, 'c', 'Go', { rawHasError: true, kinds: ['macro'] });
    expect(pp.annotations.filter((a) => a.kind === 'macro').map((a) => a.name)).toEqual(['SCSIPORT_API']);
    expect(sf.functions.map((f) => f.name)).toEqual(['ClassFn', 'Other']);
    expect(pp.text).toContain('NTSTATUS\nOther');
  });

  it('in `TYPE MACRO_API Fn(` blanks the macro, not the return type', () => {
    const src = 'NTSTATUS MYDRV_API\nFn(PVOID p)\n{\n    return Go(p);\n}\nPAGED void Enter()\n{\n    Go(0);\n}\n';
    const { pp, sf } = check(src, 'cpp', 'Go');
    expect(pp.annotations.filter((a) => a.kind === 'macro').map((a) => a.name)).toEqual(['MYDRV_API', 'PAGED']);
    expect(pp.text.startsWith('NTSTATUS          ')).toBe(true);
    expect(sf.functions.map((f) => f.name)).toEqual(['Fn', 'Enter']);
  });

  it('blanks code-placement macros and __declspec(code_seg(...)) before C++ members, keeps __declspec(align(...))', () => {
    const src = [
      'class KLock',
      '{',
      'public:',
      '    PAGED KLock() : m_Held(false) { }',
      '    NONPAGED ~KLock() { Release(); }',
      '    __declspec(code_seg("PAGE"))',
      '    void Acquire() { Go(); }',
      '    int m_Held;',
      '};',
      '',
    ].join('\n');
    const { pp, sf } = check(src, 'cpp', 'Go');
    expect(pp.annotations.filter((a) => a.kind === 'macro').map((a) => a.text)).toEqual(['PAGED', 'NONPAGED', '__declspec(code_seg("PAGE"))']);
    expect(sf.functions.map((f) => f.name)).toEqual(['KLock', '~KLock', 'Acquire']);
    const aligned = 'typedef __declspec(align(16)) struct _X { int a; } X;\n';
    expect(preprocess(aligned, 'c').text).toBe(aligned);
  });

  it('replaces type macros by their type (STDMETHODIMP, STDMETHODIMP_(ULONG))', () => {
    const src = 'STDMETHODIMP CFoo::Bar(int x)\n{\n    return Go(x);\n}\nSTDMETHODIMP_(ULONG) CFoo::AddRef()\n{\n    return Go(1);\n}\n';
    const { pp, sf } = check(src, 'cpp', 'Go', { nth: 1 });
    expect(pp.text.slice(0, 12)).toBe('HRESULT     ');
    expect(sf.functions.map((f) => f.name)).toEqual(['CFoo::Bar', 'CFoo::AddRef']);
  });
});

describe('SEH spellings', () => {
  it('rewrites WDK try/except/finally/leave in C files by borrowing whitespace', () => {
    const src = [
      'VOID Fn(PMDL Mdl)',
      '{',
      '    try {',
      '        try {',
      '            MmProbeAndLockPages(Mdl, KernelMode, IoReadAccess);',
      '        } except (EXCEPTION_EXECUTE_HANDLER) {',
      '            leave;',
      '        }',
      '    } finally {',
      '        Done(Mdl);',
      '    }',
      '}',
      '',
    ].join('\n');
    const { pp, sf } = check(src, 'c', 'Done', { rawHasError: true, kinds: ['seh'] });
    expect(pp.annotations.filter((a) => a.kind === 'seh').map((a) => a.name)).toEqual(['try', 'try', 'except', 'leave', 'finally']);
    const body = sf.functions[0]!.body;
    expect(findNode(body, (n) => n.type === 'seh_except_clause')).toBeDefined();
    expect(findNode(body, (n) => n.type === 'seh_finally_clause')).toBeDefined();
    expect(findNode(body, (n) => n.type === 'seh_leave_statement')).toBeDefined();
    // the probe keeps its position
    const probe = nodeAt(sf.tree.rootNode, src, 'MmProbeAndLockPages')!;
    expect(probe.startPosition).toEqual({ row: 4, column: 12 });
  });

  it('handles `}except(` without whitespace by moving only the brace left within its indentation', () => {
    const src = 'VOID Fn(PMDL Mdl)\n{\n    try {\n        MmProbeAndLockPages(Mdl, UserMode, IoReadAccess);\n    }except(EXCEPTION_EXECUTE_HANDLER) {\n        Fail(Mdl);\n    }\n}\n';
    const { pp } = check(src, 'c', 'Fail', { rawHasError: true, kinds: ['seh'] });
    const line = pp.text.split('\n')[4]!;
    expect(line).toBe('  }__except(EXCEPTION_EXECUTE_HANDLER) {');
    // the filter's parenthesis did not move
    expect(line.indexOf('(')).toBe(src.split('\n')[4]!.indexOf('('));
  });

  it("maps classpnp's TRY / LEAVE / FINALLY to __try / __leave / __finally", () => {
    const src = 'VOID Fn(VOID)\n{\n    TRY {\n        if (Bad()) {\n            LEAVE;\n        }\n    } FINALLY {\n        Cleanup();\n    }\n}\n';
    const { sf } = check(src, 'c', 'Cleanup', { rawHasError: true, kinds: ['seh'] });
    expect(findNode(sf.functions[0]!.body, (n) => n.type === 'seh_finally_clause')).toBeDefined();
  });

  it('leaves C++ try/catch alone in C++ files', () => {
    const src = 'void Fn()\n{\n    try {\n        Go();\n    } catch (...) {\n        Fail();\n    }\n}\n';
    const { pp, sf } = check(src, 'cpp', 'Fail');
    expect(pp.text).toBe(src);
    expect(findNode(sf.tree.rootNode, (n) => n.type === 'try_statement')).toBeDefined();
  });
});

describe('statement-like macros, keyword macros, literals', () => {
  it('blanks ALL_CAPS(args) written without a semicolon on its own line', () => {
    const src = 'VOID Fn(PIRP Irp)\n{\n    UNREFERENCED_PARAMETER(Irp)\n    DBG_TRACE((TRACE_LEVEL_INFO, "x %d", 1))\n    PAGED_CODE();\n    Go(Irp);\n}\n';
    const { pp } = check(src, 'c', 'Go', { rawHasError: true, kinds: ['stmt-macro'] });
    expect(pp.annotations.filter((a) => a.kind === 'stmt-macro').map((a) => a.name)).toEqual(['UNREFERENCED_PARAMETER', 'DBG_TRACE']);
    expect(pp.text).toContain('PAGED_CODE();'); // with its semicolon it is a call and stays
  });

  it('keeps a capitalized call that continues an expression', () => {
    const src = 'VOID Fn(VOID)\n{\n    x = MAX_OF(a, b)\n        + 1;\n    Go(x);\n}\n';
    const { pp } = check(src, 'c', 'Go');
    expect(pp.text).toBe(src);
  });

  it('turns WHILE(constant) and CONST into keywords, and for-each macros into while loops', () => {
    const src = [
      'VOID Fn(PLIST_ENTRY Head)',
      '{',
      '    CONST ULONG n = 1;',
      '    PITEM item, next;',
      '    WHILE (n) {',
      '        break;',
      '    }',
      '    LIST_FOR_EACH_SAFE(item, next, Head) {',
      '        Use(item);',
      '    }',
      '}',
      '',
    ].join('\n');
    const { pp, sf } = check(src, 'c', 'Use', { rawHasError: true, kinds: ['keyword-macro'] });
    expect(pp.text.split('\n')[7]).toBe('    while             (item, next, Head) {');
    const whiles = [];
    const stack = [sf.functions[0]!.body];
    while (stack.length) {
      const n = stack.pop()!;
      if (n.type === 'while_statement') whiles.push(n);
      stack.push(...n.namedChildren);
    }
    expect(whiles.length).toBe(2);
  });

  it('does not turn a function definition named ForEach... into a loop', () => {
    const src = 'VOID\nForEachEntry(\n    PLIST_ENTRY Head\n    )\n{\n    Go(Head);\n}\n';
    const { pp, sf } = check(src, 'c', 'Go');
    expect(pp.text).toBe(src);
    expect(sf.functions.map((f) => f.name)).toEqual(['ForEachEntry']);
  });

  it('rewrites MSVC integer suffixes to standard ones of the same length', () => {
    const src = 'VOID Fn(VOID)\n{\n    x = 1I64 << 3;\n    y = 0xffffffffffffffffui64;\n    Go(x);\n}\n';
    const { pp } = check(src, 'c', 'Go', { rawHasError: true, kinds: ['literal'] });
    expect(pp.text).toContain('x = 1LL  << 3;');
    expect(pp.text).toContain('y = 0xffffffffffffffffULL ;');
  });

  it('replaces a comparison operator passed alone as a macro argument by 0 (ASSERT3P(a, ==, b))', () => {
    const src = 'VOID Fn(PMDL Mdl, PUCHAR Va)\n{\n    ASSERT3P(Va, ==, Mdl->MappedSystemVa);\n    ASSERT3U(Mdl->ByteCount, <=, PAGE_SIZE);\n    ASSERT3U(Mdl->ByteCount, >, 0);\n    Go(Va);\n}\n';
    const { pp } = check(src, 'c', 'Go', { rawHasError: true, kinds: ['operator-argument'] });
    expect(pp.text).toContain('ASSERT3P(Va, 0 , Mdl->MappedSystemVa);');
    expect(pp.text).toContain('ASSERT3U(Mdl->ByteCount, 0 , PAGE_SIZE);');
    expect(pp.text).toContain('ASSERT3U(Mdl->ByteCount, 0, 0);');
    expect(pp.annotations.filter((a) => a.kind === 'operator-argument').map((a) => a.text)).toEqual(['==', '<=', '>']);
  });

  it('sets aside the * of a pointer type passed to a macro (EBPF_RETURN_POINTER(MDL*, mdl)), not a product', () => {
    const src = 'PMDL Fn(PMDL mdl, ULONG a, ULONG b)\n{\n    LOG_VALUE(ULONG, a * b);\n    RD_RETURN_POINTER(MDL*, mdl);\n}\n';
    const { pp } = check(src, 'c', 'LOG_VALUE', { rawHasError: true, kinds: ['operator-argument'] });
    expect(pp.text).toContain('LOG_VALUE(ULONG, a * b);');
    expect(pp.text).toContain('RD_RETURN_POINTER(MDL , mdl);');
  });

  it('leaves comparisons between commas that are not alone as they are', () => {
    const src = 'VOID Fn(int a, int b)\n{\n    Go(a, a == b, b >= 0, (a < b), !a);\n}\n';
    const { pp } = check(src, 'c', 'Go');
    expect(pp.text).toBe(src);
  });

  it('blanks __pragma(...) operators', () => {
    const src = 'VOID Fn(VOID)\n{\n    __pragma(warning(suppress: 4127)) while (1) { break; }\n    Go();\n}\n';
    const { pp } = check(src, 'c', 'Go', { kinds: ['pragma'] });
    expect(pp.annotations.find((a) => a.kind === 'pragma')!.text).toBe('__pragma(warning(suppress: 4127))');
  });
});

describe('labels, pragmas and #if blocks inside bodies', () => {
  it('writes a ; into whitespace after a label that ends a block', () => {
    const src = 'NTSTATUS Fn(VOID)\n{\n    if (Bad()) goto Exit;\n    Go();\n  Exit:\n    }\n';
    // (the closing brace is indented, so there is whitespace for the empty statement)
    const { pp } = check(src, 'c', 'Go', { rawHasError: true, kinds: ['fixup'] });
    expect(pp.text.split('\n')[5]).toBe(';   }');
  });

  it('blanks a #pragma that splits a statement but keeps one between statements', () => {
    const src = [
      'VOID Fn(PVOID p)',
      '{',
      '#pragma warning(push)',
      '    if (p)',
      '#pragma warning(suppress: 6014)',
      '        Go(p);',
      '  Exit:',
      '',
      '#pragma warning(pop)',
      '    Done(p);',
      '}',
      '',
    ].join('\n');
    const { pp } = check(src, 'c', 'Done', { rawHasError: true });
    const lines = pp.text.split('\n');
    expect(lines[2]).toBe('#pragma warning(push)');
    expect(lines[4]!.trim()).toBe('');
    expect(lines[8]!.trim()).toBe('');
    // every pragma is recorded, blanked or not
    expect(pp.annotations.filter((a) => a.kind === 'pragma').map((a) => a.text)).toEqual(['#pragma warning(push)', '#pragma warning(suppress: 6014)', '#pragma warning(pop)']);
  });

  it('blanks a #pragma inside a for header', () => {
    const src = 'VOID Fn(PDRIVER_OBJECT DriverObject)\n{\n    PDEVICE_OBJECT d;\n    for (d = DriverObject->DeviceObject;\n         d != NULL;\n#pragma prefast(suppress:28175, "opaque field")\n         d = d->NextDevice) {\n        Go(d);\n    }\n}\n';
    const { pp } = check(src, 'c', 'Go', { rawHasError: true });
    expect(pp.text.split('\n')[5]!.trim()).toBe('');
  });

  it('keeps well-nested #if/#else blocks as alternatives', () => {
    const src = 'VOID Fn(PMDL Mdl)\n{\n#if DBG\n    Trace(Mdl);\n#else\n    Quiet(Mdl);\n#endif\n    Go(Mdl);\n}\n';
    const { pp, sf } = check(src, 'c', 'Go');
    expect(pp.text).toBe(src);
    expect(findNode(sf.functions[0]!.body, (n) => n.type === 'preproc_if')).toBeDefined();
  });

  it('flattens an #if that splits a condition to its first branch', () => {
    const src = [
      'BOOLEAN Fn(ULONG k)',
      '{',
      '    return (k == 1 ||',
      '#if (NTDDI_VERSION >= NTDDI_WIN8)',
      '            k == 2 ||',
      '#endif',
      '            k == 3);',
      '}',
      '',
    ].join('\n');
    const { pp } = check(src, 'c', 'k == 3', { rawHasError: true, kinds: ['directive'] });
    expect(pp.text.split('\n')[3]!.trim()).toBe('');
    expect(pp.text.split('\n')[4]).toBe('            k == 2 ||');
  });

  it('flattens #if/#else branches with unbalanced braces, keeping the first branch', () => {
    const src = [
      'VOID Fn(PIRP Irp)',
      '{',
      '#ifdef USE_MDL',
      '    if (Irp->MdlAddress != NULL) {',
      '#else',
      '    if (Irp->UserBuffer != NULL) {',
      '#endif',
      '        Go(Irp);',
      '    }',
      '}',
      '',
    ].join('\n');
    const { pp, sf } = check(src, 'c', 'Go', { rawHasError: true, kinds: ['directive', 'inactive'] });
    const lines = pp.text.split('\n');
    expect(lines[3]).toBe('    if (Irp->MdlAddress != NULL) {');
    expect(lines[5]!.trim()).toBe('');
    expect(sf.functions.map((f) => f.name)).toEqual(['Fn']);
  });

  it('flattens an #if whose branch starts with else', () => {
    const src = 'VOID Fn(int a)\n{\n    if (a == 1) One();\n#if EXTRA\n    else if (a == 2) Two();\n#endif\n    else Other();\n}\n';
    check(src, 'c', 'Other', { rawHasError: true, kinds: ['directive'] });
  });

  it('flattens alternative function headers (`)` before #else/#endif, the body after)', () => {
    const src = [
      '#if (NTDDI_VERSION >= NTDDI_WIN7)',
      'void',
      'Classify(',
      '   _In_ const VALUES* values,',
      '   _In_opt_ const void* context',
      '   )',
      '#else',
      'void',
      'Classify(',
      '   _In_ const VALUES* values',
      '   )',
      '#endif',
      '{',
      '   Go(values);',
      '}',
      '',
    ].join('\n');
    const { sf } = check(src, 'c', 'Go', { rawHasError: true, kinds: ['directive', 'inactive'] });
    expect(sf.functions.map((f) => [f.name, f.params])).toEqual([['Classify', ['values', 'context']]]);
  });

  it('flattens a branch that closes and reopens a block (`} else if (...) {`)', () => {
    const src = [
      'VOID Fn(ULONG code)',
      '{',
      '    if (code == 1) {',
      '        One();',
      '#if (NTDDI_VERSION >= NTDDI_WIN7)',
      '    } else if (code == 2) {',
      '        Two();',
      '#endif',
      '    }',
      '    Go();',
      '}',
      '',
    ].join('\n');
    check(src, 'c', 'Go', { rawHasError: true, kinds: ['directive'] });
  });

  it('blanks a #pragma between a function header and its body, and between } and except', () => {
    const src = [
      'VOID',
      'Fn(PMDL Mdl)',
      '// acquires the tag',
      '#pragma warning(suppress:28104)',
      '{',
      '    try {',
      '        MmProbeAndLockPages(Mdl, KernelMode, IoWriteAccess);',
      '    }',
      '#pragma warning(suppress: 6320)',
      '    except(EXCEPTION_EXECUTE_HANDLER) {',
      '        Fail(Mdl);',
      '    }',
      '}',
      '',
    ].join('\n');
    const { pp, sf } = check(src, 'c', 'Fail', { rawHasError: true, kinds: ['seh'] });
    expect(pp.text.split('\n')[3]!.trim()).toBe('');
    expect(pp.text.split('\n')[8]!.trim()).toBe('');
    expect(findNode(sf.functions[0]!.body, (n) => n.type === 'seh_except_clause')).toBeDefined();
  });

  it('blanks a capitalized statement macro without semicolon in C, but never an Mm/Io/Ke call', () => {
    const src = 'VOID Fn(PIRP_CONTEXT IrpContext)\n{\n    Pin(IrpContext);\n    DbgDoit( IrpContext->PinCount += 1 )\n    Go(IrpContext);\n}\n';
    const { pp } = check(src, 'c', 'Go', { rawHasError: true, kinds: ['stmt-macro'] });
    expect(pp.annotations.find((a) => a.kind === 'stmt-macro')!.text).toBe('DbgDoit( IrpContext->PinCount += 1 )');
    const mm = 'VOID Fn(PMDL m)\n{\n    Pin(m);\n    MmUnlockPages( m )\n    Go(m);\n}\n';
    expect(preprocess(mm, 'c').text).toBe(mm);
  });

  it('resolves #if 0 and __cplusplus by language', () => {
    const src = [
      '#ifdef __cplusplus',
      'extern "C" {',
      '#endif',
      'VOID Fn(VOID)',
      '{',
      '#if 0',
      '    this is not code, it was commented out with #if 0',
      '#endif',
      '    Go();',
      '}',
      '#ifdef __cplusplus',
      '}',
      '#endif',
      '',
    ].join('\n');
    const { pp } = check(src, 'c', 'Go', { kinds: ['inactive'] });
    expect(pp.text).not.toContain('extern "C"');
    expect(pp.text).not.toContain('commented out');
    const cpp = check(src, 'cpp', 'Go');
    expect(cpp.pp.text).toContain('extern "C" {');
  });

  it('records what it blanks for #if groups as directive / inactive annotations with the original text', () => {
    const src = 'VOID Fn(VOID)\n{\n#if 0\n    Old();\n#else\n    New();\n#endif\n}\n';
    const { pp } = check(src, 'c', 'New');
    const inactive = pp.annotations.find((a) => a.kind === 'inactive')!;
    expect(src.slice(inactive.start, inactive.end)).toBe(inactive.text);
    expect(inactive.text).toContain('Old();');
    expect(pp.text).toContain('    New();');
  });
});

describe('invariants', () => {
  it('never changes length or newlines on arbitrary driver-ish input (CRLF, tabs, unicode, unterminated strings)', () => {
    const pieces = [
      '_In_ ', 'IN ', 'try {', '} except(', 'leave;', '#if 0\r\n', '#else\n', '#endif\n', '#pragma x\n', '"unterminated\n',
      '// comment é\n', '/* block\n */', 'LIST_FOR_EACH(a) {', 'Exit:\n', '}', '{', '(', ')', ';', '\t', ' ', '\r\n', '1I64', 'WHILE (',
      'STDMETHODIMP ', 'X_Y(1)\n', '_When_(a, b) ', '__pragma(x)', 'é', '𝒳', "'\\''", 'SCSIPORT_API NTSTATUS F(',
    ];
    let seed = 7;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) >>> 0) / 2 ** 32);
    for (let round = 0; round < 300; round++) {
      let src = '';
      const n = 1 + Math.floor(rnd() * 60);
      for (let k = 0; k < n; k++) src += pieces[Math.floor(rnd() * pieces.length)];
      for (const lang of ['c', 'cpp'] as const) {
        const pp = preprocess(src, lang);
        expectSameShape(src, pp.text);
        for (const a of pp.annotations) {
          expect(a.start).toBeGreaterThanOrEqual(0);
          expect(a.end).toBeLessThanOrEqual(src.length);
          if (a.kind !== 'pragma' || a.name !== 'pragma') expect(src.slice(a.start, a.end)).toBe(a.text);
        }
      }
    }
  });

  it('is linear: a 4 MB file preprocesses in well under a second per MB', () => {
    const unit = 'VOID Fn(_In_ PVOID p)\n{\n#if DBG\n    Trace(p);\n#endif\n    try {\n        Go(p);\n    } except (1) {\n        Fail();\n    }\n}\n';
    const src = unit.repeat(Math.ceil((4 * 1024 * 1024) / unit.length));
    const t0 = performance.now();
    const pp = preprocess(src, 'c');
    const ms = performance.now() - t0;
    expect(pp.text.length).toBe(src.length);
    expect(ms).toBeLessThan(4000);
    // adversarial input stays linear: deep nesting, unbalanced argument lists, long #elif chains, labels
    const adversarial = [
      '_When_(' + '('.repeat(50000) + ')'.repeat(50000) + ')\nint x;\n',
      '#if A\n'.repeat(20000) + 'x = 1;\n' + '#endif\n'.repeat(20000),
      '#if A\n' + 'x;\n#elif B\n'.repeat(20000) + '#endif\n',
      ('_In_reads_(x ' + 'a '.repeat(100)).repeat(2000),
      'LIST_FOR_EACH(a,b\n'.repeat(20000),
      'void f(void)\n{\n' + 'L1:\n#if X\n y();\n#endif\n'.repeat(10000) + '}\n',
      '#if A\n{\n#else\n{\n#endif\n'.repeat(10000),
    ];
    for (const text of adversarial) {
      const t1 = performance.now();
      expect(preprocess(text, 'c').text.length).toBe(text.length);
      expect(performance.now() - t1).toBeLessThan(3000); // quadratic behaviour took 4-14 s here
    }
  });
});

describe('data tables', () => {
  it('blanks the contents of a numeric initializer of 4 KiB or more, keeping lines and later positions', () => {
    const big = `static const UCHAR Image[] = {\n${'    0x00, 0x01, 0x02, 0x03,\n'.repeat(200)}};\nint small[] = { 1, 2, 3 };\nVOID F(VOID) { KeStallExecutionProcessor(1); }\n`;
    const pp = preprocess(big, 'c');
    expect(pp.text.length).toBe(big.length);
    expect(pp.text.split('\n').length).toBe(big.split('\n').length);
    expect(pp.text).not.toContain('0x01');
    expect(pp.text).toContain('{ 1, 2, 3 }'); // a small initializer stays
    const f = parseSource('t.c', big);
    expect(f.tree.rootNode.hasError).toBe(false);
    const at = posOf(big, 'KeStallExecutionProcessor');
    expect(f.tree.rootNode.descendantForIndex(at.index).startPosition).toEqual({ row: at.row, column: at.column });
    // a table that holds anything else than integer literals is left alone
    const mixed = big.replace('0x02', 'Foo(0)');
    expect(preprocess(mixed, 'c').text).toContain('0x01');
  });
});
