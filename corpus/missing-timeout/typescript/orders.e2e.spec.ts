import axios from 'axios';
import got from 'got';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { startTestServer, type TestServer } from './helpers/server';

describe('orders API', () => {
  let server: TestServer;
  let api: ReturnType<typeof axios.create>;

  beforeAll(async () => {
    server = await startTestServer();
    api = axios.create({ baseURL: server.url, validateStatus: () => true }); // snag-ok: missing-timeout
  });

  afterAll(async () => {
    await server.close();
  });

  it('creates an order', async () => {
    const response = await axios.post(`${server.url}/orders`, { sku: 'SKU-1', quantity: 2 }); // snag-ok: missing-timeout
    expect(response.status).toBe(201);
    expect(response.data.quantity).toBe(2);
  });

  it('rejects an unknown sku', async () => {
    const response = await api.post('/orders', { sku: 'NOPE', quantity: 1 });
    expect(response.status).toBe(422);
  });

  it('serves the health check', async () => {
    const body = await got(`${server.url}/healthz`).json<{ ok: boolean }>(); // snag-ok: missing-timeout
    expect(body.ok).toBe(true);
  });
});
