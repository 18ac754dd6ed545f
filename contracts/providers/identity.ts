/**
 * The contract with identity verification (the four elements): what we send, what it answers, and the
 * interface every implementation (sandbox, HTTP) keeps. Imported by adapters, activities and workflows.
 */

/**
 * Four-element verification: the bank confirms that name, national ID number, card number and the
 * phone reserved at the bank belong together.
 */
export interface FourElements {
  name: string;
  idNumber: string;
  bankCard: string;
  phone: string;
}

export type IdentityResult = { matched: true } | { matched: false; reasonCode: string };

export interface IdentityVerifier {
  verifyFourElements(input: FourElements, idempotencyKey: string): Promise<IdentityResult>;
}
