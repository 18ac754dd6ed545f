import type { CollectionAgency } from '../contracts/providers/agency';
import type { CollectionRepository } from '../db/collection';
import type { ContactRecord } from '../contracts/collection';
import type { ActivityDeps } from './deps';
import { failFastWhenHopeless } from './failures';

export type CollectionActivityDeps = ActivityDeps<'notify' | 'agency', 'collection'>;

export interface ContactRequest {
  loanId: string;
  contact: ContactRecord;
  /** The borrower's phone: contact goes to the borrower only, never to a third party. */
  to: string;
  template: string;
  params: Record<string, string>;
  /** The end of the borrower's contact hours today: the gateway drops the message after it. */
  notAfter?: string;
}

export type CallTask = Parameters<CollectionRepository['createTask']>[0];

/**
 * Collection's effects. Each is idempotent by the contact or task id the workflow derives from the
 * strategy step and the delinquency episode, and every contact is logged in PostgreSQL for audit.
 */
export function createCollectionActivities(deps: CollectionActivityDeps) {
  return failFastWhenHopeless({
    async contactBorrower(req: ContactRequest): Promise<void> {
      const channel = req.contact.channel === 'push' ? 'push' : 'sms';
      await deps.notify.send({
        idempotencyKey: req.contact.id,
        channel,
        to: req.to,
        template: req.template,
        params: req.params,
        ...(req.notAfter ? { notAfter: req.notAfter } : {}),
      });
      await deps.collection.logContact({ loanId: req.loanId, ...req.contact });
    },

    async logContact(loanId: string, contact: ContactRecord, taskId?: string): Promise<void> {
      await deps.collection.logContact({ loanId, ...contact, ...(taskId ? { taskId } : {}) });
    },

    async openCallTask(task: CallTask): Promise<void> {
      await deps.collection.createTask(task);
    },

    async closeCallTasks(loanId: string, reason: string): Promise<number> {
      return deps.collection.closeOpenTasks(loanId, reason);
    },

    async handOffToAgency(req: Parameters<CollectionAgency['handOff']>[0]): Promise<string> {
      return (await deps.agency.handOff(req)).agencyRef;
    },

    async serveLegalNotice(req: Parameters<CollectionAgency['serveLegalNotice']>[0]): Promise<string> {
      return (await deps.agency.serveLegalNotice(req)).noticeRef;
    },
  });
}

export type CollectionActivities = ReturnType<typeof createCollectionActivities>;
