import { z } from 'zod';
import { isValidPhone } from '../domain/identity';
import { ProviderError } from './errors';
import { HttpProviderClient, type HttpProviderOptions } from './http';
import { memorySandboxStore, type SandboxStore } from './sandbox-store';
import type {
  Notification,
  SentNotification,
  Notifier,
  RecordedNotification,
} from '../contracts/providers/notify';

/** Records instead of sending; one message per idempotency key. An SMS to a malformed phone is refused. */
export class SandboxNotifier implements Notifier {
  /** What this instance answered, by key: a synchronous view for tests. */
  private readonly byKey = new Map<string, RecordedNotification>();

  constructor(
    private readonly now: () => Date = () => new Date(),
    /** Messages by key, as the gateway keeps them; memory (this process only) when absent. */
    private readonly store: SandboxStore = memorySandboxStore(),
  ) {}

  async send(notification: Notification): Promise<SentNotification> {
    if (!notification.idempotencyKey)
      throw ProviderError.fatal('INVALID_REQUEST', 'idempotencyKey is required');
    if (notification.channel === 'sms' && !isValidPhone(notification.to)) {
      throw ProviderError.fatal('INVALID_RECIPIENT', 'SMS recipient is not a mobile number');
    }
    const recorded = await this.store.recordOnce<RecordedNotification>(
      'notify',
      notification.idempotencyKey,
      (unique) => {
        // Only a first delivery is refused: a retry of a message already sent answers it again.
        const now = this.now().getTime();
        const at = notification.notBefore ? Math.max(now, Date.parse(notification.notBefore)) : now;
        if (notification.notAfter && at > Date.parse(notification.notAfter))
          throw ProviderError.fatal('DELIVERY_WINDOW_PASSED', `not delivered after ${notification.notAfter}`);
        return {
          ...notification,
          params: { ...notification.params },
          messageId: `sbx-msg-${unique}`,
          sentAt: new Date(at).toISOString(),
        };
      },
    );
    this.byKey.set(notification.idempotencyKey, recorded);
    return { messageId: recorded.messageId };
  }

  /** A held message is withdrawn once; the record of the withdrawal is kept like the message's. */
  async withdraw(idempotencyKey: string): Promise<{ withdrawn: boolean }> {
    const held = await this.store.findRecord<RecordedNotification>('notify', idempotencyKey);
    const { at } = await this.store.recordOnce<{ at: string | null }>(
      'notify-withdraw',
      idempotencyKey,
      () => {
        const now = this.now();
        return { at: held && Date.parse(held.sentAt) > now.getTime() ? now.toISOString() : null };
      },
    );
    if (held && at) this.byKey.set(idempotencyKey, { ...held, withdrawnAt: at });
    return { withdrawn: at !== null };
  }

  /** Messages this instance answered, in order; a retried key appears once. */
  sent(): RecordedNotification[] {
    return [...this.byKey.values()];
  }
}

const sentSchema = z.object({ messageId: z.string().min(1) });

/** Notifications over HTTP (`POST /notify/messages`). */
export class HttpNotifier implements Notifier {
  private readonly client: HttpProviderClient;

  constructor(options: HttpProviderOptions) {
    this.client = new HttpProviderClient(options);
  }

  async send(notification: Notification): Promise<SentNotification> {
    return this.client.post('/notify/messages', notification, sentSchema, notification.idempotencyKey);
  }

  async withdraw(idempotencyKey: string): Promise<{ withdrawn: boolean }> {
    const path = `/notify/messages/${encodeURIComponent(idempotencyKey)}/withdraw`;
    return this.client.post(path, {}, z.object({ withdrawn: z.boolean() }), `withdraw:${idempotencyKey}`);
  }
}
