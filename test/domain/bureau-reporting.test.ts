import { nextBureauFiling } from '../../domain/bureau-reporting';

const late = (dpd: number, bucket: string, oldestDueDate = '2026-01-15') => ({
  status: 'delinquent',
  dpd,
  bucket,
  oldestDueDate,
});

describe('nextBureauFiling', () => {
  test('a late loan is filed from the configured DPD on, once per bucket', () => {
    expect(nextBureauFiling(late(30, 'M1'), null, 31, '2026-02-14')).toBeNull();
    const m2 = nextBureauFiling(late(31, 'M2'), null, 31, '2026-02-15');
    expect(m2).toEqual({ episode: '2026-01-15', tag: 'M2', status: 'delinquent' });
    expect(
      nextBureauFiling(late(40, 'M2'), { episode: '2026-01-15', last: 'M2' }, 31, '2026-02-24'),
    ).toBeNull();
    expect(nextBureauFiling(late(61, 'M3'), { episode: '2026-01-15', last: 'M2' }, 31, '2026-03-17')).toEqual(
      {
        episode: '2026-01-15',
        tag: 'M3',
        status: 'delinquent',
      },
    );
  });

  test('after a filing, the cure, closure and write-off are filed in the same episode; before one, nothing is', () => {
    const last = { episode: '2026-01-15', last: 'M3' };
    const current = { status: 'active', dpd: 0, bucket: 'M0', oldestDueDate: '2026-03-15' };
    expect(nextBureauFiling(current, null, 31, '2026-03-20')).toBeNull();
    expect(nextBureauFiling(current, last, 31, '2026-03-20')).toEqual({
      episode: '2026-01-15',
      tag: 'current',
      status: 'current',
    });
    expect(nextBureauFiling(current, { ...last, last: 'current' }, 31, '2026-03-21')).toBeNull();
    expect(
      nextBureauFiling({ ...current, status: 'closed' }, { ...last, last: 'current' }, 31, '2026-04-01'),
    ).toEqual({ episode: '2026-01-15', tag: 'closed', status: 'closed' });
    expect(
      nextBureauFiling({ ...late(180, 'M6'), status: 'written_off' }, last, 31, '2026-07-14'),
    ).toMatchObject({
      tag: 'written_off',
      status: 'written_off',
    });
  });

  test('a loan late again after a cure files a new episode', () => {
    const filing = nextBureauFiling(
      late(31, 'M2', '2026-05-15'),
      { episode: '2026-01-15', last: 'current' },
      31,
      '2026-06-15',
    );
    expect(filing).toEqual({ episode: '2026-05-15', tag: 'M2', status: 'delinquent' });
  });
});
