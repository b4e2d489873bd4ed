/**
 * kube-apiserver's static token file (`--token-auth-file`): CSV lines
 * `token,user,uid,"group1,group2"` (at least three columns; the groups
 * column is optional and is itself comma separated).
 */

/** Who a request runs as. */
export interface UserInfo {
  username: string;
  uid?: string;
  groups: string[];
}

/** A line the token file cannot use. */
export class TokenFileError extends Error {
  override name = "TokenFileError";
  readonly code = "BadTokenFile";
}

/** Splits one CSV record (RFC 4180 quoting: `"a,b"`, `""` for a quote). */
export function csvFields(line: string): string[] {
  const out: string[] = [];
  let cur = "";
  let quoted = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quoted) {
      if (ch === '"' && line[i + 1] === '"') {
        cur += '"';
        i++;
      } else if (ch === '"') quoted = false;
      else cur += ch;
    } else if (ch === '"' && cur === "") quoted = true;
    else if (ch === ",") {
      out.push(cur);
      cur = "";
    } else cur += ch;
  }
  if (quoted) throw new TokenFileError(`unterminated quoted field in ${JSON.stringify(line)}`);
  out.push(cur);
  return out;
}

/**
 * Parses a token file: token → user. Blank lines are skipped; a line with
 * fewer than three columns or an empty token is an error naming the line;
 * a token given twice keeps its last line, as kube-apiserver does.
 */
export function parseTokenFile(text: string): Map<string, UserInfo> {
  const tokens = new Map<string, UserInfo>();
  text.split(/\r?\n/).forEach((line, i) => {
    if (line.trim() === "") return;
    const f = csvFields(line);
    if (f.length < 3) throw new TokenFileError(`line ${i + 1}: the token file must have at least 3 columns (token, user name, user uid), found ${f.length}`);
    const [token, username, uid, groups] = f.map((s) => s.trim());
    if (!token) throw new TokenFileError(`line ${i + 1}: empty token`);
    if (!username) throw new TokenFileError(`line ${i + 1}: empty user name`);
    const user: UserInfo = { username, groups: (groups ?? "").split(",").map((g) => g.trim()).filter((g) => g !== "") };
    if (uid) user.uid = uid;
    tokens.set(token, user);
  });
  return tokens;
}

/** One token file line for `user` (groups quoted when there are several). */
export function tokenFileLine(token: string, user: UserInfo): string {
  const groups = user.groups.join(",");
  return `${token},${user.username},${user.uid ?? ""}${groups ? `,${groups.includes(",") ? `"${groups}"` : groups}` : ""}`;
}
