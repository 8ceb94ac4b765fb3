// src/routes/reports.ts
//
// Admin reports. Revenue and churn come from the MySQL billing database,
// signups and geography from the Postgres product database.
import { Router, type Request, type Response, type NextFunction } from 'express';
import mysql from 'mysql2/promise';
import { Client, Pool } from 'pg';
import { requireAdmin } from '../middleware/auth';

const billing = mysql.createPool({ // snag-ok: missing-pool
  uri: process.env.BILLING_DATABASE_URL,
  connectionLimit: 10,
  enableKeepAlive: true,
});

const product = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 }); // snag-ok: missing-pool

export const reports = Router();
reports.use(requireAdmin);

function monthRange(req: Request): [string, string] {
  const from = typeof req.query.from === 'string' ? req.query.from : '2024-01-01';
  const to = typeof req.query.to === 'string' ? req.query.to : new Date().toISOString().slice(0, 10);
  return [from, to];
}

reports.get('/revenue', async (req: Request, res: Response, next: NextFunction) => {
  const [from, to] = monthRange(req);
  try {
    const conn = await mysql.createConnection(process.env.BILLING_DATABASE_URL!); // snag-expect: missing-pool
    const [rows] = await conn.execute(
      'SELECT DATE_FORMAT(paid_at, "%Y-%m") AS month, SUM(amount_cents) AS cents FROM payments WHERE paid_at BETWEEN ? AND ? GROUP BY month',
      [from, to],
    );
    await conn.end();
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

reports.get('/churn', async (req: Request, res: Response, next: NextFunction) => {
  const [from, to] = monthRange(req);
  const conn = await billing.getConnection(); // snag-ok: missing-pool
  try {
    const [rows] = await conn.execute(
      'SELECT plan, COUNT(id) AS cancelled FROM subscriptions WHERE cancelled_at BETWEEN ? AND ? GROUP BY plan',
      [from, to],
    );
    res.json(rows);
  } catch (err) {
    next(err);
  } finally {
    conn.release();
  }
});

reports.get('/signups', async (req: Request, res: Response, next: NextFunction) => {
  const [from, to] = monthRange(req);
  const client = new Client({ connectionString: process.env.DATABASE_URL }); // snag-expect: missing-pool
  try {
    await client.connect();
    const { rows } = await client.query(
      "SELECT date_trunc('week', created_at) AS week, count(id) AS signups FROM users WHERE created_at BETWEEN $1 AND $2 GROUP BY 1 ORDER BY 1",
      [from, to],
    );
    res.json(rows);
  } catch (err) {
    next(err);
  } finally {
    await client.end();
  }
});

reports.get('/geo', async (_req: Request, res: Response, next: NextFunction) => {
  const client = await product.connect(); // snag-ok: missing-pool
  try {
    const { rows } = await client.query('SELECT country, count(id) AS users FROM users GROUP BY country ORDER BY 2 DESC');
    res.json(rows);
  } catch (err) {
    next(err);
  } finally {
    client.release();
  }
});

reports.get('/retention', async (req: Request, res: Response, next: NextFunction) => {
  const [from, to] = monthRange(req);
  const cohorts = new Pool({ connectionString: process.env.ANALYTICS_DATABASE_URL, max: 4 }); // snag-expect: missing-pool
  try {
    const { rows } = await cohorts.query(
      'SELECT cohort_month, month_offset, retained FROM cohort_retention WHERE cohort_month BETWEEN $1 AND $2',
      [from, to],
    );
    res.json(rows);
  } catch (err) {
    next(err);
  } finally {
    await cohorts.end();
  }
});

reports.get('/top-customers', async (_req: Request, res: Response, next: NextFunction) => {
  try {
    const [rows] = await billing.query(
      'SELECT customer_id, SUM(amount_cents) AS cents FROM payments GROUP BY customer_id ORDER BY cents DESC LIMIT 20',
    );
    res.json(rows);
  } catch (err) {
    next(err);
  }
});
