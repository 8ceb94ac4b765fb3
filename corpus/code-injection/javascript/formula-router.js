'use strict';

// routes/formulas.js — computed fields for the no-code table builder
const express = require('express');
const Redis = require('ioredis');
const jexl = require('jexl');

const router = express.Router();
const redis = new Redis(process.env.REDIS_URL);

const RATE_LIMIT_LUA = `
local n = redis.call('INCR', KEYS[1])
if n == 1 then redis.call('EXPIRE', KEYS[1], ARGV[1]) end
return n`;

const BUILTIN_FORMULAS = {
  vat: 'net * 0.2',
  gross: 'net * 1.2',
  margin: '(price - cost) / price',
};

function compileFormula(source, fields) {
  return new Function(...fields, `return (${source});`); // snag-expect: code-injection
}

function compileBuiltin(name) {
  const fields = ['net', 'price', 'cost'];
  return new Function(...fields, `return (${BUILTIN_FORMULAS[name] || '0'});`); // snag-ok: code-injection
}

router.use(async (req, res, next) => {
  const hits = await redis.eval(RATE_LIMIT_LUA, 1, `rl:formulas:${req.ip}`, 60); // snag-ok: code-injection
  if (hits > 120) {
    return res.status(429).json({ error: 'slow down' });
  }
  next();
});

router.post('/formulas/preview', express.json(), (req, res) => {
  const { formula, row } = req.body;
  const fn = compileFormula(formula, Object.keys(row));
  res.json({ value: fn(...Object.values(row)) });
});

router.get('/formulas/builtin/:name', (req, res) => {
  const fn = compileBuiltin(req.params.name);
  res.json({ value: fn(Number(req.query.net) || 0, Number(req.query.price) || 0, Number(req.query.cost) || 0) });
});

router.post('/formulas/quick', express.text(), (req, res) => {
  try {
    res.json({ value: eval(req.body) }); // snag-expect: code-injection
  } catch (err) {
    res.status(422).json({ error: err.message });
  }
});

router.post('/formulas/jexl', express.json(), async (req, res) => {
  const value = await jexl.eval(req.body.expression, req.body.context || {}); // snag-ok: code-injection
  res.json({ value });
});

router.post('/formulas/sum', express.json(), (req, res) => {
  const columns = (req.body.columns || []).filter((c) => /^[a-z_]+$/.test(c));
  const body = 'return ' + (columns.length ? columns.map((c) => `Number(row[${JSON.stringify(c)}])`).join(' + ') : '0');
  // Column names are checked against a pattern and emitted as JSON string literals.
  const sum = new Function('row', body); // snag-ok: code-injection
  res.json({ value: sum(req.body.row || {}) });
});

router.post('/formulas/validate', express.json(), (req, res) => {
  const placeholder = /\{\{\s*(\w+)\s*\}\}/.exec(String(req.body.definition)); // snag-ok: code-injection
  if (placeholder) {
    return res.status(400).json({ valid: false, error: `unresolved placeholder ${placeholder[1]}` });
  }
  let parsed;
  try {
    parsed = JSON.parse(req.body.definition); // snag-ok: code-injection
  } catch {
    return res.status(400).json({ valid: false });
  }
  res.json({ valid: typeof parsed.expression === 'string' });
});

module.exports = router;
