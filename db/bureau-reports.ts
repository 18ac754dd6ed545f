import type { Pool } from 'pg';
import type { BureauReport } from '../contracts/providers/bureau';

/** Cached bureau facts by customer; no PII is stored, only the scores and counts the rules read. */
export function bureauReportRepository(pool: Pool) {
  return {
    async freshFor(customerId: string, maxAgeDays: number): Promise<BureauReport | undefined> {
      const res = await pool.query<{ facts: BureauReport }>(
        `select facts from bureau_reports where customer_id = $1 and pulled_at > now() - make_interval(days => $2)
         order by pulled_at desc limit 1`,
        [customerId, maxAgeDays],
      );
      return res.rows[0]?.facts;
    },

    async save(customerId: string, report: BureauReport): Promise<void> {
      await pool.query(
        `insert into bureau_reports (report_id, customer_id, pulled_at, facts) values ($1, $2, $3, $4)
         on conflict (report_id) do nothing`,
        [report.reportId, customerId, report.pulledAt, JSON.stringify(report)],
      );
    },
  };
}

export type BureauReportRepository = ReturnType<typeof bureauReportRepository>;
