/**
 * Risk-based pricing: the product's base rate plus the spread of the borrower's grade, never above the
 * product's rate cap (its APR cap unless a lower rate cap is set, as flat-fee products do). The quote still
 * checks the resulting APR, fees included, against the APR cap.
 */
import { D } from './money';
import { parseGrade, type Grade, type Product } from './products';

/** The annual rate for a grade, as a decimal string ("0.092"). */
export function priceForGrade(product: Product, grade: Grade): string {
  const g = parseGrade(grade);
  const rate = new D(product.baseRate).plus(product.gradeSpreads[g]);
  const cap = new D(product.rateCap ?? product.aprCap);
  return (rate.gt(cap) ? cap : rate).toFixed();
}
