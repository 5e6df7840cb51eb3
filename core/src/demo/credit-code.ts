/**
 * 统一社会信用代码 (GB 32100-2015): 18 characters; the last is a check character computed from the first 17
 * with weights 3^i mod 31 over the alphabet below (no I, O, Z, S, V).
 */
const ALPHABET = '0123456789ABCDEFGHJKLMNPQRTUWXY';
const WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28];

export function creditCodeCheckChar(first17: string): string {
  let sum = 0;
  for (let i = 0; i < 17; i++) {
    const v = ALPHABET.indexOf(first17[i] as string);
    if (v < 0) throw new Error(`invalid character "${first17[i]}" in credit code`);
    sum += v * (WEIGHTS[i] as number);
  }
  return ALPHABET[(31 - (sum % 31)) % 31] as string;
}

export function isValidCreditCode(code: string): boolean {
  return /^[0-9A-HJ-NPQRTUWXY]{18}$/.test(code) && creditCodeCheckChar(code.slice(0, 17)) === code[17];
}

/** A well-formed code: "91" (enterprise), a 6-digit region, a 9-character organisation code, the check char. */
export function makeCreditCode(region: string, org9: string, prefix = '91'): string {
  const first17 = `${prefix}${region}${org9}`;
  return first17 + creditCodeCheckChar(first17);
}
