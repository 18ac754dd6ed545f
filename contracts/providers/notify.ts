/**
 * The contract with the notification gateway (SMS and push): what we send, what it answers, and the
 * interface every implementation (sandbox, HTTP) keeps. Imported by adapters, activities and workflows.
 */

export type NotificationChannel = 'sms' | 'push';

export interface Notification {
  /** From the business event (`{loanId}:reminder:{seq}`), so a retried activity sends one message. */
  idempotencyKey: string;
  channel: NotificationChannel;
  /** Phone for SMS, device token for push. */
  to: string;
  /** Template id; the text lives with the provider so PII is not assembled in workflow payloads. */
  template: string;
  params: Record<string, string>;
  /** ISO instant after which the gateway must not deliver it (the end of the borrower's contact hours). */
  notAfter?: string;
  /** ISO instant before which it must not be delivered: one handed over early is held until then. */
  notBefore?: string;
}

export interface SentNotification {
  messageId: string;
}

export interface Notifier {
  send(notification: Notification): Promise<SentNotification>;
  /** Withdraws a held message before it goes out; false when it already went out or was never sent. */
  withdraw(idempotencyKey: string): Promise<{ withdrawn: boolean }>;
}

export interface RecordedNotification extends Notification {
  messageId: string;
  /** ISO instant it was (or, held, will be) delivered. */
  sentAt: string;
  /** Set when it was withdrawn before delivery. */
  withdrawnAt?: string;
}
