/**
 * VAT on VAT-inclusive prices, in integer minor units, rounded once per line.
 *
 * The rule: for a line of gross amount G (VAT included) at a rate of R basis points (2000 = 20%),
 *
 *   VAT = round-half-up(G × R / (10000 + R)),   net = G − VAT
 *
 * so net + VAT = gross exactly on every line, and therefore in every total (totals are sums of lines, never
 * recomputed from a total). Rounding to the nearer penny, half a penny upwards, at line level is what HMRC allows:
 * VAT Notice 700 (The VAT Guide) §17.5, and HMRC's manual VATREC12030 ("if the VAT comes to 0.5 of one penny or
 * more, it should be rounded up"). A negative line (a fee kept, on a credit note) is rounded the same way by its
 * size, so a line and its reversal have opposite VAT.
 */
export interface VatSplit {
  gross: number;
  vat: number;
  net: number;
}

export function splitVat(gross: number, rateBasisPoints: number | null): VatSplit {
  if (!Number.isInteger(gross)) throw new Error(`a gross amount must be whole minor units, not ${gross}`);
  if (!rateBasisPoints) return { gross, vat: 0, net: gross };
  const size = Math.abs(gross);
  const divisor = 10000 + rateBasisPoints;
  // round-half-up(size × R / divisor) in integers: floor((2 × size × R + divisor) / (2 × divisor)).
  const vatOfSize = Math.floor((2 * size * rateBasisPoints + divisor) / (2 * divisor));
  const vat = gross < 0 ? -vatOfSize : vatOfSize;
  return { gross, vat, net: gross - vat };
}
