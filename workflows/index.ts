// The worker bundles this file: every workflow type is exported from here.
export { creditLine } from './credit-line';
export { loan } from './loan';
export { reconcile, snapshotPortfolio } from './operations';
export { collection } from './collection';
