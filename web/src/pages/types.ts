import type { Money } from '../format';

export interface ReviewItem {
  id: string;
  creditLineId: string;
  status: string;
  reviewersRequired: number;
  approvals: string[];
  proposedLimit: Money;
  grade: string | null;
  escalations: number;
  dueAt: string;
}

export interface HistoryEvent {
  type: string;
  at: string;
  reviewerId?: string;
  decision?: string;
  reason?: string;
  to?: string;
  deadlineAt?: string;
}

export interface Dossier extends ReviewItem {
  lineStatus: string;
  productCode: string;
  timeZone: string;
  requestedLimit: Money;
  applicant: { name: string; idNumber: string; phone: string; bankCard: string };
  score: {
    value: number;
    grade: string;
    scorecardVersion: string;
    contributions: { characteristic: string; value: number; points: number }[];
  } | null;
  reasons: { code: string; message: string }[];
  bureau: {
    reportId: string;
    pulledAt: string;
    score: number;
    currentDebts: Money;
    overdueCountLast24m: number;
    maxDpdLast24m: number;
  } | null;
  screening: { listed: string | null; matchedOn?: string } | null;
  identity: { matched: boolean; reasonCode?: string } | null;
  info: {
    monthlyIncome?: Money;
    occupation?: string;
    emergencyContact?: { name: string; phone: string; relation: string };
  }[];
  decisions: { reviewerId: string; decision: string; reason?: string; at: string }[];
  history: HistoryEvent[];
}
