import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import mysql from 'mysql2/promise';

const pool = mysql.createPool({
  host: process.env.MYSQL_HOST,
  user: process.env.MYSQL_USER,
  password: process.env.MYSQL_PASSWORD,
  database: 'inventory',
  connectionLimit: 10,
});

const SUPPLIER_API = process.env.SUPPLIER_API_URL ?? 'https://supplier.example.com/api';
const MOVEMENT_CHUNK = 500;

export async function reserveStock(orderId, lines) {
  const conn = await pool.getConnection();
  try {
    await conn.beginTransaction();
    for (const line of lines) {
      const [rows] = await conn.execute('SELECT on_hand, reserved FROM stock WHERE sku = ? FOR UPDATE', [line.sku]); // snag-expect: n-plus-one
      if (rows.length === 0 || rows[0].on_hand - rows[0].reserved < line.qty) {
        throw new Error(`insufficient stock for ${line.sku}`);
      }
      await conn.execute('UPDATE stock SET reserved = reserved + ? WHERE sku = ?', [line.qty, line.sku]); // snag-expect: n-plus-one
    }
    await conn.execute('INSERT INTO reservations (order_id, created_at) VALUES (?, NOW())', [orderId]); // snag-ok: n-plus-one
    await conn.commit();
  } catch (err) {
    await conn.rollback();
    throw err;
  } finally {
    conn.release();
  }
}

export async function stockLevels(skus) {
  if (skus.length === 0) return new Map();
  // mysql2's query() expands an array bound to IN (?) into a list.
  const [rows] = await pool.query('SELECT sku, on_hand, reserved FROM stock WHERE sku IN (?)', [skus]); // snag-ok: n-plus-one
  return new Map(rows.map((r) => [r.sku, r.on_hand - r.reserved])); // snag-ok: n-plus-one
}

export async function recordMovements(movements) {
  const values = movements.map((m) => [m.sku, m.delta, m.reason, m.at]); // snag-ok: n-plus-one
  for (let i = 0; i < values.length; i += MOVEMENT_CHUNK) {
    await pool.query('INSERT INTO stock_movements (sku, delta, reason, created_at) VALUES ?', [values.slice(i, i + MOVEMENT_CHUNK)]); // snag-ok: n-plus-one
  }
}

export async function applyCycleCount(countsBySku) {
  for (const [sku, onHand] of Object.entries(countsBySku)) {
    await pool.execute('UPDATE stock SET on_hand = ?, counted_at = NOW() WHERE sku = ?', [onHand, sku]); // snag-expect: n-plus-one
  }
}

export async function syncSupplierPrices(supplierId) {
  const [items] = await pool.execute('SELECT sku, supplier_sku FROM supplier_items WHERE supplier_id = ?', [supplierId]);
  for (const item of items) {
    const r = await fetch(`${SUPPLIER_API}/items/${encodeURIComponent(item.supplier_sku)}/price`, { signal: AbortSignal.timeout(4_000) }); // snag-expect: n-plus-one
    if (!r.ok) continue;
    const { price } = await r.json();
    await pool.execute( // snag-expect: n-plus-one
      'UPDATE supplier_items SET last_price_cents = ? WHERE supplier_id = ? AND sku = ?',
      [Math.round(price * 100), supplierId, item.sku],
    );
  }
}

export async function importBarcodes(path) {
  const lines = createInterface({ input: createReadStream(path), crlfDelay: Infinity });
  let updated = 0;
  for await (const line of lines) {
    const [barcode, sku] = line.split(',');
    if (!barcode || !sku) continue;
    const [result] = await pool.execute('UPDATE stock SET barcode = ? WHERE sku = ?', [barcode.trim(), sku.trim()]); // snag-expect: n-plus-one
    updated += result.affectedRows;
  }
  return updated;
}

export async function* stockPages(pageSize = 1000) {
  let lastId = 0;
  for (;;) {
    const [rows] = await pool.execute('SELECT id, sku, on_hand FROM stock WHERE id > ? ORDER BY id LIMIT ?', [lastId, String(pageSize)]); // snag-ok: n-plus-one
    if (rows.length === 0) return;
    yield rows;
    lastId = rows[rows.length - 1].id;
  }
}

export async function warehouseTotals() {
  const totals = {};
  for (const warehouse of ['EU-1', 'US-1', 'US-2']) {
    const [[row]] = await pool.execute('SELECT COALESCE(SUM(on_hand), 0) AS n FROM stock WHERE warehouse = ?', [warehouse]); // snag-ok: n-plus-one
    totals[warehouse] = Number(row.n);
  }
  return totals;
}

export async function lowStockReport(threshold) {
  const [rows] = await pool.execute('SELECT sku, on_hand, reorder_level FROM stock WHERE on_hand < ?', [threshold]);
  return rows
    .filter((r) => r.on_hand < r.reorder_level)
    .map((r) => `${r.sku}: ${r.on_hand}/${r.reorder_level}`) // snag-ok: n-plus-one
    .join('\n');
}
