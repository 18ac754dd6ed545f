import { SandboxBank } from '../adapters/bank';
import type { DebitFailureReason, DebitRequest } from '../contracts/providers/bank';

/**
 * The sandbox bank with the simulated borrowers' accounts: a card whose holder will not pay has its
 * debits refused by the rule the simulation set for it (by the debit's due date); every other card
 * is served as the sandbox serves it, payouts and the bank's record included.
 */
export class SimulatedBank extends SandboxBank {
  private readonly rules = new Map<string, (dueDate: string) => boolean>();

  /** From now on, debits from `card` whose due date `refuses` answers true for are refused. */
  refuseDebits(card: string, refuses: (dueDate: string) => boolean): void {
    this.rules.set(card, refuses);
  }

  protected override async debitRefusal(request: DebitRequest): Promise<DebitFailureReason | null> {
    if (this.rules.get(request.fromCard)?.(request.dueDate)) return 'INSUFFICIENT_FUNDS';
    return super.debitRefusal(request);
  }
}
