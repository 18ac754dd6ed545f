import { DefaultFailureConverter } from '@temporalio/common';

/**
 * Loaded by path (`failureConverterPath`) because workflow code runs in its own bundle: the worker
 * and `bundleWorkflowCode` both require() it. Messages and stack traces often quote the input
 * ("card 6222… declined"), so they travel as an encoded payload the codec then encrypts.
 * Workflow-safe: no Node APIs here.
 */
export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
