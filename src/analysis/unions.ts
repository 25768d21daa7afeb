/**
 * Members of a union share their storage: NTFS's IRP context keeps the MDL it must free in
 * `IrpContext->Union.MdlToCleanup` and clears the slot with `IrpContext->Union.NtfsIoContext = NULL`.
 * Access paths name one member for all of them (`unionAliases`), so that a write through one member is a
 * write of the others; the name kept is the member of MDL type when there is one (it names the MDL in
 * messages), else the first member.
 *
 * Read from the text alone, like the raising macros (every input's text, whether or not the program parses
 * it): the named union fields of structures, `union [tag] { members } Field;`, whose members are plain
 * declarations (no nested braces). A field name whose unions disagree (two structures with a `u` of
 * different members) keeps only the members they agree on.
 */

/** The union fields a text declares, as `Field=canonical|member|member...` entries. */
export function textUnions(text: string): string[] {
  if (!/\bunion\b/.test(text)) return [];
  const out: string[] = [];
  const t = text.replace(/\/\*[\s\S]*?\*\//g, ' ').replace(/\/\/[^\n]*/g, ' ');
  for (const m of t.matchAll(/\bunion\b\s*(?:[A-Za-z_]\w*\s*)?\{([^{}]*)\}\s*([A-Za-z_]\w*)\s*;/g)) {
    const body = m[1]!.replace(/^[ \t]*#[^\n]*$/gm, ' ');
    const members: string[] = [];
    let mdl: string | undefined;
    for (const decl of body.split(';')) {
      const d = decl.trim();
      if (!d) continue;
      // TYPE NAME, TYPE *NAME, TYPE NAME[N], TYPE NAME : bits, TYPE A, *B
      const parts = d.split(',');
      const type = /^(.*?)([A-Za-z_]\w*)\s*(?:\[[^\]]*\]\s*)*(?::\s*\w+\s*)?$/.exec(parts[0]!.trim());
      if (!type) continue;
      const names = [type[2]!, ...parts.slice(1).map((p) => /([A-Za-z_]\w*)\s*(?:\[[^\]]*\]\s*)*$/.exec(p.trim())?.[1]).filter((n): n is string => !!n)];
      const isMdl = /\bPMDL\b|\bMDL\s*\*/.test(type[1]!);
      for (const n of names) {
        members.push(n);
        if (isMdl && mdl === undefined && !/\*\s*$/.test(type[1]!.replace(/\bMDL\s*\*/, ''))) mdl = n;
      }
    }
    if (members.length < 2) continue;
    const canonical = mdl ?? members[0]!;
    out.push(`${m[2]!}=${[canonical, ...members.filter((x) => x !== canonical)].join('|')}`);
  }
  return out;
}

/**
 * By union field name, each member's canonical name (from `textUnions` entries of the whole program). A
 * member that two declarations of the field map to different names is left as it is.
 */
export function unionAliasesOf(entries: Iterable<string>): Map<string, Map<string, string>> {
  const out = new Map<string, Map<string, string>>();
  const clash = new Set<string>();
  for (const e of entries) {
    const eq = e.indexOf('=');
    const field = e.slice(0, eq);
    const [canonical, ...rest] = e.slice(eq + 1).split('|');
    let m = out.get(field);
    if (!m) out.set(field, (m = new Map()));
    for (const member of [canonical!, ...rest]) {
      const key = `${field}.${member}`;
      if (clash.has(key)) continue;
      const seen = m.get(member);
      if (seen === undefined) m.set(member, canonical!);
      else if (seen !== canonical) {
        m.delete(member);
        clash.add(key);
      }
    }
  }
  return out;
}
