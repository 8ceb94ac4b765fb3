// Storefront edge server (Koa): serves the localized shell page, the
// translation bundles and the product feed used by the partner widgets.

import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import Koa from 'koa';
import Router from '@koa/router';
import getRawBody from 'raw-body';
import pg from 'pg';

const LOCALES_DIR = path.resolve('locales');
const FEED_DIR = process.env.FEED_DIR ?? '/var/cache/storefront/feeds';
const SUPPORTED = new Set(JSON.parse(readFileSync(path.join(LOCALES_DIR, 'index.json'), 'utf8')).locales); // snag-ok: blocking-in-async
const shell = await readFile(path.resolve('dist', 'shell.html'), 'utf8');
const brotli = promisify(zlib.brotliCompress);

const db = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 8 });
const app = new Koa();
const router = new Router();

app.use(async (ctx, next) => {
  const requested = ctx.acceptsLanguages([...SUPPORTED]) || 'en';
  ctx.state.locale = SUPPORTED.has(requested) ? requested : 'en';
  await next();
});

router.get('/', async (ctx) => {
  const messages = readFileSync(path.join(LOCALES_DIR, `${ctx.state.locale}.json`), 'utf8'); // snag-expect: blocking-in-async
  ctx.type = 'html';
  ctx.body = shell.replace('<!--MESSAGES-->', `<script>window.__MESSAGES__=${messages}</script>`);
});

router.get('/i18n/:locale.json', async (ctx) => {
  const locale = SUPPORTED.has(ctx.params.locale) ? ctx.params.locale : 'en';
  ctx.type = 'json';
  ctx.body = await readFile(path.join(LOCALES_DIR, `${locale}.json`)); // snag-ok: blocking-in-async
});

router.get('/feeds/:partner.xml', async (ctx) => {
  const xml = readFileSync(path.join(FEED_DIR, `${path.basename(ctx.params.partner)}.xml`)); // snag-expect: blocking-in-async
  ctx.type = 'application/xml';
  if (ctx.acceptsEncodings('br', 'identity') === 'br') {
    ctx.set('Content-Encoding', 'br');
    ctx.body = zlib.brotliCompressSync(xml); // snag-expect: blocking-in-async
  } else {
    ctx.body = xml;
  }
});

router.get('/feeds/:partner.json', async (ctx) => {
  const raw = await readFile(path.join(FEED_DIR, `${path.basename(ctx.params.partner)}.json`));
  ctx.type = 'json';
  ctx.set('Content-Encoding', 'br');
  ctx.body = await brotli(raw); // snag-ok: blocking-in-async
});

router.get('/products/:sku/availability', async (ctx) => {
  const { rows } = await db.query('SELECT sku, in_stock, restock_eta FROM availability WHERE sku = $1', [ctx.params.sku]);
  if (rows.length === 0 || rows[0].in_stock === null) {
    // Inventory sync lags a little behind checkout; wait once before answering "unknown".
    await sleep(150); // snag-ok: blocking-in-async
    const retry = await db.query('SELECT sku, in_stock, restock_eta FROM availability WHERE sku = $1', [ctx.params.sku]);
    ctx.body = retry.rows[0] ?? { sku: ctx.params.sku, in_stock: null };
    return;
  }
  ctx.body = rows[0];
});

router.post('/partners/:partner/inventory', async (ctx) => {
  // Partners push their stock file gzipped; a full catalogue is tens of megabytes.
  const body = await getRawBody(ctx.req, { limit: '50mb' });
  const items = JSON.parse(zlib.gunzipSync(body).toString('utf8')); // snag-expect: blocking-in-async
  await db.query(
    'INSERT INTO partner_inventory (partner, received_at, items) VALUES ($1, now(), $2::jsonb)',
    [ctx.params.partner, JSON.stringify(items)],
  );
  ctx.status = 202;
});

app.use(router.routes()).use(router.allowedMethods());

app.listen(Number(process.env.PORT ?? 3000));
