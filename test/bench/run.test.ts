import { BENCHES, runBench } from '../../bench/run';
import { formatTable, row } from '../../bench/table';

// Figures are never asserted: the bench machine is shared. What is checked is that the runner gets a
// well-formed row from a bench process and prints them as one table.
test('the runner runs a bench in its own process and gets its rows', async () => {
  const rows = await runBench(
    BENCHES.find((b) => b.name === 'decision')!,
    true,
  );
  expect(rows).toHaveLength(1);
  expect(rows[0]).toMatchObject({ goal: '≤ 1 ms', met: expect.any(Boolean), ratio: expect.any(Number) });
  expect(rows[0]!.metric).toMatch(/credit rules/);
});

test('a bench that fails is a row saying so, not a missing row', async () => {
  const rows = await runBench({ name: 'broken', file: 'no-such.bench.ts', args: [], quickArgs: [] }, true);
  expect(rows).toEqual([expect.objectContaining({ metric: 'broken: bench failed', met: false })]);
});

test('the table has one line per row with metric, goal, measured and ratio', () => {
  const table = formatTable([
    row('a', '≥ 0.7', '1 / 2', 0.5, (x) => x >= 0.7),
    row('b', '—', 'context', null),
  ]).split('\n');
  expect(table[0]).toMatch(/\| metric +\| goal +\| measured +\| ratio +\|/);
  expect(table).toHaveLength(4);
  expect(table[2]).toContain('0.50 MISSED');
  expect(table[3]).toMatch(/\| — +\|$/);
});

test('every bench file the runner names exists', () => {
  for (const b of BENCHES) expect(() => require.resolve(`../../bench/${b.file}`)).not.toThrow();
});
