import { latestOnly } from '../../web/src/latest';

// The console's lists reload on each filter change; an answer to an earlier load must not land.
test('only the latest of overlapping loads may draw its answer', () => {
  const begin = latestOnly();
  const first = begin();
  expect(first()).toBe(true);
  const second = begin();
  expect([first(), second()]).toEqual([false, true]);
  // Another list keeps its own count.
  const other = latestOnly()();
  expect([second(), other()]).toEqual([true, true]);
});
