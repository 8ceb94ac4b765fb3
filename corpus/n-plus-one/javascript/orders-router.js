'use strict';

const express = require('express');
const { Pool } = require('pg');

const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: 20,
  idleTimeoutMillis: 30_000,
});

const CARRIER_URL = process.env.CARRIER_URL || 'https://api.carrier.example/v1';

const router = express.Router();

function parseIds(raw) {
  return String(raw || '')
    .split(',')
    .map((s) => Number.parseInt(s, 10))
    .filter(Number.isInteger);
}

// GET /orders?ids=1,2,3
router.get('/', async (req, res, next) => {
  const ids = parseIds(req.query.ids);
  try {
    const { rows } = await pool.query('SELECT id, status, total_cents FROM orders WHERE id = ANY($1::int[])', [ids]); // snag-ok: n-plus-one
    res.json(rows.map((r) => ({ id: r.id, status: r.status, total: (r.total_cents / 100).toFixed(2) }))); // snag-ok: n-plus-one
  } catch (err) {
    next(err);
  }
});

// GET /orders/recent — embeds the customer of each order
router.get('/recent', async (req, res, next) => {
  try {
    const { rows: orders } = await pool.query(
      'SELECT id, customer_id, total_cents, created_at FROM orders ORDER BY created_at DESC LIMIT 50',
    );
    for (const order of orders) {
      const { rows } = await pool.query('SELECT id, name, email FROM customers WHERE id = $1', [order.customer_id]); // snag-expect: n-plus-one
      order.customer = rows[0] || null;
    }
    res.json(orders);
  } catch (err) {
    next(err);
  }
});

// POST /orders/:id/items — appends items inside one transaction
router.post('/:id/items', async (req, res, next) => {
  const orderId = Number.parseInt(req.params.id, 10);
  const items = Array.isArray(req.body.items) ? req.body.items : [];
  const client = await pool.connect();
  try {
    await client.query('BEGIN');
    for (const item of items) {
      await client.query( // snag-expect: n-plus-one
        'INSERT INTO order_items (order_id, sku, quantity, unit_price_cents) VALUES ($1, $2, $3, $4)',
        [orderId, item.sku, item.quantity, item.unitPriceCents],
      );
    }
    await client.query('COMMIT'); // snag-ok: n-plus-one
    res.status(201).json({ inserted: items.length });
  } catch (err) {
    await client.query('ROLLBACK');
    next(err);
  } finally {
    client.release();
  }
});

// PUT /orders/:id/items — replaces the items with one statement
router.put('/:id/items', async (req, res, next) => {
  const orderId = Number.parseInt(req.params.id, 10);
  const items = Array.isArray(req.body.items) ? req.body.items : [];
  const skus = items.map((i) => i.sku); // snag-ok: n-plus-one
  const quantities = items.map((i) => i.quantity); // snag-ok: n-plus-one
  try {
    await pool.query( // snag-ok: n-plus-one
      `WITH gone AS (DELETE FROM order_items WHERE order_id = $1)
       INSERT INTO order_items (order_id, sku, quantity)
       SELECT $1, sku, qty FROM unnest($2::text[], $3::int[]) AS t(sku, qty)`,
      [orderId, skus, quantities],
    );
    res.status(204).end();
  } catch (err) {
    next(err);
  }
});

// DELETE /orders  { ids: [...] } — drops draft orders
router.delete('/', async (req, res, next) => {
  const ids = Array.isArray(req.body.ids) ? req.body.ids : [];
  try {
    const results = await Promise.all(ids.map((id) => pool.query('DELETE FROM orders WHERE id = $1 AND status = $2', [id, 'draft']))); // snag-expect: n-plus-one
    res.json({ deleted: results.reduce((n, r) => n + r.rowCount, 0) }); // snag-ok: n-plus-one
  } catch (err) {
    next(err);
  }
});

// POST /orders/:id/reserve — retries on serialization failures
router.post('/:id/reserve', async (req, res, next) => {
  const { sku, qty } = req.body;
  try {
    for (let attempt = 0; attempt < 3; attempt++) {
      try {
        await pool.query( // snag-ok: n-plus-one
          'UPDATE inventory SET reserved = reserved + $1 WHERE sku = $2 AND on_hand - reserved >= $1',
          [qty, sku],
        );
        break;
      } catch (err) {
        if (err.code !== '40001' || attempt === 2) throw err;
      }
    }
    res.status(204).end();
  } catch (err) {
    next(err);
  }
});

// POST /orders/:id/ship — buys one label per package
router.post('/:id/ship', async (req, res, next) => {
  const orderId = Number.parseInt(req.params.id, 10);
  try {
    const { rows: packages } = await pool.query(
      'SELECT id, weight_grams, length_cm, width_cm, height_cm FROM packages WHERE order_id = $1',
      [orderId],
    );
    const labels = [];
    for (const pkg of packages) {
      const resp = await fetch(`${CARRIER_URL}/labels`, { // snag-expect: n-plus-one
        method: 'POST',
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${process.env.CARRIER_TOKEN}` },
        body: JSON.stringify({ reference: `${orderId}-${pkg.id}`, weight: pkg.weight_grams }),
        signal: AbortSignal.timeout(8_000),
      });
      labels.push(await resp.json());
    }
    res.json(labels);
  } catch (err) {
    next(err);
  }
});

module.exports = router;
