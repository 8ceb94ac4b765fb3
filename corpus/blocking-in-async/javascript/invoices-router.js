'use strict';

// Customer portal: sign-in and invoice downloads (Express).
// Invoice PDFs are rendered by the billing service into INVOICE_DIR/<customer>/<number>.pdf.

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const express = require('express');
const { Pool } = require('pg');

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const INVOICE_DIR = process.env.INVOICE_DIR || '/srv/invoices';
const ACCESS_LOG = process.env.ACCESS_LOG || '/var/log/portal/access.log';
const BRANDING = JSON.parse(fs.readFileSync(path.join(__dirname, 'branding.json'), 'utf8')); // snag-ok: blocking-in-async

const router = express.Router();

router.use((req, res, next) => {
  fs.appendFileSync(ACCESS_LOG, `${new Date().toISOString()} ${req.ip} ${req.method} ${req.originalUrl}\n`); // snag-expect: blocking-in-async
  next();
});

function invoicePath(customerId, number) {
  return path.join(INVOICE_DIR, String(customerId), `${path.basename(number)}.pdf`);
}

router.post('/login', async (req, res, next) => {
  try {
    const { rows } = await pool.query('SELECT id, password_salt, password_hash FROM customers WHERE email = $1', [String(req.body.email).toLowerCase()]);
    const customer = rows[0];
    if (!customer) {
      return res.status(401).json({ error: 'invalid credentials' });
    }
    const derived = crypto.pbkdf2Sync(String(req.body.password), customer.password_salt, 210000, 32, 'sha256'); // snag-expect: blocking-in-async
    if (!crypto.timingSafeEqual(derived, Buffer.from(customer.password_hash, 'hex'))) {
      return res.status(401).json({ error: 'invalid credentials' });
    }
    req.session.customerId = customer.id;
    res.json({ id: customer.id, brand: BRANDING.name });
  } catch (err) {
    next(err);
  }
});

router.post('/login/v2', (req, res, next) => {
  pool.query('SELECT id, password_salt, password_hash FROM customers WHERE email = $1', [String(req.body.email).toLowerCase()])
    .then(({ rows }) => {
      const customer = rows[0];
      if (!customer) {
        return res.status(401).json({ error: 'invalid credentials' });
      }
      crypto.pbkdf2(String(req.body.password), customer.password_salt, 210000, 32, 'sha256', (err, derived) => { // snag-ok: blocking-in-async
        if (err) return next(err);
        if (!crypto.timingSafeEqual(derived, Buffer.from(customer.password_hash, 'hex'))) {
          return res.status(401).json({ error: 'invalid credentials' });
        }
        req.session.customerId = customer.id;
        res.json({ id: customer.id, brand: BRANDING.name });
      });
    })
    .catch(next);
});

router.get('/invoices/:number.pdf', (req, res) => {
  const file = invoicePath(req.session.customerId, req.params.number);
  res.type('application/pdf');
  fs.createReadStream(file) // snag-ok: blocking-in-async
    .on('error', () => res.status(404).end())
    .pipe(res);
});

router.get('/invoices/:number/inline', (req, res) => {
  try {
    const pdf = fs.readFileSync(invoicePath(req.session.customerId, req.params.number)); // snag-expect: blocking-in-async
    res.type('application/pdf').set('Content-Disposition', 'inline').send(pdf);
  } catch {
    res.status(404).json({ error: 'invoice not found' });
  }
});

router.get('/invoices/:number/meta', async (req, res) => {
  try {
    const stats = await fs.promises.stat(invoicePath(req.session.customerId, req.params.number)); // snag-ok: blocking-in-async
    res.json({ number: req.params.number, bytes: stats.size, renderedAt: stats.mtime });
  } catch {
    res.status(404).json({ error: 'invoice not found' });
  }
});

function downloadReceipt(req, res) {
  const file = invoicePath(req.session.customerId, `${req.params.number}-receipt`);
  if (!fs.existsSync(file)) { // snag-expect: blocking-in-async
    return res.status(404).json({ error: 'receipt not available yet' });
  }
  res.download(file, `receipt-${req.params.number}.pdf`);
}

router.get('/invoices/:number/receipt', downloadReceipt);

module.exports = router;
