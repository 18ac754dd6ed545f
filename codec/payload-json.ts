import type { Payload } from '@temporalio/common';
import { z } from 'zod';

/** Proto3 JSON accepts standard and URL-safe base64, padded or not; Buffer decodes all four. */
const base64 = z.string().regex(/^[A-Za-z0-9+/_-]*={0,2}$/, 'must be base64');

const jsonPayload = z.object({
  metadata: z.record(z.string(), base64).nullish(),
  data: base64.nullish(),
});

/**
 * The codec server protocol's body: a `temporal.api.common.v1.Payloads` in proto3 JSON. Proto3 JSON
 * leaves out an empty repeated field, so the Go SDK's codec client (`temporal workflow query
 * --codec-endpoint …` with no query args) sends `{}`, and null means the same.
 */
export const payloadsBody = z.object({
  payloads: z
    .array(jsonPayload)
    .max(10_000)
    .nullish()
    .transform((p) => p ?? []),
});
export type JsonPayload = z.infer<typeof jsonPayload>;

export function fromJson(p: JsonPayload): Payload {
  const metadata = Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v, 'base64')]),
  );
  return { metadata, data: Buffer.from(p.data ?? '', 'base64') };
}

export function toJson(p: Payload): { metadata: Record<string, string>; data: string } {
  const metadata = Object.fromEntries(
    Object.entries(p.metadata ?? {}).map(([k, v]) => [k, Buffer.from(v).toString('base64')]),
  );
  return { metadata, data: Buffer.from(p.data ?? new Uint8Array()).toString('base64') };
}
