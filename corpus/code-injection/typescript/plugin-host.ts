// src/plugin-host.ts — Fastify service that runs transformation plugins over webhook payloads
import Fastify from 'fastify';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import vm from 'node:vm';

const PLUGIN_DIR = path.join(__dirname, 'plugins');
const BUILTIN_SOURCE = readFileSync(path.join(PLUGIN_DIR, 'builtin.js'), 'utf8');
const builtin = new vm.Script(BUILTIN_SOURCE, { filename: 'builtin.js' }); // snag-ok: code-injection

type TestBody = { code: string; payload: unknown };
type TransformBody = { field: string; payload: Record<string, unknown> };

export function buildServer() {
  const app = Fastify({ logger: true });

  app.post<{ Body: TestBody }>('/plugins/test', async (request) => {
    const sandbox = { payload: request.body.payload, result: undefined as unknown };
    vm.runInNewContext(request.body.code, sandbox, { timeout: 100 }); // snag-expect: code-injection
    return { result: sandbox.result };
  });

  app.post<{ Body: TransformBody }>('/plugins/builtin', async (request) => {
    const sandbox = { payload: request.body.payload, field: request.body.field, result: undefined as unknown };
    builtin.runInNewContext(sandbox, { timeout: 100 }); // snag-ok: code-injection
    return { result: sandbox.result };
  });

  app.get<{ Querystring: { path: string } }>('/plugins/pick', async (request) => {
    const getter = new Function('payload', `return payload.${request.query.path};`); // snag-expect: code-injection
    return { value: getter({}) };
  });

  app.get<{ Querystring: { path: string } }>('/plugins/pick-safe', async (request) => {
    const keys = request.query.path.split('.');
    return { keys, depth: keys.length };
  });

  return app;
}
