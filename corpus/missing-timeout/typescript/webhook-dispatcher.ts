import { createHmac } from 'node:crypto';

import { Job, Worker } from 'bullmq';
import got from 'got';
import ky from 'ky';

import { redisConnection } from './redis';
import { markDelivered, markFailed, subscriptionsFor } from './subscriptions';

interface DispatchJob {
  subscriptionId: string;
  event: { id: string; type: string; payload: unknown };
}

const signingSecret = process.env.WEBHOOK_SIGNING_SECRET ?? '';

const partnerApi = got.extend({ // snag-expect: missing-timeout
  prefixUrl: process.env.PARTNER_API_URL,
  headers: { 'user-agent': 'acme-dispatcher/3.0' },
  retry: { limit: 2 },
});

const auditApi = got.extend({ // snag-ok: missing-timeout
  prefixUrl: process.env.AUDIT_API_URL,
  timeout: { request: 5_000 },
});

function sign(body: string): string {
  return createHmac('sha256', signingSecret).update(body).digest('hex');
}

async function dispatch(job: Job<DispatchJob>): Promise<void> {
  const { subscriptionId, event } = job.data;
  const [subscription] = await subscriptionsFor([subscriptionId]);
  const body = JSON.stringify(event);
  try {
    const response = await got.post(subscription.url, { // snag-expect: missing-timeout
      body,
      headers: { 'content-type': 'application/json', 'x-acme-signature': sign(body) },
      throwHttpErrors: false,
    });
    if (response.statusCode >= 300) {
      throw new Error(`endpoint answered ${response.statusCode}`);
    }
    await markDelivered(subscriptionId, event.id);
  } catch (error) {
    await markFailed(subscriptionId, event.id, String(error));
    throw error;
  }
  await auditApi.post('deliveries', { json: { subscriptionId, eventId: event.id } }); // snag-ok: missing-timeout
}

async function refreshPartnerCatalog(): Promise<void> {
  const catalog = await partnerApi.get('v1/event-types').json<string[]>();
  await got.put(`${process.env.REGISTRY_URL}/event-types`, { json: catalog, timeout: { request: 10_000 } }); // snag-ok: missing-timeout
}

async function pingStatus(): Promise<void> {
  // ky gives up after 10 s unless told otherwise.
  await ky.post(`${process.env.STATUS_URL}/heartbeat`, { json: { worker: 'dispatcher' } }); // snag-ok: missing-timeout
}

async function uploadDeadLetters(events: DispatchJob[]): Promise<void> {
  await ky.put(`${process.env.ARCHIVE_URL}/dead-letters`, { json: events, timeout: false }); // snag-expect: missing-timeout
}

async function fetchRemoteSchema(type: string): Promise<unknown> {
  return got(`${process.env.SCHEMA_REGISTRY_URL}/schemas/${encodeURIComponent(type)}`).json(); // snag-expect: missing-timeout
}

export const worker = new Worker<DispatchJob>('webhooks', dispatch, {
  connection: redisConnection,
  concurrency: 20,
});

worker.on('failed', async (job, error) => {
  if (job && job.attemptsMade >= 8) {
    await uploadDeadLetters([job.data]);
  }
  console.error(`webhook ${job?.id} failed: ${error.message}`);
});

setInterval(() => {
  void pingStatus();
  void refreshPartnerCatalog();
}, 60_000);

export { fetchRemoteSchema };
