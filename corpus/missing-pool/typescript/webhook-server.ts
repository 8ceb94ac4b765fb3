// src/server.ts
//
// Inbound webhook gateway (Fastify). Verifies provider signatures, stores raw
// deliveries in MongoDB and fans them out through a Redis stream. Connections
// are opened in buildServer(), which index.ts calls once at boot.
import Fastify, { type FastifyInstance } from 'fastify';
import { createHmac, timingSafeEqual } from 'node:crypto';
import Redis from 'ioredis';
import { MongoClient, type Collection } from 'mongodb';
import { Client as PgClient } from 'pg';
import { env } from './env';

declare module 'fastify' {
  interface FastifyInstance {
    deliveries: Collection;
    stream: Redis;
  }
}

type Delivery = { provider: string; receivedAt: Date; headers: Record<string, unknown>; body: unknown };

function verified(secret: string, payload: string, signature: string | undefined): boolean {
  if (!signature) return false;
  const expected = createHmac('sha256', secret).update(payload).digest('hex');
  return expected.length === signature.length && timingSafeEqual(Buffer.from(expected), Buffer.from(signature));
}

export async function buildServer(): Promise<FastifyInstance> {
  const app = Fastify({ logger: true, bodyLimit: 512 * 1024 });

  const mongo = new MongoClient(env.MONGO_URL, { maxPoolSize: 20 }); // snag-ok: missing-pool
  await mongo.connect();
  app.decorate('deliveries', mongo.db('webhooks').collection<Delivery>('deliveries'));
  app.decorate('stream', new Redis(env.REDIS_URL, { maxRetriesPerRequest: 2 })); // snag-ok: missing-pool
  app.addHook('onClose', async () => {
    await mongo.close();
    app.stream.disconnect();
  });

  app.post<{ Params: { provider: string } }>('/hooks/:provider', async (req, reply) => {
    const raw = JSON.stringify(req.body);
    const secret = env.SECRETS[req.params.provider];
    if (!secret || !verified(secret, raw, req.headers['x-signature'] as string | undefined)) {
      return reply.code(401).send({ error: 'bad signature' });
    }
    const { insertedId } = await app.deliveries.insertOne({
      provider: req.params.provider, receivedAt: new Date(), headers: req.headers, body: req.body,
    });
    await app.stream.xadd('deliveries', '*', 'id', insertedId.toHexString(), 'provider', req.params.provider);
    return reply.code(202).send({ id: insertedId });
  });

  app.get<{ Params: { id: string } }>('/deliveries/:id/replay', async (req, reply) => {
    const client = new MongoClient(env.MONGO_URL); // snag-expect: missing-pool
    await client.connect();
    const delivery = await client.db('webhooks').collection('replays').findOne({ deliveryId: req.params.id });
    await client.close();
    if (!delivery) return reply.code(404).send({ error: 'unknown delivery' });
    return delivery;
  });

  app.get('/stream/lag', async () => {
    const redis = new Redis(env.REDIS_URL); // snag-expect: missing-pool
    const info = await redis.xinfo('GROUPS', 'deliveries');
    redis.disconnect();
    return { groups: info };
  });

  app.get<{ Params: { provider: string } }>('/providers/:provider/failures', async (req) => {
    const db = new PgClient({ connectionString: env.DATABASE_URL, statement_timeout: 5_000 }); // snag-expect: missing-pool
    await db.connect();
    try {
      const { rows } = await db.query(
        'SELECT delivery_id, attempts, last_error FROM delivery_failures WHERE provider = $1 ORDER BY last_attempt_at DESC LIMIT 100',
        [req.params.provider],
      );
      return rows;
    } finally {
      await db.end();
    }
  });

  app.get('/healthz', async () => {
    await app.stream.ping();
    return { ok: true };
  });

  return app;
}
