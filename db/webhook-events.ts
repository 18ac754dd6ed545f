import type { Pool } from 'pg';

/** Provider callbacks seen, by event id; `claim` is false when the event was already taken. */
export function webhookEventRepository(pool: Pool) {
  return {
    async claim(e: { eventId: string; type: string; loanId: string; paymentId: string }): Promise<boolean> {
      const res = await pool.query(
        `insert into webhook_events (event_id, type, loan_id, payment_id) values ($1, $2, $3, $4)
         on conflict (event_id) do nothing`,
        [e.eventId, e.type, e.loanId, e.paymentId],
      );
      return res.rowCount === 1;
    },
    /** The workflow could not be told: forget the event so the provider's redelivery is taken. */
    async release(eventId: string): Promise<void> {
      await pool.query('delete from webhook_events where event_id = $1', [eventId]);
    },
  };
}

export type WebhookEventRepository = ReturnType<typeof webhookEventRepository>;
