import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { quoteInputFromArgs } from '../../cli/quote';
import { type Quote } from '../../domain/quote';

const root = join(__dirname, '../..');

/** Runs the CLI as a user would, through npx tsx; npm's own config warnings are silenced, ours are not. */
function cli(...args: string[]) {
  const r = spawnSync('npx', ['tsx', 'cli/index.ts', ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, npm_config_loglevel: 'error', NO_COLOR: '1' },
    timeout: 60_000,
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

const mortgage = [
  'quote',
  '--amount',
  '1000000.00',
  '--annual-rate',
  '0.049',
  '--term',
  '360',
  '--method',
  'annuity',
  '--start-date',
  '2026-01-15',
];

describe('cli quote', () => {
  it('--json prints the quote in minor units', () => {
    const r = cli(...mortgage, '--json');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const q = JSON.parse(r.stdout) as Quote;
    expect(q.amount).toBe(100_000_000);
    expect(q.installments).toHaveLength(360);
    expect(q.installments[0]).toEqual({
      seq: 1,
      dueDate: '2026-02-15',
      principal: 122_394,
      interest: 408_333,
      fees: 0,
      total: 530_727,
      balanceAfter: 99_877_606,
      status: 'scheduled',
    });
    expect(q.installments.reduce((s, i) => s + i.principal, 0)).toBe(100_000_000);
    expect(q.apr).toEqual({ nominal: '0.049000', effective: '0.050116' });
  });

  it('prints a readable table with totals and APR, amounts in major units', () => {
    const r = cli(
      'quote',
      '--amount',
      '12000.00',
      '--annual-rate',
      '0.072',
      '--term',
      '12',
      '--method',
      'flat',
      '--start-date',
      '2026-01-31',
      '--day-count',
      'ACT/365',
    );
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/seq\s+due date\s+principal\s+interest\s+fees\s+total\s+balance/);
    expect(lines.find((l) => l.includes('2026-02-28'))).toMatch(
      /1000\.00\s+72\.00\s+0\.00\s+1072\.00\s+11000\.00$/,
    );
    expect(r.stdout).toMatch(/total\s+12000\.00\s+864\.00\s+0\.00\s+12864\.00/);
    expect(r.stdout).toMatch(/APR\s+0\.130342 \(13\.0342%\)/);
    expect(r.stdout).not.toMatch(/NaN|undefined/);
  });

  it('passes fees, a first due date and a period through to the quote', () => {
    const r = cli(
      'quote',
      '--amount',
      '10000',
      '--annual-rate',
      '0.12',
      '--term',
      '6',
      '--method',
      'equal-principal',
      '--start-date',
      '2026-01-15',
      '--first-due-date',
      '2026-03-01',
      '--origination-fee',
      '100.00',
      '--financed',
      '--service-fee-rate',
      '0.001',
      '--day-count',
      'ACT/365',
      '--json',
    );
    expect(r.code).toBe(0);
    const q = JSON.parse(r.stdout) as Quote;
    expect(q).toMatchObject({
      principal: 1_010_000,
      netDisbursed: 1_000_000,
      firstDueDate: '2026-03-01',
      dayCount: 'ACT/365',
    });
    expect(q.installments[0]!.interest).toBe(Math.round((1_010_000 * 0.12 * 45) / 365));
    expect(q.installments.every((i) => i.fees === 1_000)).toBe(true);
  });

  it.each([
    [['--amount', 'abc'], 'amount'],
    [['--amount', '-5'], 'amount'],
    [['--amount', '0'], 'amount'],
    [['--amount', '1.005'], 'amount'],
    [['--term', '0'], 'termCount'],
    [['--term', 'twelve'], 'termCount'],
    [['--annual-rate', 'abc'], 'annualRate'],
    [['--method', 'balloon'], 'method'],
    [['--start-date', '2026-02-30'], 'startDate'],
    [['--day-count', 'ACT/ACT'], 'dayCount'],
    [['--annual-rate', '0.5'], 'apr'],
    [['--annual-rate', '1e-99999999'], 'annualRate'],
    [['--time-zone', 'Mars/Olympus'], 'timeZone'],
  ])('%p → exit 2 and one line naming %s', (patch, field) => {
    const args = [...mortgage];
    const at = args.indexOf(patch[0]!);
    if (at >= 0) args[at + 1] = patch[1]!;
    else args.push(...patch);
    const r = cli(...args);
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.endsWith('\n')).toBe(true);
    expect(r.stderr.trimEnd().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(new RegExp(`^error: ${field}: `));
    expect(r.stderr).not.toMatch(/\n\s+at |NaN/);
  });

  it('reports a missing option, an unknown option and an unknown command on one line', () => {
    for (const [args, field] of [
      [['quote', '--amount', '100.00'], 'annualRate'],
      [[...mortgage, '--day-count'], 'dayCount'],
      [[...mortgage, '--bogus'], 'arguments'],
      [['payoff'], 'command'],
      [[], 'command'],
    ] as const) {
      const r = cli(...args);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(new RegExp(`^error: ${field}: [^\\n]+\\n$`));
    }
  });

  it("takes no APR cap from the command line: the cap is the regulatory one or a product's", () => {
    const r = cli(...mortgage, '--annual-rate', '0.5', '--apr-cap', '5');
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^error: arguments: Unknown option '--apr-cap'/);
  });

  it("starts the loan today in the borrower's zone when no --start-date is given", () => {
    // 2026-03-31T17:30Z is already 1 April in Shanghai, still 31 March in New York.
    const at = Date.UTC(2026, 2, 31, 17, 30);
    const base = { amount: '1000.00', 'annual-rate': '0.1', term: '2', method: 'annuity' };
    expect(quoteInputFromArgs(base, at).startDate).toBe('2026-04-01');
    expect(quoteInputFromArgs({ ...base, 'time-zone': 'America/New_York' }, at).startDate).toBe('2026-03-31');
    expect(quoteInputFromArgs({ ...base, 'start-date': '2026-01-15' }, at).startDate).toBe('2026-01-15');
  });
});
