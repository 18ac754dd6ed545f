import { Client } from '@temporalio/client';
import express, { type Express } from 'express';
import request from 'supertest';
import { createApp } from '../../api/app';
import { methodNotAllowed, OPERATIONS, openApiDocument, TAGS } from '../../api/openapi';
import { errorHandler } from '../../api/problem';
import { ApplicantSchema } from '../../api/schemas';
import { createLogger } from '../../config/logger';
import { apiKeyRepository, ROLES, type Role } from '../../db/api-keys';
import type { Pool } from '../../db/pool';
import { testPool } from '../support/db';

interface Op {
  operationId: string;
  tags?: string[];
  'x-roles'?: string[] | string;
  security?: Record<string, string[]>[];
  parameters?: { in: string; name: string }[];
  requestBody?: { required?: boolean; content: Record<string, { example?: unknown }> };
  responses: Record<string, { content?: Record<string, { schema?: { $ref?: string } }> }>;
}
const doc = openApiDocument() as {
  openapi: string;
  paths: Record<string, Record<string, Op>>;
  components: { schemas: Record<string, { properties: Record<string, Record<string, unknown>> }> };
};
const ops = Object.entries(doc.paths).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, op]) => ({
    label: `${method.toUpperCase()} ${path}`,
    method,
    path,
    op,
  })),
);
const bearer = ops.filter(({ op }) => op.security?.some((s) => 'bearer' in s));

function walk(node: unknown, visit: (o: Record<string, unknown>) => void): void {
  if (Array.isArray(node)) node.forEach((n) => walk(n, visit));
  else if (node && typeof node === 'object') {
    visit(node as Record<string, unknown>);
    Object.values(node).forEach((n) => walk(n, visit));
  }
}

describe('the OpenAPI document', () => {
  it('is OpenAPI 3.0 without the forms schemathesis 4 cannot load or misreads', () => {
    expect(doc.openapi).toMatch(/^3\.0\.\d$/);
    const arrays: unknown[] = [];
    const loneNullable: unknown[] = [];
    const flagged: string[] = [];
    walk(doc, (o) => {
      if (Array.isArray(o.type)) arrays.push(o);
      // A flag after the slash matches nothing; a surrogate range does not compile in Rust's regex.
      if (typeof o.pattern === 'string' && /\/[a-z]+$|\\u[dD][89a-fA-F]/.test(o.pattern))
        flagged.push(o.pattern);
      // `allOf: [$ref, {nullable}]` forbids null in 3.0, so a nullable reference must not take that form.
      if (Array.isArray(o.allOf) && o.allOf.some((s) => JSON.stringify(s) === '{"nullable":true}'))
        loneNullable.push(o);
    });
    expect(arrays).toEqual([]);
    expect(loneNullable).toEqual([]);
    expect(flagged).toEqual([]);
  });

  it('files every operation under one of the area tags, with a unique operationId and its roles', () => {
    const ids = new Set<string>();
    for (const { label, op } of ops) {
      expect([label, op.tags?.length]).toEqual([label, 1]);
      expect(TAGS).toContain(op.tags?.[0]);
      expect(op['x-roles']).toBeDefined();
      ids.add(op.operationId);
    }
    expect(ids.size).toBe(ops.length);
    expect(new Set(ops.map(({ op }) => op.tags?.[0]))).toEqual(new Set(TAGS));
  });

  it('marks every request body required and documents the problems each operation can answer', () => {
    const missing: string[] = [];
    const want = (label: string, op: Op, ...statuses: number[]) => {
      for (const s of statuses) {
        const schema = op.responses[s]?.content?.['application/problem+json']?.schema;
        if (schema?.$ref !== '#/components/schemas/Problem') missing.push(`${label} ${s}`);
      }
    };
    for (const { label, op } of ops) {
      if (op.requestBody) {
        if (op.requestBody.required !== true) missing.push(`${label} body not required`);
        want(label, op, 400, 413, 415);
      }
      if (op.parameters?.some((p) => p.in === 'query')) want(label, op, 400);
      if (op.parameters?.some((p) => p.in === 'path')) want(label, op, 400, 404);
      if (op.parameters?.some((p) => p.name === 'Idempotency-Key')) want(label, op, 400, 409, 422);
    }
    for (const { label, op } of bearer) want(label, op, 401, 403);
    want('POST /v1/webhooks/payments', doc.paths['/v1/webhooks/payments']!.post!, 401);
    want('GET /v1/loans', doc.paths['/v1/loans']!.get!, 400, 404);
    expect(missing).toEqual([]);
    expect(bearer.length).toBeGreaterThan(20);
  });

  it("gives the applicant's ID number, phone and card a pattern and an example that validation accepts", () => {
    const props = doc.components.schemas.Applicant!.properties;
    for (const field of ['idNumber', 'phone', 'bankCard'] as const) {
      const { pattern, example } = props[field] as { pattern?: string; example?: string };
      expect([field, typeof pattern, typeof example]).toEqual([field, 'string', 'string']);
      expect(example).toMatch(new RegExp(pattern!));
      expect(ApplicantSchema.shape[field].safeParse(example).success).toBe(true);
    }
  });

  it('pre-fills only examples that the validating schema accepts', () => {
    const refused = OPERATIONS.filter(
      (o) => o.example !== undefined && !o.body?.safeParse(o.example).success,
    );
    expect(refused.map((o) => o.path)).toEqual([]);
    const withBody = ops.filter(({ op }) => op.requestBody && op['x-roles'] !== 'provider');
    for (const { label, op } of withBody)
      expect([label, op.requestBody?.content['application/json']?.example]).not.toEqual([label, undefined]);
  });
});

describe('the OpenAPI document against the app', () => {
  let pool: Pool;
  let app: Express;
  const keys = {} as Record<Role, string>;
  beforeAll(async () => {
    pool = testPool();
    for (const role of ROLES) keys[role] = (await apiKeyRepository(pool).create(role, `openapi ${role}`)).key;
    // No route reached here talks to Temporal: a lazy client that never connects is enough.
    app = createApp({
      pool,
      temporal: new Client(),
      taskQueue: 'test-openapi',
      logger: createLogger('silent'),
      customerIdKey: 'test-customer-id-key-0123456789',
      webhookSecret: 'test-webhook-secret-0123456789',
    });
  });
  afterAll(async () => {
    await pool?.end();
  });
  const call = (method: string, url: string) =>
    method === 'post' ? request(app).post(url) : request(app).get(url);

  it("accepts the docs page's pre-filled quote", async () => {
    const example = doc.paths['/v1/quotes']!.post!.requestBody!.content['application/json']!.example;
    const res = await request(app)
      .post('/v1/quotes')
      .set('Authorization', `Bearer ${keys.client}`)
      .send(example as object);
    expect([res.status, res.body.detail]).toEqual([200, undefined]);
    expect(res.body.installments.length).toBeGreaterThan(0);
  });

  it('documents every route the app serves', () => {
    type Layer = { route?: { path: string; methods: Record<string, boolean> }; handle?: { stack?: Layer[] } };
    const served = (stack: Layer[]): string[] =>
      stack.flatMap((l) =>
        l.route
          ? Object.keys(l.route.methods).map(
              (m) => `${m.toUpperCase()} ${l.route!.path.replace(/:(\w+)/g, '{$1}')}`,
            )
          : l.handle?.stack
            ? served(l.handle.stack)
            : [],
      );
    const routes = served((app as unknown as { router: { stack: Layer[] } }).router.stack).filter(
      (r) => r !== 'GET /openapi.json',
    );
    expect(routes.length).toBeGreaterThan(25);
    expect(new Set(routes)).toEqual(new Set(ops.map((o) => o.label)));
  });

  it('serves the document it generates, and the docs page', async () => {
    expect((await request(app).get('/openapi.json')).body).toEqual(JSON.parse(JSON.stringify(doc)));
    expect((await request(app).get('/docs/')).status).toBe(200);
  });

  it('refuses with 403 every key whose role x-roles leaves out', async () => {
    const wrong: string[] = [];
    for (const { label, method, path, op } of bearer) {
      const roles = op['x-roles'] as string[];
      const allowed = (r: Role) => roles.includes(r) || (r === 'admin' && roles.includes('ops'));
      for (const role of ROLES.filter((r) => !allowed(r))) {
        const url = path.replace(/\{\w+\}/g, 'xx_1');
        const res = await call(method, url).set('Authorization', `Bearer ${keys[role]}`);
        if (res.status !== 403) wrong.push(`${label} as ${role}: ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
  });

  it('lets through every key whose role x-roles names (refused next for the malformed request)', async () => {
    const wrong: string[] = [];
    // Validation runs before anything reaches Temporal for a body or a query; other reads need a workflow.
    const reachable = bearer.filter(
      ({ op }) => op.requestBody || op.parameters?.some((p) => p.in === 'query'),
    );
    for (const { label, method, path, op } of reachable) {
      for (const role of (op['x-roles'] as Role[]).filter((r) => ROLES.includes(r))) {
        const url = `${path.replace(/\{\w+\}/g, 'xx_1')}?unknownField=1`;
        const req = call(method, url).set('Authorization', `Bearer ${keys[role]}`);
        const res = await (method === 'post' ? req.send([]) : req);
        if (res.status !== 400) wrong.push(`${label} as ${role}: ${res.status}`);
      }
    }
    expect(wrong).toEqual([]);
    expect(reachable.length).toBeGreaterThan(15);
  });
});

describe('methodNotAllowed', () => {
  const app = express().use(methodNotAllowed, errorHandler);

  it('answers a documented path asked with another method 405 with the methods it takes', async () => {
    const res = await request(app).delete('/v1/loans/ln_1/schedule');
    expect([res.status, res.headers.allow, res.type]).toEqual([405, 'GET, HEAD', 'application/problem+json']);
    expect((await request(app).put('/v1/quotes')).headers.allow).toBe('POST');
  });

  it('passes on paths it does not document and methods they take', async () => {
    expect((await request(app).delete('/v1/nowhere')).status).toBe(404);
    expect((await request(app).get('/v1/loans/ln_1/schedule')).status).toBe(404);
  });
});
