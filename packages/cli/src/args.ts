import { parseArgs, type ParseArgsConfig } from "node:util";

/**
 * node:util parseArgs, refusing an option given twice that takes one value: parseArgs keeps the
 * last silently, so `--fixtures a --fixtures b` ran on b alone with nothing said (helper-106 #10).
 * Throws parseArgs' own errors, and this one worded as they are.
 */
export function parseOnce<T extends ParseArgsConfig>(config: T): ReturnType<typeof parseArgs<T>>["values"] {
  const { values, tokens } = parseArgs({ ...config, tokens: true });
  const seen = new Set<string>();
  for (const t of tokens ?? []) {
    if (t.kind !== "option" || config.options?.[t.name]?.multiple) continue;
    if (seen.has(t.name)) throw new TypeError(`Option '${t.rawName}' was given more than once; give it once`);
    seen.add(t.name);
  }
  return values as ReturnType<typeof parseArgs<T>>["values"];
}
