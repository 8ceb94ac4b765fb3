'use strict';

// Operations reports (Koa 2). Report definitions are YAML files checked into
// config/reports; KPIs come from the warehouse service, order figures from
// MySQL. HTML is rendered with Pug, CSV with csv-stringify.

const fs = require('fs');
const path = require('path');
const Koa = require('koa');
const Router = require('@koa/router');
const bodyParser = require('koa-bodyparser');
const axios = require('axios');
const mysql = require('mysql2/promise');
const pug = require('pug');
const yaml = require('js-yaml');
const { stringify } = require('csv-stringify/sync');

const VIEWS = path.join(__dirname, 'views');
const CONFIG = path.join(__dirname, 'config', 'reports');
const WAREHOUSE_API = process.env.WAREHOUSE_API || 'http://warehouse.internal/api';
const pool = mysql.createPool({ uri: process.env.MYSQL_URL, connectionLimit: 8 });
const renderIndex = pug.compileFile(path.join(VIEWS, 'index.pug')); // snag-ok: missing-cache

const app = new Koa();
const router = new Router({ prefix: '/reports' });

router.get('/', async (ctx) => {
  ctx.body = renderIndex({ reports: await fs.promises.readdir(CONFIG) });
});

router.get('/daily', async (ctx) => {
  const period = ctx.query.date || new Date().toISOString().slice(0, 10);
  const definition = yaml.load(fs.readFileSync(path.join(CONFIG, 'daily.yml'), 'utf8')); // snag-expect: missing-cache, blocking-in-async
  const [rows] = await pool.query(
    'SELECT channel, COUNT(id) AS orders, SUM(total_cents) AS revenue FROM orders WHERE DATE(created_at) = ? GROUP BY channel',
    [period],
  );
  const render = pug.compileFile(path.join(VIEWS, 'daily.pug')); // snag-expect: missing-cache
  ctx.body = render({ title: definition.title, period, rows });
});

router.get('/kpis', async (ctx) => {
  const period = ctx.query.period || 'week';
  const { data: kpis } = await axios.get(`${WAREHOUSE_API}/kpis`, { params: { period } }); // snag-ok: missing-cache snag-expect: missing-timeout
  const [[orders]] = await pool.query('SELECT COUNT(id) AS n FROM orders WHERE created_at > NOW() - INTERVAL 7 DAY');
  const pickRate = kpis.picked / Math.max(kpis.ordered, 1);
  const { data: latest } = await axios.get(`${WAREHOUSE_API}/kpis`, { params: { period } }); // snag-expect: missing-cache, missing-timeout
  ctx.body = pug.renderFile(path.join(VIEWS, 'kpis.pug'), { cache: true, kpis: latest, orders: orders.n, pickRate }); // snag-ok: missing-cache
});

router.get('/weekly.csv', async (ctx) => {
  const [rows] = await pool.query(
    'SELECT YEARWEEK(created_at) AS week, channel, COUNT(id) AS orders FROM orders GROUP BY week, channel ORDER BY week DESC LIMIT 104',
  );
  const columns = rows.map((row) => {
    const labels = yaml.load(fs.readFileSync(path.join(CONFIG, 'channel-labels.yml'), 'utf8')); // snag-expect: missing-cache, blocking-in-async
    return { ...row, channel: labels[row.channel] || row.channel };
  });
  ctx.type = 'text/csv';
  ctx.body = stringify(columns, { header: true });
});

router.post('/preview', bodyParser({ enableTypes: ['text'] }), async (ctx) => {
  const definition = yaml.load(ctx.request.body); // snag-ok: missing-cache
  if (!definition || !Array.isArray(definition.columns)) {
    ctx.throw(400, 'a report definition needs a list of columns');
  }
  const invalid = definition.columns.filter((c) => !/^[a-z][a-z0-9_]*$/.test(c.key)); // snag-ok: missing-cache
  if (invalid.length > 0) {
    ctx.throw(400, `invalid column keys: ${invalid.map((c) => c.key).join(', ')}`);
  }
  ctx.body = pug.renderFile(path.join(VIEWS, 'preview.pug'), { cache: true, definition }); // snag-ok: missing-cache
});

router.get('/definitions/:name', async (ctx) => {
  const file = path.join(CONFIG, `${path.basename(ctx.params.name)}.yml`);
  const definition = yaml.load(await fs.promises.readFile(file, 'utf8')); // snag-ok: missing-cache
  ctx.body = { name: ctx.params.name, title: definition.title, columns: definition.columns };
});

app.use(router.routes()).use(router.allowedMethods());

module.exports = app;
