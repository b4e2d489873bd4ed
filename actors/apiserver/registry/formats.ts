/**
 * String formats Kubernetes validates, each returning Kubernetes' own
 * messages ([] when valid): DNS names, label keys and values, config keys,
 * port names and numbers, IPs and CIDRs.
 */

function maxLenError(n: number): string {
  return `must be no more than ${n} characters`;
}

/** "<msg> (e.g. 'a',  or 'b', regex used for validation is '<re>')", byte for byte as apimachinery builds it. */
function regexError(msg: string, fmt: string, ...examples: string[]): string {
  if (examples.length === 0) return `${msg} (regex used for validation is '${fmt}')`;
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(" or ")}regex used for validation is '${fmt}')`;
}

const dns1123LabelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const dns1123SubdomainFmt = `${dns1123LabelFmt}(\\.${dns1123LabelFmt})*`;
const dns1035LabelFmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
const dns1123LabelRe = new RegExp(`^${dns1123LabelFmt}$`);
const dns1123SubdomainRe = new RegExp(`^${dns1123SubdomainFmt}$`);
const dns1035LabelRe = new RegExp(`^${dns1035LabelFmt}$`);

/** RFC 1123 label: namespaces, container names, port names in services. */
export function isDNS1123Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push(maxLenError(63));
  if (!dns1123LabelRe.test(v)) {
    errs.push(
      dns1123SubdomainRe.test(v)
        ? "must not contain dots"
        : regexError(
            "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
            dns1123LabelFmt,
            "my-name",
            "123-abc",
          ),
    );
  }
  return errs;
}

/** RFC 1123 subdomain: most object names. */
export function isDNS1123Subdomain(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push(maxLenError(253));
  if (!dns1123SubdomainRe.test(v)) {
    errs.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        dns1123SubdomainFmt,
        "example.com",
      ),
    );
  }
  return errs;
}

/** RFC 1035 label: service names (they become DNS names and env var prefixes). */
export function isDNS1035Label(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push(maxLenError(63));
  if (!dns1035LabelRe.test(v)) {
    errs.push(
      regexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        dns1035LabelFmt,
        "my-name",
        "abc-123",
      ),
    );
  }
  return errs;
}

const labelKeyFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const labelKeyRe = new RegExp(`^${labelKeyFmt}$`);
const labelKeyMsg = "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character";

/** A label key / qualified name: optional DNS-subdomain prefix, '/', name of at most 63 characters. */
export function isQualifiedName(v: string): string[] {
  const errs: string[] = [];
  const parts = v.split("/");
  let name: string;
  if (parts.length === 1) name = parts[0];
  else if (parts.length === 2) {
    const [prefix] = parts;
    name = parts[1];
    if (prefix.length === 0) errs.push("prefix part must be non-empty");
    else errs.push(...isDNS1123Subdomain(prefix).map((m) => `prefix part ${m}`));
  } else {
    return [
      `a valid label key ${regexError(labelKeyMsg, labelKeyFmt, "MyName", "my.name", "123-abc")} with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')`,
    ];
  }
  if (name.length === 0) errs.push("name part must be non-empty");
  else if (name.length > 63) errs.push(`name part ${maxLenError(63)}`);
  if (!labelKeyRe.test(name)) errs.push(`name part ${regexError(labelKeyMsg, labelKeyFmt, "MyName", "my.name", "123-abc")}`);
  return errs;
}

const labelValueFmt = `(${labelKeyFmt})?`;
const labelValueRe = new RegExp(`^${labelValueFmt}$`);

/** A label value: empty, or up to 63 alphanumerics with '-', '_', '.' inside. */
export function isLabelValue(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 63) errs.push(maxLenError(63));
  if (!labelValueRe.test(v)) {
    errs.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        labelValueFmt,
        "MyValue",
        "my_value",
        "12345",
      ),
    );
  }
  return errs;
}

const configMapKeyFmt = "[-._a-zA-Z0-9]+";
const configMapKeyRe = new RegExp(`^${configMapKeyFmt}$`);

/** A ConfigMap / Secret data key (it becomes a file name). */
export function isConfigMapKey(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 253) errs.push(maxLenError(253));
  if (!configMapKeyRe.test(v)) {
    errs.push(regexError("a valid config key must consist of alphanumeric characters, '-', '_' or '.'", configMapKeyFmt, "key.name", "KEY_NAME", "key-name"));
  }
  if (v === ".") errs.push("must not be '.'");
  else if (v === "..") errs.push("must not be '..'");
  else if (v.startsWith("..")) errs.push("must not start with '..'");
  return errs;
}

/** An IANA service name used as a port name: at most 15 chars, [-a-z0-9], one letter, no "--". */
export function isValidPortName(v: string): string[] {
  const errs: string[] = [];
  if (v.length > 15) errs.push(maxLenError(15));
  if (!/^[-a-z0-9]+$/.test(v)) errs.push("must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)");
  if (!/[a-z]/.test(v)) errs.push("must contain at least one letter (a-z)");
  if (v.includes("--")) errs.push("must not contain consecutive hyphens");
  if (v.length > 0 && (v.startsWith("-") || v.endsWith("-"))) errs.push("must not begin or end with a hyphen");
  return errs;
}

/** `must be between lo and hi, inclusive` */
export function inclusiveRangeError(lo: number, hi: number): string {
  return `must be between ${lo} and ${hi}, inclusive`;
}

/** A port number 1-65535. */
export function isValidPortNum(n: number): string[] {
  return Number.isInteger(n) && n >= 1 && n <= 65535 ? [] : [inclusiveRangeError(1, 65535)];
}

const envVarNameFmt = "[-._a-zA-Z][-._a-zA-Z0-9]*";

/** A C-like environment variable name (the strict rule; kept for envFrom prefixes). */
export function isEnvVarName(v: string): string[] {
  const errs: string[] = [];
  if (!new RegExp(`^${envVarNameFmt}$`).test(v)) {
    errs.push(
      regexError(
        "a valid environment variable name must consist of alphabetic characters, digits, '_', '-', or '.', and must not start with a digit",
        envVarNameFmt,
        "my.env-name",
        "MY_ENV.NAME",
        "MyEnvName1",
      ),
    );
  }
  if (v === ".") errs.push("must not be '.'");
  else if (v === "..") errs.push("must not be '..'");
  else if (v.startsWith("..")) errs.push("must not start with '..'");
  return errs;
}

/** Any printable ASCII but '=' (the RelaxedEnvironmentVariableValidation rule, on by default). */
export function isRelaxedEnvVarName(v: string): string[] {
  if (v.length === 0) return ["environment variable name must be non-empty"];
  for (const ch of v) {
    const code = ch.codePointAt(0) ?? 0;
    if (code < 0x20 || code > 0x7e || ch === "=") {
      return ["a valid environment variable name must consist only of printable ASCII characters other than '='"];
    }
  }
  return [];
}

/** 4 or 6 for an IP address, undefined when it is not one. */
export function ipFamilyOf(v: string): 4 | 6 | undefined {
  if (isIPv4(v)) return 4;
  if (isIPv6(v)) return 6;
  return undefined;
}

function isIPv4(v: string): boolean {
  const parts = v.split(".");
  return parts.length === 4 && parts.every((p) => /^[0-9]{1,3}$/.test(p) && Number(p) <= 255);
}

function isIPv6(v: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(v)) return false;
  const halves = v.split("::");
  if (halves.length > 2) return false;
  const groups = (s: string): string[] | undefined => (s === "" ? [] : s.split(":"));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  if (!head || !tail) return false;
  const all = [...head, ...tail];
  let count = 0;
  for (let i = 0; i < all.length; i++) {
    const g = all[i];
    if (i === all.length - 1 && g.includes(".")) {
      if (!isIPv4(g)) return false;
      count += 2;
    } else if (/^[0-9a-fA-F]{1,4}$/.test(g)) count++;
    else return false;
  }
  return halves.length === 2 ? count < 8 : count === 8;
}

/** An IPv4 or IPv6 address. */
export function isValidIP(v: string): string[] {
  return ipFamilyOf(v) ? [] : ["must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"];
}

/** An IPv4 or IPv6 CIDR: address/prefix. */
export function isValidCIDR(v: string): string[] {
  const slash = v.indexOf("/");
  const family = slash > 0 ? ipFamilyOf(v.slice(0, slash)) : undefined;
  const bits = v.slice(slash + 1);
  const ok = family !== undefined && /^[0-9]{1,3}$/.test(bits) && Number(bits) <= (family === 4 ? 32 : 128);
  return ok ? [] : ["must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"];
}

const percentFmt = "[0-9]+%";

/** A percentage string such as "25%". */
export function isValidPercent(v: string): string[] {
  return new RegExp(`^${percentFmt}$`).test(v)
    ? []
    : [regexError("a valid percent string must be a numeric string followed by an ending '%'", percentFmt, "1%", "93%")];
}

/** Addresses no endpoint may use: unspecified, loopback, link-local. */
export function isSpecialIP(v: string): string[] {
  const fam = ipFamilyOf(v);
  if (!fam) return ["must be a valid IP address"];
  const lower = v.toLowerCase();
  if (fam === 4) {
    const [a, b, c] = v.split(".").map(Number);
    if (v === "0.0.0.0") return [`may not be unspecified (${v})`];
    if (a === 127) return ["may not be in the loopback range (127.0.0.0/8, ::1/128)"];
    if (a === 169 && b === 254) return ["may not be in the link-local range (169.254.0.0/16, fe80::/10)"];
    if (a === 224 && b === 0 && c === 0) return ["may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"];
    return [];
  }
  if (/^(0*:)*:?0*$/.test(lower) || lower === "::") return [`may not be unspecified (${v})`];
  if (/^(0*:)*:?0*1$/.test(lower)) return ["may not be in the loopback range (127.0.0.0/8, ::1/128)"];
  if (/^fe[89ab][0-9a-f]?:/.test(lower)) return ["may not be in the link-local range (169.254.0.0/16, fe80::/10)"];
  if (/^ff02:/.test(lower)) return ["may not be in the link-local multicast range (224.0.0.0/24, ff02::/10)"];
  return [];
}
