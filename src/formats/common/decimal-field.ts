/**
 * The one decimal-number field parser of the text readers: sign, digits, a decimal mark, an exponent, ending
 * at a delimiter. Fast path on the bytes; spaces, `NaN`, infinity words and anything unusual go through the
 * field's text. Used by the Sensor Logger readers (comma, decimal point) and the generic delimited reader
 * (any delimiter, decimal point or comma).
 */

const SPACE = 32;
const TAB = 9;
const COMMA = 44;
const POW10 = Array.from({ length: 23 }, (_, i) => 10 ** i);
const NUMBER = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

/** Results the parser leaves behind (one shared object: no allocation per field). */
export const decimal = {
  /** Position where the parser stopped (a delimiter or the end). */
  cursor: 0,
  /** Set (never cleared here) when the field held text that is not a number; the value returned is NaN. */
  bad: false,
  /**
   * Set (false otherwise) when the value returned may differ from `Number(text)` in the last bits: the
   * digits did not fit 2^53 or the decimal exponent was beyond ±22.
   */
  approx: false,
  /**
   * Set (never cleared here) when the field was the word `NaN`: a value the file wrote, not an empty cell.
   * A caller that tells the two apart reads and clears it when the value returned is NaN.
   */
  nanText: false,
};

/** End of the field starting at `p`. */
export function fieldEnd(b: Uint8Array, p: number, e: number, d1: number, d2: number): number {
  let z = p;
  while (z < e && b[z] !== d1 && b[z] !== d2) z++;
  return z;
}

/** The field's text without surrounding blanks (slow paths and labels only). */
export function fieldText(b: Uint8Array, p: number, z: number): string {
  let a = p;
  let y = z;
  while (a < y && (b[a] === SPACE || b[a] === TAB)) a++;
  while (y > a && (b[y - 1] === SPACE || b[y - 1] === TAB)) y--;
  return new TextDecoder().decode(b.subarray(a, y));
}

function parseDecimalSlow(b: Uint8Array, p: number, e: number, d1: number, d2: number, dec: number): number {
  const z = fieldEnd(b, p, e, d1, d2);
  decimal.cursor = z;
  let text = fieldText(b, p, z);
  if (text === '') return Number.NaN;
  if (/^[+-]?nan$/i.test(text)) {
    decimal.nanText = true;
    return Number.NaN;
  }
  if (dec === COMMA) text = text.replace(',', '.');
  if (NUMBER.test(text)) return Number(text);
  if (/^[+-]?(inf|infinity)$/i.test(text)) return text.startsWith('-') ? -Infinity : Infinity;
  decimal.bad = true;
  return Number.NaN;
}

/**
 * Parses the number field at `p0` ending at delimiter `d1` or `d2`, with decimal mark `dec`; empty or `NaN`
 * → NaN. Fields with more than `maxDigits` significant digits take the exact slow path.
 */
export function parseDecimal(b: Uint8Array, p0: number, e: number, d1: number, d2: number, dec: number, maxDigits = Infinity): number {
  let p = p0;
  let neg = false;
  let c = p < e ? b[p]! : d1;
  if (c === 45) {
    neg = true;
    p++;
  } else if (c === 43) {
    p++;
  }
  let m = 0;
  let nd = 0;
  let ex = 0;
  while (p < e) {
    const d = b[p]! - 48;
    if (d < 0 || d > 9) break;
    m = m * 10 + d;
    nd++;
    p++;
  }
  if (p < e && b[p] === dec) {
    p++;
    while (p < e) {
      const d = b[p]! - 48;
      if (d < 0 || d > 9) break;
      m = m * 10 + d;
      nd++;
      ex--;
      p++;
    }
  }
  if (nd > 0 && p < e && (b[p]! | 0x20) === 101) {
    let q = p + 1;
    let eneg = false;
    if (q < e && (b[q] === 45 || b[q] === 43)) {
      eneg = b[q] === 45;
      q++;
    }
    let x = 0;
    let xd = 0;
    while (q < e) {
      const d = b[q]! - 48;
      if (d < 0 || d > 9) break;
      x = x * 10 + d;
      xd++;
      q++;
    }
    if (xd > 0) {
      ex += eneg ? -x : x;
      p = q;
    }
  }
  c = p < e ? b[p]! : d1;
  const atDelim = c === d1 || c === d2;
  if (nd === 0 || nd > maxDigits || !atDelim) {
    decimal.approx = false;
    if (nd === 0 && p === p0 && atDelim) {
      decimal.cursor = p;
      return Number.NaN;
    }
    return parseDecimalSlow(b, p0, e, d1, d2, dec);
  }
  decimal.cursor = p;
  decimal.approx = m >= 9007199254740992 || ex > 22 || ex < -22;
  let v: number;
  if (ex === 0) v = m;
  else if (ex > 0) v = ex <= 22 ? m * POW10[ex]! : m * 10 ** ex;
  else v = ex >= -22 ? m / POW10[-ex]! : m / 10 ** -ex;
  return neg ? -v : v;
}
