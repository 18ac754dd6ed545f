/**
 * The contract with black- and whitelist screening: what we send, what it answers, and the
 * interface every implementation (sandbox, HTTP) keeps. Imported by adapters, activities and workflows.
 */

/** Parties are screened on every element they present, since any one of them can be the listed one. */
export interface ScreeningSubject {
  idNumber: string;
  phone: string;
  bankCard?: string;
  deviceId?: string;
}

export type ListElement = 'idNumber' | 'phone' | 'bankCard' | 'deviceId';

export type ListName = 'blacklist' | 'whitelist';

export interface ListResult {
  listed: ListName | null;
  matchedOn?: ListElement;
}

export interface ListScreener {
  screen(subject: ScreeningSubject): Promise<ListResult>;
}

export interface ListEntry {
  list: ListName;
  on: ListElement;
  value: string;
}
