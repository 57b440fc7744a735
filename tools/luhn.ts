/**
 * The ISO/IEC 7812-1 check digit (the Luhn algorithm) that card numbers and
 * Canadian social insurance numbers carry: the red-team corpus's fake numbers
 * must pass it, as the guardrail's detectors would expect of real ones.
 */
export function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}
