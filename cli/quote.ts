/**
 * `quote`: the trial calculation from the command line. Amounts are typed in major units ("1000000.00")
 * and printed in major units in the table; --json prints the domain Quote as is (minor units).
 */
import { parseArgs } from 'node:util';
import { DomainError } from '../domain/errors';
import { type FeeSchedule } from '../domain/fees';
import { DEFAULT_APR_CAP } from '../domain/apr';
import { localDateAt } from '../domain/localdate';
import { formatMajor, parseMajor } from '../domain/money';
import { quote, type Quote, type QuoteInput } from '../domain/quote';
import { type Method } from '../domain/schedule';
import { type DayCount } from '../domain/daycount';

export const QUOTE_USAGE = `usage: npm run -s cli -- quote --amount 1000000.00 --annual-rate 0.049 --term 360
                 --method annuity|equal-principal|interest-only|bullet|flat
                 [--start-date YYYY-MM-DD, today in --time-zone] [--time-zone Asia/Shanghai]
                 [--day-count ACT/360|ACT/365|30/360] [--period P1M] [--first-due-date YYYY-MM-DD]
                 [--origination-fee 100.00 | --origination-rate 0.01] [--financed]
                 [--service-fee 10.00 | --service-fee-rate 0.001] [--json]
                 The APR cap is the regulatory one (${DEFAULT_APR_CAP}); a product's own comes with the product.`;

/** The borrower's zone when none is given: the business calendar's. */
export const DEFAULT_TIME_ZONE = 'Asia/Shanghai';

const OPTIONS = {
  amount: { type: 'string' },
  'annual-rate': { type: 'string' },
  term: { type: 'string' },
  method: { type: 'string' },
  'start-date': { type: 'string' },
  'time-zone': { type: 'string' },
  'day-count': { type: 'string' },
  period: { type: 'string' },
  'first-due-date': { type: 'string' },
  'origination-fee': { type: 'string' },
  'origination-rate': { type: 'string' },
  financed: { type: 'boolean' },
  'service-fee': { type: 'string' },
  'service-fee-rate': { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean' },
} as const;

/** The domain field each flag feeds, so an error names the same field the API would. */
export const FIELD_OF_FLAG: Record<string, string> = {
  amount: 'amount',
  'annual-rate': 'annualRate',
  term: 'termCount',
  method: 'method',
  'start-date': 'startDate',
  'time-zone': 'timeZone',
  'day-count': 'dayCount',
  period: 'period',
  'first-due-date': 'firstDueDate',
  'origination-fee': 'fees.origination.amount',
  'origination-rate': 'fees.origination.rate',
  financed: 'fees.origination.mode',
  'service-fee': 'fees.servicePerPeriod.amount',
  'service-fee-rate': 'fees.servicePerPeriod.rate',
};

/**
 * parseArgs reads `--amount -5` as a flag without its value; a negative number after a flag that takes one
 * is its value, so the domain can say what is wrong with it.
 */
function joinNegativeValues(args: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const flag = args[i]!;
    const next = args[i + 1];
    const name = flag.startsWith('--') ? flag.slice(2) : '';
    if (
      Object.hasOwn(OPTIONS, name) &&
      OPTIONS[name as keyof typeof OPTIONS].type === 'string' &&
      next !== undefined &&
      /^-\d/.test(next)
    ) {
      out.push(`${flag}=${next}`);
      i++;
    } else out.push(flag);
  }
  return out;
}

type Values = ReturnType<typeof parseArgs<{ options: typeof OPTIONS }>>['values'];

function required(values: Values, flag: keyof typeof OPTIONS, field: string): string {
  const v = values[flag];
  if (typeof v !== 'string' || v.trim() === '') throw new DomainError(field, `--${flag} is required`);
  return v.trim();
}

function wholeNumber(text: string, field: string): number {
  if (!/^\d+$/.test(text)) throw new DomainError(field, `${field} must be a whole number, got "${text}"`);
  return Number(text);
}

function feeSchedule(values: Values): FeeSchedule | undefined {
  const fees: FeeSchedule = {};
  const orig = values['origination-fee'];
  const origRate = values['origination-rate'];
  if (orig !== undefined && origRate !== undefined) {
    throw new DomainError('fees.origination', 'give --origination-fee or --origination-rate, not both');
  }
  if (orig !== undefined) fees.origination = { amount: parseMajor(orig, 'fees.origination.amount') };
  if (origRate !== undefined) fees.origination = { rate: origRate };
  if (values.financed) {
    if (!fees.origination)
      throw new DomainError('fees.origination.mode', '--financed needs an origination fee');
    fees.origination.mode = 'financed';
  }
  const svc = values['service-fee'];
  const svcRate = values['service-fee-rate'];
  if (svc !== undefined && svcRate !== undefined) {
    throw new DomainError('fees.servicePerPeriod', 'give --service-fee or --service-fee-rate, not both');
  }
  if (svc !== undefined) fees.servicePerPeriod = { amount: parseMajor(svc, 'fees.servicePerPeriod.amount') };
  if (svcRate !== undefined) fees.servicePerPeriod = { rate: svcRate };
  return Object.keys(fees).length > 0 ? fees : undefined;
}

/**
 * Turns the command line into a QuoteInput; all validation beyond the shape of the text is the domain's.
 * Without --start-date the loan starts today in the borrower's zone.
 */
export function quoteInputFromArgs(values: Values, nowMs = Date.now()): QuoteInput {
  // The zone is checked even beside --start-date, so a typo in it is never silently ignored.
  const today = localDateAt(nowMs, values['time-zone'] ?? DEFAULT_TIME_ZONE);
  const startDate = values['start-date'] === undefined ? today : required(values, 'start-date', 'startDate');
  const input: QuoteInput = {
    amount: parseMajor(required(values, 'amount', 'amount'), 'amount'),
    annualRate: required(values, 'annual-rate', 'annualRate'),
    termCount: wholeNumber(required(values, 'term', 'termCount'), 'termCount'),
    method: required(values, 'method', 'method') as Method,
    startDate,
  };
  if (values['day-count'] !== undefined) input.dayCount = values['day-count'] as DayCount;
  if (values.period !== undefined) input.period = values.period;
  if (values['first-due-date'] !== undefined) input.firstDueDate = values['first-due-date'];
  const fees = feeSchedule(values);
  if (fees) input.fees = fees;
  return input;
}

const pct = (rate: string) => `${(Number(rate) * 100).toFixed(4)}%`;

export function renderQuote(q: Quote): string {
  const header = ['seq', 'due date', 'principal', 'interest', 'fees', 'total', 'balance'];
  const rows = q.installments.map((i) => [
    String(i.seq),
    i.dueDate,
    formatMajor(i.principal),
    formatMajor(i.interest),
    formatMajor(i.fees),
    formatMajor(i.total),
    formatMajor(i.balanceAfter),
  ]);
  const t = q.totals;
  // The table sums the installments; an origination fee deducted upfront is shown below it.
  const upfront = q.fees.originationMode === 'deducted' ? q.fees.origination : 0;
  const totalRow = [
    'total',
    '',
    formatMajor(t.principal),
    formatMajor(t.interest),
    formatMajor(t.fees - upfront),
    formatMajor(t.total - upfront),
    '',
  ];
  const table = [header, ...rows, totalRow];
  const widths = header.map((_, c) => Math.max(...table.map((r) => r[c]!.length)));
  const line = (r: string[]) =>
    r
      .map((cell, c) => (c === 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!)))
      .join('  ')
      .trimEnd();
  const rule = widths.map((w) => '-'.repeat(w)).join('  ');
  const lines = [line(header), rule, ...rows.map(line), rule, line(totalRow), ''];
  lines.push(
    `amount           ${formatMajor(q.amount)} ${q.currency}, ${q.method}, ${q.termCount} × ${q.period}, ${q.annualRate} a year, ${q.dayCount}`,
  );
  if (q.fees.origination > 0)
    lines.push(`origination fee  ${formatMajor(q.fees.origination)} (${q.fees.originationMode})`);
  lines.push(`net disbursed    ${formatMajor(q.netDisbursed)}`);
  lines.push(
    `total paid       ${formatMajor(t.total)} (principal ${formatMajor(t.principal)}, interest ${formatMajor(t.interest)}, fees ${formatMajor(t.fees)})`,
  );
  lines.push(`cost of credit   ${formatMajor(t.costOfCredit)}`);
  lines.push(
    `APR              ${q.apr.nominal} (${pct(q.apr.nominal)}) nominal; effective ${q.apr.effective} (${pct(q.apr.effective)})`,
  );
  return lines.join('\n') + '\n';
}

export function runQuote(args: string[], out: (text: string) => void): void {
  const { values, positionals } = parseArgs({
    args: joinNegativeValues(args),
    options: OPTIONS,
    strict: true,
    allowPositionals: true,
  });
  if (values.help) {
    out(QUOTE_USAGE + '\n');
    return;
  }
  if (positionals.length > 0) throw new DomainError('arguments', `unexpected argument "${positionals[0]}"`);
  const q = quote(quoteInputFromArgs(values));
  out(values.json ? JSON.stringify(q, null, 2) + '\n' : renderQuote(q));
}
