import type { DataConverter } from '@temporalio/common';
import type { Keyring } from './keyring';
import { EncryptionCodec } from './payload-codec';

/** For `bundleWorkflowCode({ failureConverterPath })`: a prebuilt bundle ignores the worker's setting. */
export const failureConverterPath = require.resolve('./failure-converter');

/**
 * Every payload encrypted, and failure messages/stack traces moved into an encrypted payload.
 * Client and worker must share it (and the keyring), or one side sees ciphertext:
 *
 *   const dataConverter = loanflowDataConverter(keyringFromEnv(process.env.PAYLOAD_KEYS));
 *   new Client({ connection, namespace, dataConverter });                 // api/main.ts, CLI, scripts
 *   Worker.create({ connection, namespace, taskQueue, dataConverter, … }); // worker/worker.ts
 *   bundleWorkflowCode({ workflowsPath, failureConverterPath });          // any prebuilt bundle
 *   TestWorkflowEnvironment.createTimeSkipping({ client: { dataConverter }, server }); // tests
 *
 * `NativeConnection`/`Connection` take none: conversion happens in the Client and Worker.
 * Search attributes are never encrypted (the server indexes them), so they must never hold PII;
 * static summaries/details and memos are encrypted and show in the UI only through the codec server.
 */
export function loanflowDataConverter(keyring: Keyring): DataConverter {
  return { payloadCodecs: [new EncryptionCodec(keyring)], failureConverterPath };
}
