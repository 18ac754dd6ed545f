/**
 * What a lender furnishes to the credit bureau about a loan, and when. A late loan is reported from a
 * configured DPD on, once per bucket it reaches; once reported, its cure, closure or write-off is
 * reported too. Each filing names the delinquency episode (the oldest unpaid due date it began on),
 * so a loan cured and late again files afresh, while a repeat of the same fact files nothing.
 */

export type FiledStatus = 'current' | 'delinquent' | 'written_off' | 'closed';

export interface LastFiling {
  episode: string;
  /** The bucket filed while late, or current / closed / written_off. */
  last: string;
}

export interface LoanStanding {
  status: string;
  dpd: number;
  bucket: string;
  oldestDueDate: string | null;
}

export interface Filing {
  episode: string;
  tag: string;
  status: FiledStatus;
}

export function nextBureauFiling(
  loan: LoanStanding,
  last: LastFiling | null,
  reportFromDpd: number,
  today: string,
): Filing | null {
  let filing: Filing;
  if (loan.status === 'delinquent') {
    if (loan.dpd < reportFromDpd) return null;
    filing = { episode: loan.oldestDueDate ?? today, tag: loan.bucket, status: 'delinquent' };
  } else {
    // A loan never reported late has nothing to correct on its file.
    if (!last) return null;
    const status: FiledStatus =
      loan.status === 'written_off' || loan.status === 'closed' ? loan.status : 'current';
    filing = { episode: last.episode, tag: status, status };
  }
  return last?.episode === filing.episode && last.last === filing.tag ? null : filing;
}
