import { randomInt } from "node:crypto";

/**
 * Douglas Crockford's base32 alphabet: digits and letters without I, L, O and U, so nothing a
 * person reads out or types can be mistaken for something else. Each character carries 5 bits.
 */
export const CROCKFORD_ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

/** A uniformly random code of `length` characters (`pick` returns an integer in [0, 32)). */
export function randomCode(length: number, pick: (max: number) => number = randomInt): string {
  let code = "";
  for (let i = 0; i < length; i++) code += CROCKFORD_ALPHABET[pick(CROCKFORD_ALPHABET.length)];
  return code;
}

/**
 * What a person typed, as the code it stands for: case does not matter, spaces and hyphens are
 * ignored, and the look-alikes I and L read as 1, O as 0 (Crockford's decoding rules). Undefined when
 * a character is none of these (U is not part of the alphabet either).
 */
export function normalizeCode(input: string): string | undefined {
  const code = input.toUpperCase().replace(/[\s-]/g, "").replace(/[IL]/g, "1").replace(/O/g, "0");
  for (const char of code) if (!CROCKFORD_ALPHABET.includes(char)) return undefined;
  return code;
}

/** For people: groups of four joined by hyphens, "7K3M9QX2TD" → "7K3M-9QX2-TD". */
export const groupCode = (code: string): string => code.match(/.{1,4}/g)?.join("-") ?? "";
