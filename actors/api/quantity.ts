/**
 * Kubernetes resource quantities ("100m", "1", "128Mi", "1G", "1e3"): exact
 * parsing, conversion to numbers, and the canonical string form the
 * apiserver prints. Values are kept as exact decimals internally so that
 * "100m" is 100 millicores, never 99.99999.
 */

/** How a quantity prints: `128Mi` (BinarySI), `1k` / `100m` (DecimalSI), `1e3` (DecimalExponent). */
export type QuantityFormat = "BinarySI" | "DecimalSI" | "DecimalExponent";

/** Kubernetes' message for a malformed quantity. */
export const QUANTITY_FORMAT_ERROR =
  "quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

/** Thrown for a string that is not a quantity; `code` is stable across workers. */
export class QuantityError extends Error {
  override name = "QuantityError";
  readonly code = "InvalidQuantity";
}

/** sign * digits * 10^exp10 * 2^exp2, exactly. */
interface Exact {
  negative: boolean;
  digits: bigint;
  exp10: number;
  exp2: number;
  format: QuantityFormat;
}

const decimalSuffixes: Record<string, number> = { n: -9, u: -6, m: -3, "": 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };
const binarySuffixes: Record<string, number> = { Ki: 10, Mi: 20, Gi: 30, Ti: 40, Pi: 50, Ei: 60 };
const numberPart = /^([+-]?)([0-9]*)(?:\.([0-9]*))?(.*)$/;
const exponentSuffix = /^[eE]([+-]?[0-9]+)$/;

function parseExact(q: string | number): Exact {
  const text = typeof q === "number" ? numberText(q) : q;
  const m = numberPart.exec(text);
  if (!m || (m[2] === "" && (m[3] ?? "") === "")) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  const [, sign, whole, frac = "", suffix] = m;
  const digits = BigInt((whole + frac).replace(/^0+(?=.)/, "") || "0");
  let exp10 = -frac.length;
  let exp2 = 0;
  let format: QuantityFormat = "DecimalSI";
  if (suffix in decimalSuffixes) {
    exp10 += decimalSuffixes[suffix];
  } else if (suffix in binarySuffixes) {
    exp2 = binarySuffixes[suffix];
    format = "BinarySI";
  } else {
    const e = exponentSuffix.exec(suffix);
    if (!e) throw new QuantityError(QUANTITY_FORMAT_ERROR);
    exp10 += Number(e[1]);
    format = "DecimalExponent";
  }
  return { negative: sign === "-" && digits !== 0n, digits, exp10, exp2, format };
}

/** Shortest decimal text of a finite number (so 0.1 stays 0.1). */
function numberText(n: number): string {
  if (!Number.isFinite(n)) throw new QuantityError(QUANTITY_FORMAT_ERROR);
  return String(n).replace("e+", "e");
}

function pow10(n: number): bigint {
  return 10n ** BigInt(n);
}

/** value * 10^shift rounded up (away from zero), as an integer. */
function scaledCeil(x: Exact, shift: number): bigint {
  let num = x.digits * (1n << BigInt(x.exp2));
  const e = x.exp10 + shift;
  if (e >= 0) num *= pow10(e);
  else {
    const den = pow10(-e);
    num = (num + den - 1n) / den;
  }
  return x.negative ? -num : num;
}

function toNumber(x: Exact): number {
  let v = Number(x.digits) * 2 ** x.exp2;
  v = x.exp10 >= 0 ? v * 10 ** x.exp10 : v / 10 ** -x.exp10;
  return x.negative ? -v : v;
}

/** A quantity in base units (bytes, cores, units); fractions allowed: parseQuantity("100m") === 0.1. Throws QuantityError. */
export function parseQuantity(q: string | number): number {
  return toNumber(parseExact(q));
}

/** A CPU quantity in millicores, rounded up as Kubernetes' MilliValue does: parseCPU("1") === 1000. Throws QuantityError. */
export function parseCPU(q: string | number): number {
  return Number(scaledCeil(parseExact(q), 3));
}

/** True when `q` parses as a quantity. */
export function isQuantity(q: unknown): q is string | number {
  if (typeof q !== "string" && typeof q !== "number") return false;
  try {
    parseExact(q);
    return true;
  } catch {
    return false;
  }
}

/** The format a quantity string was written in (the apiserver keeps it when printing). */
export function quantityFormatOf(q: string | number): QuantityFormat {
  return parseExact(q).format;
}

const siByExp: Record<number, string> = { [-9]: "n", [-6]: "u", [-3]: "m", 0: "", 3: "k", 6: "M", 9: "G", 12: "T", 15: "P", 18: "E" };
const binaryNames = ["", "Ki", "Mi", "Gi", "Ti", "Pi", "Ei"];

function formatExact(x: Exact, format: QuantityFormat): string {
  if (format === "BinarySI") {
    const nano = scaledCeil(x, 9);
    const abs = nano < 0n ? -nano : nano;
    const whole = abs / 1_000_000_000n;
    // Kubernetes prints small (|v| < 1024) or fractional binary values in decimal form.
    if (abs % 1_000_000_000n === 0n && whole >= 1024n) {
      let k = 0;
      let m = whole;
      while (k < 6 && m % 1024n === 0n) {
        m /= 1024n;
        k++;
      }
      return `${nano < 0n ? "-" : ""}${m}${binaryNames[k]}`;
    }
    format = "DecimalSI";
  }
  // Round up to nano units, the smallest a quantity can hold.
  let d = scaledCeil(x, 9);
  if (d === 0n) return "0";
  const negative = d < 0n;
  if (negative) d = -d;
  let e = -9;
  while (d % 10n === 0n) {
    d /= 10n;
    e++;
  }
  const e3 = Math.min(18, Math.floor(e / 3) * 3);
  const mantissa = d * pow10(e - e3);
  const suffix = format === "DecimalExponent" ? (e3 === 0 ? "" : `e${e3}`) : siByExp[e3];
  return `${negative ? "-" : ""}${mantissa}${suffix}`;
}

/** Prints a value in base units: formatQuantity(0.1) === "100m", formatQuantity(134217728, "BinarySI") === "128Mi". */
export function formatQuantity(value: number, format: QuantityFormat = "DecimalSI"): string {
  return formatExact(parseExact(numberText(value)), format);
}

/** Prints millicores as a CPU quantity: formatCPU(1500) === "1500m", formatCPU(2000) === "2". */
export function formatCPU(millicores: number): string {
  const x = parseExact(numberText(millicores));
  return formatExact({ ...x, exp10: x.exp10 - 3 }, "DecimalSI");
}

/** The canonical form the apiserver stores: "1000m" → "1", "1024Mi" → "1Gi", "0.5" → "500m". Throws QuantityError. */
export function canonicalQuantity(q: string | number): string {
  const x = parseExact(q);
  return formatExact(x, x.format);
}

/** Compares two quantities exactly: negative, zero or positive like a sort comparator. */
export function compareQuantities(a: string | number, b: string | number): number {
  const x = scaledCeil(parseExact(a), 9);
  const y = scaledCeil(parseExact(b), 9);
  return x < y ? -1 : x > y ? 1 : 0;
}
