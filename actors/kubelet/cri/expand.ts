/**
 * Kubernetes' `$(VAR)` expansion, used for env values, command and args:
 * `$(NAME)` becomes the variable's value when it is defined and stays as
 * written when it is not; `$$` is a literal `$` (so `$$(NAME)` is not
 * expanded); any other `$` is kept.
 */

/** Expands `$(VAR)` references in `text` from `lookup`. */
export function expandKubeVars(text: string, lookup: Readonly<Record<string, string>> | ((name: string) => string | undefined)): string {
  if (!text.includes("$")) return text;
  const get = typeof lookup === "function" ? lookup : (name: string) => (Object.hasOwn(lookup, name) ? lookup[name] : undefined);
  let out = "";
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch !== "$" || i + 1 >= text.length) {
      out += ch;
      continue;
    }
    const next = text[i + 1];
    if (next === "$") {
      out += "$";
      i++;
    } else if (next === "(") {
      const close = text.indexOf(")", i + 2);
      if (close < 0) {
        out += text.slice(i);
        break;
      }
      const name = text.slice(i + 2, close);
      const value = get(name);
      out += value ?? `$(${name})`;
      i = close;
    } else out += ch;
  }
  return out;
}
