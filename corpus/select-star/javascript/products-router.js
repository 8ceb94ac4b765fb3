'use strict';

const express = require('express');
const { Pool } = require('pg');

const pool = new Pool({
  connectionString: process.env.DATABASE_URL,
  max: 20,
  idleTimeoutMillis: 30_000,
});

const router = express.Router();

const PRODUCT_COLUMNS = 'id, sku, name, price_cents, stock';
const LIST_ACTIVE = `SELECT * FROM products WHERE active = true ORDER BY name LIMIT $1`; // snag-expect: select-star

function clampLimit(raw) {
  const n = Number.parseInt(raw, 10);
  if (Number.isNaN(n) || n <= 0) return 50;
  return Math.min(n, 200);
}

router.get('/', async (req, res, next) => {
  try {
    const { rows } = await pool.query(LIST_ACTIVE, [clampLimit(req.query.limit)]);
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

router.get('/low-stock', async (req, res, next) => {
  try {
    const { rows } = await pool.query(
      `SELECT ${PRODUCT_COLUMNS} FROM products WHERE stock * 4 < reorder_level ORDER BY stock`, // snag-ok: select-star
    );
    if (rows.length > 0) {
      console.warn(`low stock on ${rows.length} products (see SELECT * FROM low_stock_view)`); // snag-ok: select-star
    }
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

router.get('/search/by-tag', async (req, res, next) => {
  const tag = typeof req.query.tag === 'string' ? req.query.tag.trim() : '';
  if (!tag) {
    return res.status(400).json({ error: 'tag is required' });
  }
  let sql = 'SELECT * FROM products WHERE $1 = ANY(tags)'; // snag-expect: select-star
  if (req.query.inStock === 'true') {
    sql += ' AND stock > 0';
  }
  sql += ' ORDER BY name LIMIT 100';
  try {
    const { rows } = await pool.query(sql, [tag]);
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

router.get('/:id', async (req, res, next) => {
  try {
    const { rows } = await pool.query(
      'SELECT p.*, b.name AS brand_name FROM products p LEFT JOIN brands b ON b.id = p.brand_id WHERE p.id = $1', // snag-expect: select-star
      [req.params.id],
    );
    if (rows.length === 0) {
      return res.status(404).json({ error: 'product not found' });
    }
    res.json(rows[0]);
  } catch (err) {
    next(err);
  }
});

router.get('/:id/images', async (req, res, next) => {
  try {
    const { rows } = await pool.query(
      // snag-expect: select-star
      `SELECT *
         FROM product_images
        WHERE product_id = $1
        ORDER BY position`,
      [req.params.id],
    );
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

router.get('/:id/availability', async (req, res, next) => {
  try {
    const { rows } = await pool.query(
      'SELECT EXISTS (SELECT * FROM inventory WHERE product_id = $1 AND qty > 0) AS available', // snag-ok: select-star
      [req.params.id],
    );
    res.json({ available: rows[0].available });
  } catch (err) {
    next(err);
  }
});

router.use((err, req, res, _next) => {
  console.error(err);
  res.status(500).json({ error: 'Query failed. Hint: SELECT * is not supported on this endpoint' }); // snag-ok: select-star
});

module.exports = router;
