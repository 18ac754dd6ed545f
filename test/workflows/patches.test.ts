import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { PATCH } from '../../workflows/patches';
import { ROOT } from '../support/paths';

/**
 * The patch registry (workflows/patches.ts) is the one list of the ids workflows branch on: a patch
 * id typed inline could differ from the one recorded in running histories by a letter, and replay
 * would quietly take the old path. Its comments name the recorded histories of each path; those
 * lists are checked against the markers the histories hold.
 */
const workflowsDir = path.join(ROOT, 'workflows');
const historiesDir = path.join(ROOT, 'test', 'histories');
const withoutComments = (text: string) => text.replace(/\/\*[\s\S]*?\*\//g, '').replace(/\/\/.*$/gm, '');
const sources = readdirSync(workflowsDir)
  .filter((f) => f.endsWith('.ts') && f !== 'patches.ts')
  .map((file) => ({ file, code: withoutComments(readFileSync(path.join(workflowsDir, file), 'utf8')) }));
const keys = Object.keys(PATCH) as (keyof typeof PATCH)[];

test('every patched() and deprecatePatch() call names its id from the registry', () => {
  const calls = sources.flatMap(({ file, code }) =>
    [...code.matchAll(/\b(?:patched|deprecatePatch)\(([^)]*)\)/g)].map((m) => ({ file, arg: m[1]!.trim() })),
  );
  expect(calls.length).toBeGreaterThan(0);
  for (const { file, arg } of calls) {
    expect({ file, arg }).toEqual({ file, arg: expect.stringMatching(/^PATCH\.\w+$/) });
    expect(keys).toContain(arg.slice('PATCH.'.length));
  }
});

test('every id in the registry is used by a workflow, and no two entries share an id', () => {
  for (const key of keys) {
    const users = sources.filter(({ code }) => new RegExp(`\\bPATCH\\.${key}\\b`).test(code));
    expect({ key, used: users.length > 0 }).toEqual({ key, used: true });
  }
  expect(new Set(Object.values(PATCH)).size).toBe(keys.length);
});

interface MarkerEvent {
  markerRecordedEventAttributes?: {
    markerName: string;
    details?: Record<string, { payloads?: { data: string }[] }>;
  };
}

/** The patch ids a recorded history holds markers for (the SDK writes them in clear). */
function patchIdsIn(file: string): Set<string> {
  const { events } = JSON.parse(readFileSync(path.join(historiesDir, file), 'utf8')) as {
    events: MarkerEvent[];
  };
  const ids = new Set<string>();
  for (const e of events) {
    const m = e.markerRecordedEventAttributes;
    if (m?.markerName !== 'core_patch') continue;
    for (const p of m.details?.['patch-data']?.payloads ?? [])
      ids.add((JSON.parse(Buffer.from(p.data, 'base64').toString()) as { id: string }).id);
  }
  return ids;
}

const registry = readFileSync(path.join(workflowsDir, 'patches.ts'), 'utf8');
const histories = readdirSync(historiesDir).filter((f) => f.endsWith('.json'));

test.each(keys)('%s: its comment names the histories of both paths and when to deprecate it', (key) => {
  const entry = new RegExp(`/\\*\\*((?:(?!\\*/)[\\s\\S])*)\\*/\\s*${key}: '([^']+)'`).exec(registry);
  expect(entry?.[2]).toBe(PATCH[key]);
  const doc = entry![1]!.replace(/^\s*\* ?/gm, '').replace(/\s+/g, ' ');
  const listed = (label: string) =>
    new RegExp(`${label}:(.*?)(?:Old path:|New path:|Deprecate:|$)`).exec(doc)?.[1]?.match(/[\w-]+\.json/g) ??
    [];
  const oldPath = listed('Old path');
  const newPath = listed('New path');
  expect(doc).toMatch(/Deprecate: \S/);
  // A patch asked only in a rare case (a timer firing late after an outage) may have no recorded
  // history on a path, but the entry must say so; the markers below then prove none holds it.
  if (!/Old path: none recorded/.test(doc)) expect(oldPath.length).toBeGreaterThan(0);
  if (!/New path: none recorded/.test(doc)) expect(newPath.length).toBeGreaterThan(0);
  for (const file of [...oldPath, ...newPath]) expect(histories).toContain(file);
  // A history without the marker replayed the old path wherever it asked; one with it, the new path.
  for (const file of oldPath)
    expect({ file, marker: patchIdsIn(file).has(PATCH[key]) }).toEqual({ file, marker: false });
  const recorded = histories.filter((f) => patchIdsIn(f).has(PATCH[key]));
  expect([...newPath].sort()).toEqual(recorded.sort());
});
