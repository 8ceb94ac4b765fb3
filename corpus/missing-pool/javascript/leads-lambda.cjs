'use strict';

// handlers/leads.js — Lambda functions behind the marketing site's lead forms.
// `capture` and `unsubscribe` answer API Gateway, `enrich` consumes the
// lead-enrichment SQS queue, `stats` feeds the sales dashboard. Anything created
// at module scope is reused while the execution environment stays warm.

const { Client, Pool } = require('pg');
const mysql = require('mysql2/promise');
const { createClient } = require('redis');
const { MongoClient } = require('mongodb');

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 1, idleTimeoutMillis: 120000 }); // snag-ok: missing-pool

let redisClient;

async function rateLimiter() {
  if (!redisClient) {
    redisClient = createClient({ url: process.env.REDIS_URL, socket: { connectTimeout: 2000 } }); // snag-ok: missing-pool
    await redisClient.connect();
  }
  return redisClient;
}

function json(statusCode, body) {
  return { statusCode, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body) };
}

exports.capture = async (event) => {
  const lead = JSON.parse(event.body || '{}');
  if (!lead.email) return json(400, { error: 'email is required' });

  const limiter = await rateLimiter();
  const hits = await limiter.incr(`leads:ip:${event.requestContext.http.sourceIp}`);
  if (hits === 1) await limiter.expire(`leads:ip:${event.requestContext.http.sourceIp}`, 3600);
  if (hits > 20) return json(429, { error: 'slow down' });

  const client = new Client({ connectionString: process.env.DATABASE_URL }); // snag-expect: missing-pool
  await client.connect();
  try {
    const { rows } = await client.query(
      'INSERT INTO leads (email, company, source) VALUES ($1, $2, $3) ON CONFLICT (email) DO UPDATE SET source = EXCLUDED.source RETURNING id',
      [lead.email, lead.company || null, lead.source || 'site'],
    );
    return json(201, { id: rows[0].id });
  } finally {
    await client.end();
  }
};

exports.enrich = async (event) => {
  for (const record of event.Records) {
    const { leadId, domain } = JSON.parse(record.body);
    const crm = await mysql.createConnection(process.env.CRM_MYSQL_URL); // snag-expect: missing-pool
    await crm.execute('UPDATE crm_leads SET company_domain = ?, enriched_at = NOW() WHERE external_id = ?', [domain, leadId]); // snag-expect: n-plus-one
    await crm.end();
  }
  return { batchItemFailures: [] };
};

exports.stats = async () => {
  const client = await pool.connect(); // snag-ok: missing-pool
  try {
    const { rows } = await client.query(
      "SELECT source, count(id) AS leads FROM leads WHERE created_at > now() - interval '30 days' GROUP BY source",
    );
    return json(200, rows);
  } finally {
    client.release();
  }
};

exports.unsubscribe = async (event) => {
  const email = event.queryStringParameters && event.queryStringParameters.email;
  if (!email) return json(400, { error: 'email is required' });
  const mongo = new MongoClient(process.env.MARKETING_MONGO_URL, { serverSelectionTimeoutMS: 3000 }); // snag-expect: missing-pool
  try {
    await mongo.connect();
    await mongo.db('marketing').collection('suppressions').updateOne(
      { email },
      { $set: { email, at: new Date(), reason: 'link' } },
      { upsert: true },
    );
  } finally {
    await mongo.close();
  }
  await pool.query('UPDATE leads SET unsubscribed_at = now() WHERE email = $1', [email]);
  return json(200, { unsubscribed: true });
};
