import { Router } from 'express';
import pg from 'pg';
import knexFactory from 'knex';

const pool = new pg.Pool({ connectionString: process.env.DATABASE_URL });
const knex = knexFactory({ client: 'pg', connection: process.env.DATABASE_URL });

const INVOICE_COLUMNS = 'id, number, status, amount_cents, due_at';

export const billing = Router();

billing.get('/accounts/:accountId/invoices', async (req, res, next) => {
  try {
    const { rows } = await pool.query( // snag-expect: sql-injection
      `SELECT ${INVOICE_COLUMNS} FROM invoices WHERE account_id = $1 AND status = '${req.query.status}' ORDER BY due_at`,
      [req.params.accountId],
    );
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

billing.get('/accounts/:accountId/invoices/open', async (req, res, next) => {
  try {
    const { rows } = await pool.query(`SELECT ${INVOICE_COLUMNS} FROM invoices WHERE account_id = $1 AND status = 'open'`, [req.params.accountId]); // snag-ok: sql-injection
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

billing.get('/invoices/:invoiceId', async (req, res, next) => {
  try {
    const { rows } = await pool.query(`SELECT ${INVOICE_COLUMNS} FROM invoices WHERE id = ${Number(req.params.invoiceId)}`); // snag-ok: sql-injection
    if (rows.length === 0) return res.status(404).json({ error: 'invoice not found' });
    res.json(rows[0]);
  } catch (err) {
    next(err);
  }
});

billing.get('/payments/lookup', async (req, res, next) => {
  try {
    const { rows } = await pool.query(`SELECT * FROM payments WHERE reference = '${req.query.ref}'`); // snag-expect: select-star, sql-injection
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

billing.get('/overdue', async (req, res, next) => {
  try {
    const rows = await knex('invoices').select('id', 'number', 'amount_cents').whereRaw(`due_at < now() - interval '${req.query.days} days'`); // snag-expect: sql-injection
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

billing.get('/accounts/:accountId/balance', async (req, res, next) => {
  try {
    const result = await knex.raw("SELECT coalesce(SUM(amount_cents), 0) AS balance FROM invoices WHERE account_id = ? AND status = 'open'", [req.params.accountId]); // snag-ok: sql-injection
    res.json(result.rows[0]);
  } catch (err) {
    next(err);
  }
});

billing.post('/accounts/:accountId/credits', async (req, res, next) => {
  const { amountCents, reason } = req.body;
  try {
    const result = await knex.raw( // snag-expect: sql-injection
      `INSERT INTO credits (account_id, amount_cents, reason) VALUES (?, ?, '${reason}') RETURNING id`,
      [req.params.accountId, amountCents],
    );
    res.status(201).json(result.rows[0]);
  } catch (err) {
    next(err);
  }
});
