/**
 * Base64 as Go's encoding/json reads []byte fields (standard alphabet,
 * padded): the check behind "illegal base64 data at input byte N", plus
 * encoding and decoded length without platform helpers.
 */

const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
const lookup = new Map([...alphabet].map((c, i) => [c, i]));

const wellFormed = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** The index Go's decoder reports for malformed input, or -1 when it decodes. */
export function base64ErrorIndex(s: string): number {
  // Values are usually valid and may be a megabyte: check those without allocating.
  if (wellFormed.test(s)) return -1;
  const chars = [...s].map((c, i) => ({ c, i })).filter(({ c }) => c !== "\r" && c !== "\n");
  for (let q = 0; q < chars.length; q += 4) {
    const quantum = chars.slice(q, q + 4);
    for (let j = 0; j < quantum.length; j++) {
      const { c, i } = quantum[j];
      if (c === "=") {
        // Padding may fill only the last one or two places of the final quantum.
        const last = q + 4 >= chars.length;
        const rest = quantum.slice(j);
        if (j < 2 || !last || quantum.length !== 4 || rest.some((r) => r.c !== "=")) return i;
        return -1;
      }
      if (!lookup.has(c)) return i;
    }
    if (quantum.length < 4) return quantum[0].i;
  }
  return -1;
}

/** The number of bytes a valid base64 string decodes to. */
export function base64DecodedLength(s: string): number {
  const clean = s.replace(/[\r\n]/g, "");
  const pad = clean.endsWith("==") ? 2 : clean.endsWith("=") ? 1 : 0;
  return (clean.length / 4) * 3 - pad;
}

/** Standard padded base64 of a string's UTF-8 bytes. */
export function base64EncodeText(text: string): string {
  const bytes = new TextEncoder().encode(text);
  const out: string[] = [];
  for (let i = 0; i < bytes.length; i += 3) {
    const n = (bytes[i] << 16) | ((bytes[i + 1] ?? 0) << 8) | (bytes[i + 2] ?? 0);
    out.push(
      alphabet[(n >> 18) & 63],
      alphabet[(n >> 12) & 63],
      i + 1 < bytes.length ? alphabet[(n >> 6) & 63] : "=",
      i + 2 < bytes.length ? alphabet[n & 63] : "=",
    );
  }
  return out.join("");
}
