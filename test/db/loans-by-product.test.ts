import { randomUUID } from 'node:crypto';
import { loanRepository } from '../../db/loans';
import type { LoanView } from '../../contracts/loan';
import { testPool } from '../support/db';
import { loanView } from '../support/loan-view';

const pool = testPool();
const loans = loanRepository(pool);
afterAll(() => pool.end());

const LINE = `cl_${randomUUID().replace(/-/g, '')}`;

const view = (productCode: string, status: LoanView['status']): LoanView =>
  loanView({
    id: `ln_${randomUUID().replace(/-/g, '').slice(0, 22)}`,
    creditLineId: LINE,
    customerId: 'cust_hash_products',
    principal: 100_000,
    outstanding: 100_000,
    productCode,
    status,
  });

test('the list filters by product, alone and beside status, and pages within the product', async () => {
  const saved: LoanView[] = [];
  for (const [product, status] of [
    ['cash-installment', 'active'],
    ['bill-installment', 'active'],
    ['cash-installment', 'closed'],
    ['bill-installment', 'active'],
    ['cash-installment', 'active'],
  ] as const) {
    const v = view(product, status);
    await loans.save(v);
    saved.push(v);
  }
  const ids = (product: string, status?: string) =>
    saved
      .filter((v) => v.productCode === product && (!status || v.status === status))
      .map((v) => v.id)
      .reverse();
  const list = async (q: Parameters<typeof loans.list>[0]) => (await loans.list(q)).items.map((l) => l.id);

  expect(await list({ creditLineId: LINE, productCode: 'cash-installment', limit: 10 })).toEqual(
    ids('cash-installment'),
  );
  expect(await list({ creditLineId: LINE, productCode: 'bill-installment', limit: 10 })).toEqual(
    ids('bill-installment'),
  );
  expect(
    await list({ creditLineId: LINE, productCode: 'cash-installment', status: 'active', limit: 10 }),
  ).toEqual(ids('cash-installment', 'active'));
  expect(await list({ creditLineId: LINE, productCode: 'card-repayment', limit: 10 })).toEqual([]);

  const first = await loans.list({ creditLineId: LINE, productCode: 'cash-installment', limit: 2 });
  expect(first.next).not.toBeNull();
  const rest = await loans.list({
    creditLineId: LINE,
    productCode: 'cash-installment',
    limit: 2,
    after: first.next!,
  });
  expect([...first.items, ...rest.items].map((l) => l.id)).toEqual(ids('cash-installment'));
  expect(rest.next).toBeNull();
});
