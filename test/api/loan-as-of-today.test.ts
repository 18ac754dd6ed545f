import { asOfToday } from '../../api/routes/loans';
import { LEGACY_BUCKETS } from '../../domain/delinquency';
import { instantOfLocal } from '../../domain/localdate';
import type { LoanView } from '../../contracts/loan';

const ZONE = 'Asia/Shanghai';
const installment = (seq: number, dueDate: string, status: string) => ({ seq, dueDate, status });
// As the loan saw itself when it last woke: at the M1 threshold, the day after its first due date.
const asOfLastWake = {
  id: 'ln_x',
  status: 'delinquent',
  timeZone: ZONE,
  dpd: 1,
  bucket: 'M1',
  stage: 'early',
  installments: [
    installment(1, '2030-01-15', 'overdue'),
    installment(2, '2030-02-15', 'scheduled'),
    installment(3, '2030-03-15', 'scheduled'),
  ],
} as unknown as LoanView;
const at = (date: string, time = '12:00') => instantOfLocal(date, time, ZONE);

test('DPD keeps counting on the borrower calendar between the wakes at bucket thresholds', () => {
  expect(asOfToday(asOfLastWake, at('2030-01-27'))).toMatchObject({ dpd: 12, bucket: 'M1', stage: 'early' });
  // A threshold the loan has not woken for yet (its worker was down) shows at once.
  expect(asOfToday(asOfLastWake, at('2030-02-15'))).toMatchObject({ dpd: 31, bucket: 'M2', stage: 'middle' });
  // The borrower's midnight, not UTC's: 23:30 in Shanghai is still the 16th.
  expect(asOfToday(asOfLastWake, at('2030-01-16', '23:30')).dpd).toBe(1);
  expect(asOfToday(asOfLastWake, at('2030-01-17', '00:00')).dpd).toBe(2);
});

test('a current loan, a finished loan and a view from before zones were kept are shown as they are', () => {
  const current = {
    ...asOfLastWake,
    status: 'active',
    dpd: 0,
    bucket: 'M0',
    stage: 'current',
    installments: [installment(1, '2030-01-15', 'paid'), installment(2, '2030-02-15', 'scheduled')],
  } as LoanView;
  expect(asOfToday(current, at('2030-02-10'))).toMatchObject({ dpd: 0, bucket: 'M0', stage: 'current' });
  const closed = { ...asOfLastWake, status: 'closed' } as LoanView;
  expect(asOfToday(closed, at('2030-03-01'))).toBe(closed);
  const { timeZone: _zone, ...older } = asOfLastWake;
  expect(asOfToday(older as LoanView, at('2030-03-01'))).toMatchObject({ dpd: 1 });
});

test("DPD read today lands in the loan's own buckets: the seed's M2 from DPD 30, the earlier ranges' from 31", () => {
  expect(asOfToday(asOfLastWake, at('2030-02-14'))).toMatchObject({ dpd: 30, bucket: 'M2', stage: 'middle' });
  const legacy = { ...asOfLastWake, buckets: [...LEGACY_BUCKETS] } as LoanView;
  expect(asOfToday(legacy, at('2030-02-14'))).toMatchObject({ dpd: 30, bucket: 'M1', stage: 'early' });
});
