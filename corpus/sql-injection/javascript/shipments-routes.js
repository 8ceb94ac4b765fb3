'use strict';

const express = require('express');
const mysql = require('mysql2/promise');

const { requireStaff } = require('../middleware/auth');

const pool = mysql.createPool({ uri: process.env.MYSQL_URL, connectionLimit: 8 });

const SHIPMENT_COLUMNS = 's.id, s.tracking_number, s.carrier, s.status, s.shipped_at, o.reference';
const SHIPMENT_FROM = 'FROM shipments s JOIN orders o ON o.id = s.order_id';
const CARRIERS = new Map([
  ['ups', "s.carrier = 'UPS'"],
  ['dhl', "s.carrier = 'DHL'"],
  ['fedex', "s.carrier = 'FEDEX'"],
]);

const router = express.Router();
router.use(requireStaff);

async function shipmentsForWarehouse(warehouse, status) {
  let sql = `SELECT ${SHIPMENT_COLUMNS} ${SHIPMENT_FROM} WHERE s.warehouse_code = '${warehouse}'`;
  if (status) sql += ` AND s.status = '${status}'`;
  const [rows] = await pool.query(sql); // snag-expect: sql-injection
  return rows;
}

async function shipmentByTracking(trackingNumber) {
  const [rows] = await pool.execute(`SELECT ${SHIPMENT_COLUMNS} ${SHIPMENT_FROM} WHERE s.tracking_number = ?`, [trackingNumber]); // snag-ok: sql-injection
  return rows[0] ?? null;
}

router.get('/warehouses/:code/shipments', async (req, res, next) => {
  try {
    res.json(await shipmentsForWarehouse(req.params.code, req.query.status));
  } catch (err) {
    next(err);
  }
});

router.get('/shipments/track/:number', async (req, res, next) => {
  try {
    const shipment = await shipmentByTracking(req.params.number);
    if (!shipment) return res.sendStatus(404);
    res.json(shipment);
  } catch (err) {
    next(err);
  }
});

router.get('/shipments', async (req, res, next) => {
  const conditions = ['s.deleted_at IS NULL'];
  const carrierCondition = CARRIERS.get(String(req.query.carrier || '').toLowerCase());
  if (carrierCondition) conditions.push(carrierCondition);
  if (req.query.late === '1') conditions.push('s.expected_at < NOW() AND s.delivered_at IS NULL');
  const limit = parseInt(req.query.limit, 10) || 100;
  try {
    const [rows] = await pool.query(`SELECT ${SHIPMENT_COLUMNS} ${SHIPMENT_FROM} WHERE ${conditions.join(' AND ')} LIMIT ${limit}`); // snag-ok: sql-injection
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

router.get('/shipments/search', async (req, res, next) => {
  const conditions = ['s.deleted_at IS NULL'];
  if (req.query.reference) conditions.push(`o.reference LIKE '${req.query.reference}%'`);
  if (req.query.carrier) conditions.push(`s.carrier = '${String(req.query.carrier).toUpperCase()}'`);
  const where = conditions.join(' AND ');
  try {
    const [rows] = await pool.query(`SELECT ${SHIPMENT_COLUMNS} ${SHIPMENT_FROM} WHERE ${where} LIMIT 100`); // snag-expect: sql-injection
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

router.get('/shipments/by-date', async (req, res, next) => {
  let day = req.query.day;
  if (!day) {
    day = new Date().toISOString().slice(0, 10);
  }
  try {
    const [rows] = await pool.query('SELECT ' + SHIPMENT_COLUMNS + ' ' + SHIPMENT_FROM + " WHERE DATE(s.shipped_at) = '" + day + "'"); // snag-expect: sql-injection
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

router.get('/shipments/by-week', async (req, res, next) => {
  let week = req.query.week;
  week = Number.isInteger(Number(week)) ? Number(week) : 0;
  try {
    const [rows] = await pool.query(`SELECT ${SHIPMENT_COLUMNS} ${SHIPMENT_FROM} WHERE YEARWEEK(s.shipped_at) = YEARWEEK(NOW()) - ${week}`); // snag-ok: sql-injection
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

router.post('/shipments/reassign', async (req, res, next) => {
  const { fromCarrier, toCarrier, ids } = req.body;
  let sql = 'UPDATE shipments SET carrier = ?';
  const values = [toCarrier];
  sql += ' WHERE carrier = ?';
  values.push(fromCarrier);
  if (Array.isArray(ids) && ids.length > 0) {
    sql += ` AND id IN (${ids.map(() => '?').join(', ')})`;
    values.push(...ids);
  }
  try {
    const [result] = await pool.execute(sql, values); // snag-ok: sql-injection
    res.json({ updated: result.affectedRows });
  } catch (err) {
    next(err);
  }
});

router.post('/shipments/notes', async (req, res, next) => {
  const note = req.body.note.trim();
  const author = req.user.email;
  const text = `${author}: ${note}`;
  try {
    await pool.query(`INSERT INTO shipment_notes (shipment_id, body) VALUES (${parseInt(req.body.shipmentId, 10)}, '${text}')`); // snag-expect: sql-injection
    res.sendStatus(201);
  } catch (err) {
    next(err);
  }
});

module.exports = router;
