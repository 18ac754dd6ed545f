import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../support/paths';

/**
 * Every recorded history (credit lines, loans, collections, daily jobs) as the server stored it: every
 * payload the workflows wrote is encrypted, and nothing left in clear reads like a phone, ID or card
 * number. Collection runs carry the borrower's phone in their input, so they are the ones this guards
 * most. The SDK's own markers (local-activity sequence, type and times; patch ids) stay plain and are
 * read too.
 */
const dir = path.join(ROOT, 'test', 'histories');
const files = readdirSync(dir).filter((f) => f.endsWith('.json'));

const PII = [/1[3-9]\d{9}/, /\d{17}[\dX]/, /\d{16,19}/];

interface Payload {
  metadata: Record<string, string>;
  data?: string;
}

/** Every payload in the history, wherever it sits, with its path. */
function payloadsOf(node: unknown, at: string, out: { at: string; p: Payload }[] = []) {
  if (Array.isArray(node)) for (const v of node) payloadsOf(v, at, out);
  else if (node && typeof node === 'object') {
    const o = node as Record<string, unknown>;
    if (o.metadata && typeof o.metadata === 'object' && 'encoding' in o.metadata)
      out.push({ at, p: o as unknown as Payload });
    else for (const [k, v] of Object.entries(o)) payloadsOf(v, `${at}/${k}`, out);
  }
  return out;
}

const text64 = (s: string | undefined) => Buffer.from(s ?? '', 'base64').toString();

test.each(files)('%s: payloads are encrypted and no PII appears in clear', (file) => {
  const text = readFileSync(path.join(dir, file), 'utf8');
  const payloads = payloadsOf(JSON.parse(text) as unknown, '');
  expect(payloads.length).toBeGreaterThan(0);
  for (const { at, p } of payloads) {
    const encoding = text64(p.metadata.encoding);
    // Search attributes are in clear by design (so operators can filter), and so are the SDK's markers.
    const clearByDesign = /markerRecordedEventAttributes\/details\/|indexedFields\//.test(at);
    if (clearByDesign && encoding === 'json/plain') {
      for (const re of PII) expect(text64(p.data)).not.toMatch(re);
    } else {
      expect([at, encoding]).toEqual([at, 'binary/encrypted']);
    }
  }
  // Outside the payloads: ids, types, timestamps and search attributes hold no PII either.
  const clear = text.replace(/"data":\s*"[^"]*"/g, '""');
  for (const re of PII) expect(clear).not.toMatch(re);
});
