// src/routes/webhooks.ts
//
// Inbound webhooks from the payment provider and the carrier, and the
// internal fan-out that delivers our own events to merchants' endpoints.
// Provider signatures are RSA over the raw body, the carrier sends ES256 JWTs,
// merchants receive an HMAC made with their endpoint secret.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import express, { type NextFunction, type Request, type Response } from 'express';
import { createRemoteJWKSet, importSPKI, jwtVerify, type JWTVerifyGetKey } from 'jose';
import { Pool } from 'pg';

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
// snag-ok: missing-cache, blocking-in-async
const PAYMENTS_PUBLIC_KEY = crypto.createPublicKey(fs.readFileSync(process.env.PAYMENTS_KEY_PATH ?? 'keys/payments.pub.pem'));
const CARRIER_PUBLIC_KEY_PEM = process.env.CARRIER_PUBLIC_KEY_PEM ?? '';
const CARRIER_API = process.env.CARRIER_API ?? 'https://api.carrier.example/v2';

type OutboundEvent = { id: string; type: string; data: unknown };

let marketplaceJwks: JWTVerifyGetKey | undefined;
function marketplaceKeys(): JWTVerifyGetKey {
  marketplaceJwks ??= createRemoteJWKSet(new URL('https://auth.marketplace.example/.well-known/jwks.json')); // snag-ok: missing-cache
  return marketplaceJwks;
}

async function deliverWithRetry(url: string, body: string, signature: string): Promise<number> {
  for (let attempt = 1; attempt <= 5; attempt += 1) {
    const res = await fetch(url, { // snag-ok: missing-cache
      method: 'POST',
      body,
      headers: { 'Content-Type': 'application/json', 'X-Shop-Signature': signature },
    });
    if (res.status < 500) return res.status;
    await sleep(2 ** attempt * 250);
  }
  return 0;
}

export const webhooks = express.Router();

webhooks.post('/payments', express.raw({ type: 'application/json' }), async (req: Request, res: Response, next: NextFunction) => {
  const signature = Buffer.from(req.header('x-signature') ?? '', 'base64');
  if (!crypto.verify('sha256', req.body, PAYMENTS_PUBLIC_KEY, signature)) {
    return res.status(400).json({ error: 'bad signature' });
  }
  const event = JSON.parse(req.body.toString('utf8'));
  try {
    await pool.query('UPDATE payments SET status = $1, updated_at = now() WHERE provider_ref = $2', [event.status, event.reference]);
    res.sendStatus(204);
  } catch (err) {
    next(err);
  }
});

webhooks.post('/payments/v1', express.raw({ type: 'application/json' }), (req: Request, res: Response) => {
  const legacyKey = crypto.createPublicKey(fs.readFileSync('keys/payments-v1.pub.pem')); // snag-expect: missing-cache, blocking-in-async
  const signature = Buffer.from(req.header('x-signature') ?? '', 'base64');
  if (!crypto.verify('sha256', req.body, legacyKey, signature)) {
    return res.status(400).json({ error: 'bad signature' });
  }
  res.sendStatus(202);
});

webhooks.post('/carrier', express.text({ type: '*/*' }), async (req: Request, res: Response, next: NextFunction) => {
  try {
    const carrierKey = await importSPKI(CARRIER_PUBLIC_KEY_PEM, 'ES256'); // snag-expect: missing-cache
    const { payload } = await jwtVerify(req.body, carrierKey, { issuer: 'carrier' });
    await pool.query('UPDATE shipments SET status = $1 WHERE tracking_no = $2', [payload.status, payload.trackingNo]);
    res.sendStatus(204);
  } catch (err) {
    next(err);
  }
});

webhooks.post('/marketplace', express.text({ type: '*/*' }), async (req: Request, res: Response) => {
  const { payload } = await jwtVerify(req.body, marketplaceKeys(), { audience: 'shop' });
  res.json({ received: payload.jti });
});

webhooks.get('/shipments/:trackingNo/label', async (req: Request, res: Response) => {
  const labelUrl = `${CARRIER_API}/shipments/${encodeURIComponent(req.params.trackingNo)}/label`;
  const head = await fetch(labelUrl, { headers: { Authorization: `Bearer ${process.env.CARRIER_TOKEN}` } }); // snag-ok: missing-cache
  if (!head.ok) {
    return res.status(head.status === 404 ? 404 : 502).json({ error: 'label not available' });
  }
  const label = await fetch(labelUrl, { headers: { Authorization: `Bearer ${process.env.CARRIER_TOKEN}` } }); // snag-expect: missing-cache
  res.type('application/pdf').send(Buffer.from(await label.arrayBuffer()));
});

webhooks.post('/internal/fan-out', express.json(), async (req: Request, res: Response, next: NextFunction) => {
  const events: OutboundEvent[] = req.body.events;
  const results: Record<string, number> = {};
  try {
    for (const event of events) {
      const { rows: endpoints } = await pool.query( // snag-expect: missing-cache, n-plus-one
        'SELECT id, url, secret FROM webhook_endpoints WHERE account_id = $1 AND active',
        [req.body.accountId],
      );
      const body = JSON.stringify(event);
      for (const endpoint of endpoints) {
        const signature = crypto.createHmac('sha256', endpoint.secret).update(body).digest('hex'); // snag-ok: missing-cache
        results[`${event.id}:${endpoint.id}`] = await deliverWithRetry(endpoint.url, body, signature);
      }
    }
    res.json(results);
  } catch (err) {
    next(err);
  }
});

webhooks.post('/endpoints/:id/rotate', async (req: Request, res: Response, next: NextFunction) => {
  try {
    const before = await pool.query('SELECT id, secret_version FROM webhook_endpoints WHERE id = $1', [req.params.id]); // snag-ok: missing-cache
    if (before.rowCount === 0) return res.sendStatus(404);
    await pool.query("UPDATE webhook_endpoints SET secret = encode(gen_random_bytes(32), 'hex'), secret_version = secret_version + 1 WHERE id = $1", [req.params.id]);
    const after = await pool.query('SELECT id, secret_version FROM webhook_endpoints WHERE id = $1', [req.params.id]); // snag-ok: missing-cache
    res.json({ id: req.params.id, from: before.rows[0].secret_version, to: after.rows[0].secret_version });
  } catch (err) {
    next(err);
  }
});
