-- Up Migration

-- Write-off and recovery post to two accounts of their own (domain/ledger.ts): the loss not covered
-- by the provision, and money received after the receivables are gone.
alter table journal_lines drop constraint journal_lines_account_check;
alter table journal_lines add constraint journal_lines_account_check check (account in (
  'loan_principal_receivable', 'interest_receivable', 'fee_receivable', 'penalty_receivable',
  'cash_clearing', 'interest_income', 'fee_income', 'penalty_income', 'customer_credit_balance',
  'risk_reserve_expense', 'risk_reserve_provision', 'write_off_expense', 'recovery_income'));

-- Down Migration
alter table journal_lines drop constraint journal_lines_account_check;
alter table journal_lines add constraint journal_lines_account_check check (account in (
  'loan_principal_receivable', 'interest_receivable', 'fee_receivable', 'penalty_receivable',
  'cash_clearing', 'interest_income', 'fee_income', 'penalty_income', 'customer_credit_balance',
  'risk_reserve_expense', 'risk_reserve_provision'));
