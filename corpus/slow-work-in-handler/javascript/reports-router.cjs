'use strict';

// Reporting endpoints of the fleet-maintenance back office (Express).
// Work orders, vehicles and fuel logs live in Postgres; the `reports` queue
// is drained by workers/report-worker.cjs, which uploads finished files to
// the reports bucket and notifies the requester.

const express = require('express');
const ExcelJS = require('exceljs');
const PDFDocument = require('pdfkit');
const puppeteer = require('puppeteer');
const { Parser } = require('@json2csv/plainjs');
const { Queue } = require('bullmq');
const { pool } = require('../db');
const { requireManager } = require('../middleware/auth');
const { renderWorkOrderHtml } = require('../templates/work-order');

const reportsQueue = new Queue('reports', { connection: { url: process.env.REDIS_URL } });
const router = express.Router();
router.use(requireManager);

function packingSlip(order, res) {
  // Called from the parts counter route; one page, a handful of lines.
  const doc = new PDFDocument({ size: 'A6', margin: 18 });
  doc.pipe(res);
  doc.fontSize(12).text(`Parts for WO-${order.id}`);
  order.parts.forEach((part) => doc.fontSize(9).text(`${part.qty} x ${part.sku} ${part.name}`));
  doc.end(); // snag-ok: slow-work-in-handler
}

router.get('/work-orders.xlsx', async (req, res, next) => {
  try {
    const { rows } = await pool.query(
      'SELECT id, vehicle_id, opened_at, closed_at, status, labour_minutes, parts_cents FROM work_orders WHERE depot_id = $1 ORDER BY opened_at',
      [req.user.depotId],
    );
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Work orders');
    sheet.addRow(['WO', 'Vehicle', 'Opened', 'Closed', 'Status', 'Labour (min)', 'Parts']);
    rows.forEach((r) => sheet.addRow([r.id, r.vehicle_id, r.opened_at, r.closed_at, r.status, r.labour_minutes, r.parts_cents / 100]));
    res.attachment('work-orders.xlsx');
    await workbook.xlsx.write(res); // snag-expect: slow-work-in-handler
    res.end();
  } catch (err) {
    next(err);
  }
});

router.get('/vehicles.xlsx', async (req, res, next) => {
  try {
    const { rows } = await pool.query('SELECT id, plate, make, model, year, odometer_km, next_service_on FROM vehicles ORDER BY plate');
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Fleet').addRows(rows.map((v) => [v.plate, v.make, v.model, v.year, v.odometer_km, v.next_service_on]));
    const buffer = await workbook.xlsx.writeBuffer(); // snag-expect: slow-work-in-handler
    res.attachment('fleet.xlsx').send(Buffer.from(buffer));
  } catch (err) {
    next(err);
  }
});

router.get('/fuel-log.csv', async (req, res, next) => {
  try {
    const { rows } = await pool.query('SELECT vehicle_id, filled_at, litres, odometer_km, station FROM fuel_log WHERE depot_id = $1', [req.user.depotId]);
    const csv = new Parser({ fields: ['vehicle_id', 'filled_at', 'litres', 'odometer_km', 'station'] }).parse(rows); // snag-expect: slow-work-in-handler
    res.type('text/csv').attachment('fuel-log.csv').send(csv); // snag-ok: slow-work-in-handler
  } catch (err) {
    next(err);
  }
});

router.get('/vehicles/:id/history.pdf', async (req, res, next) => {
  try {
    const { rows } = await pool.query(
      'SELECT id, opened_at, status, summary FROM work_orders WHERE vehicle_id = $1 AND depot_id = $2 ORDER BY opened_at',
      [req.params.id, req.user.depotId],
    );
    const doc = new PDFDocument({ size: 'A4', margin: 40, bufferPages: true }); // snag-ok: slow-work-in-handler
    res.type('application/pdf');
    doc.pipe(res);
    doc.fontSize(18).text(`Service history, vehicle ${req.params.id}`);
    for (const wo of rows) {
      doc.moveDown(0.5).fontSize(10).text(`${wo.opened_at.toISOString().slice(0, 10)}  WO-${wo.id}  ${wo.status}`);
      doc.fontSize(9).fillColor('#555').text(wo.summary ?? '').fillColor('#000');
    }
    doc.end(); // snag-expect: slow-work-in-handler
  } catch (err) {
    next(err);
  }
});

router.get('/work-orders/:id.pdf', async (req, res, next) => {
  const browser = await puppeteer.launch({ headless: 'new' });
  try {
    const { rows } = await pool.query('SELECT id, vehicle_id, opened_at, closed_at, status, summary, lines FROM work_orders WHERE id = $1 AND depot_id = $2', [req.params.id, req.user.depotId]);
    if (!rows.length) return res.sendStatus(404);
    const page = await browser.newPage();
    await page.setContent(renderWorkOrderHtml(rows[0]));
    const pdf = await page.pdf({ format: 'A4', margin: { top: '16mm', bottom: '16mm' } }); // snag-expect: slow-work-in-handler
    res.type('application/pdf').send(pdf);
  } catch (err) {
    next(err);
  } finally {
    await browser.close();
  }
});

router.get('/parts-orders/:id/slip', async (req, res, next) => {
  try {
    const { rows } = await pool.query('SELECT id, parts FROM parts_orders WHERE id = $1', [req.params.id]);
    if (!rows.length) return res.sendStatus(404);
    packingSlip(rows[0], res);
  } catch (err) {
    next(err);
  }
});

router.get('/work-orders/latest.csv', async (req, res, next) => {
  try {
    const { rows } = await pool.query('SELECT id, vehicle_id, opened_at, status FROM work_orders WHERE depot_id = $1 ORDER BY opened_at DESC LIMIT 100', [req.user.depotId]);
    res.type('text/csv').send(new Parser().parse(rows)); // snag-ok: slow-work-in-handler
  } catch (err) {
    next(err);
  }
});

router.post('/exports/:kind', async (req, res) => {
  const job = await reportsQueue.add(req.params.kind, { depotId: req.user.depotId, requestedBy: req.user.id }); // snag-ok: slow-work-in-handler
  res.status(202).json({ job: job.id });
});

module.exports = router;
