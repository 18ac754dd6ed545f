import type { Repositories } from '../db/repositories';
import type { Providers } from '../contracts/providers';

/**
 * What a group of activities is handed by the worker (worker/worker.ts): the providers and
 * repositories it names and nothing else, so a group's reach is read off its type.
 */
export type ActivityDeps<P extends keyof Providers, R extends keyof Repositories> = Pick<Providers, P> &
  Pick<Repositories, R>;
