import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes operators filter by in the Temporal UI and CLI. Values are in clear, so
 * they never hold PII: CustomerId is an opaque keyed hash.
 */
export const LoanStatus = defineSearchAttributeKey('LoanStatus', SearchAttributeType.KEYWORD);
export const DpdBucket = defineSearchAttributeKey('DpdBucket', SearchAttributeType.KEYWORD);
export const Dpd = defineSearchAttributeKey('Dpd', SearchAttributeType.INT);
export const ProductCode = defineSearchAttributeKey('ProductCode', SearchAttributeType.KEYWORD);
export const CustomerId = defineSearchAttributeKey('CustomerId', SearchAttributeType.KEYWORD);
export const CreditLineId = defineSearchAttributeKey('CreditLineId', SearchAttributeType.KEYWORD);
export const ReviewStatus = defineSearchAttributeKey('ReviewStatus', SearchAttributeType.KEYWORD);

export const ALL_SEARCH_ATTRIBUTES = [
  LoanStatus,
  DpdBucket,
  Dpd,
  ProductCode,
  CustomerId,
  CreditLineId,
  ReviewStatus,
];

/** `temporal server start-dev --search-attribute` spelling of the same list. */
export const searchAttributeFlags = (): string[] =>
  ALL_SEARCH_ATTRIBUTES.flatMap((k) => [
    '--search-attribute',
    `${k.name}=${k.type === SearchAttributeType.INT ? 'Int' : 'Keyword'}`,
  ]);
