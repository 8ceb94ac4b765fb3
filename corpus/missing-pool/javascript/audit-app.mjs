// src/app.mjs — the audit service (Express). Every request is tagged with the
// tenant from its API key; audit entries go to Postgres, the per-key request
// counters to Redis. createApp() is called once by server.mjs.
import express from 'express';
import pg from 'pg';
import { createClient } from 'redis';

const pool = new pg.Pool({ // snag-ok: missing-pool
  connectionString: process.env.DATABASE_URL,
  max: 15,
  idleTimeoutMillis: 30_000,
});

const API_KEY_LOOKUP = 'SELECT tenant_id, scopes FROM api_keys WHERE key_hash = $1 AND revoked_at IS NULL';

function hashKey(raw) {
  return Buffer.from(raw ?? '').toString('base64url');
}

// Opens a connection for the request and hands it to the routes.
async function requestConnection(req, res, next) {
  const db = new pg.Client({ connectionString: process.env.DATABASE_URL }); // snag-expect: missing-pool
  try {
    await db.connect();
  } catch (err) {
    return next(err);
  }
  req.db = db;
  res.on('finish', () => db.end());
  next();
}

async function authenticate(req, res, next) {
  try {
    const { rows } = await pool.query(API_KEY_LOOKUP, [hashKey(req.get('x-api-key'))]);
    if (rows.length === 0) return res.status(401).json({ error: 'invalid api key' });
    req.tenantId = rows[0].tenant_id;
    next();
  } catch (err) {
    next(err);
  }
}

export async function createApp() {
  const app = express();
  app.use(express.json({ limit: '256kb' }));

  app.locals.counters = createClient({ url: process.env.REDIS_URL }); // snag-ok: missing-pool
  await app.locals.counters.connect();

  app.use(authenticate);
  app.use(async (req, _res, next) => {
    try {
      await app.locals.counters.incr(`requests:${req.tenantId}:${new Date().toISOString().slice(0, 10)}`);
      next();
    } catch (err) {
      next(err);
    }
  });

  app.post('/entries', requestConnection, async (req, res, next) => {
    const { actor, action, target } = req.body;
    try {
      const { rows } = await req.db.query(
        'INSERT INTO audit_entries (tenant_id, actor, action, target) VALUES ($1, $2, $3, $4) RETURNING id, created_at',
        [req.tenantId, actor, action, target],
      );
      res.status(201).json(rows[0]);
    } catch (err) {
      next(err);
    }
  });

  app.get('/entries', async (req, res, next) => {
    try {
      const { rows } = await pool.query(
        'SELECT id, actor, action, target, created_at FROM audit_entries WHERE tenant_id = $1 ORDER BY created_at DESC LIMIT 100',
        [req.tenantId],
      );
      res.json(rows);
    } catch (err) {
      next(err);
    }
  });

  app.get('/entries/export-status', async (req, res, next) => {
    const reporting = new pg.Pool({ connectionString: process.env.REPORTING_DATABASE_URL, max: 2 }); // snag-expect: missing-pool
    try {
      const { rows } = await reporting.query(
        'SELECT status, finished_at, row_count FROM audit_exports WHERE tenant_id = $1 ORDER BY requested_at DESC LIMIT 1',
        [req.tenantId],
      );
      res.json(rows[0] ?? { status: 'none' });
    } catch (err) {
      next(err);
    } finally {
      await reporting.end();
    }
  });

  app.get('/usage', async (req, res, next) => {
    try {
      const day = new Date().toISOString().slice(0, 10);
      const count = await app.locals.counters.get(`requests:${req.tenantId}:${day}`);
      res.json({ day, requests: Number(count ?? 0) });
    } catch (err) {
      next(err);
    }
  });

  return app;
}
