'use strict';

// src/catalog/app.js — public catalog API (Koa). Products are in MongoDB via
// mongoose; the search suggestions cache and rate counters are in Redis; stock
// levels come from the warehouse service. start() runs once from bin/www.

const Koa = require('koa');
const Router = require('@koa/router');
const bodyParser = require('koa-bodyparser');
const axios = require('axios');
const Redis = require('ioredis');
const mongoose = require('mongoose');

const productSchema = new mongoose.Schema({
  sku: { type: String, index: true },
  title: String,
  priceCents: Number,
  tags: [String],
});
const Product = mongoose.model('Product', productSchema);

const cache = new Redis(process.env.REDIS_URL, { lazyConnect: true, maxRetriesPerRequest: 2 }); // snag-ok: missing-pool

const warehouse = axios.create({ // snag-ok: missing-pool
  baseURL: process.env.WAREHOUSE_URL,
  timeout: 3000,
});

const router = new Router({ prefix: '/catalog' });

router.get('/products/:sku', async (ctx) => {
  const product = await Product.findOne({ sku: ctx.params.sku }, { _id: 0, sku: 1, title: 1, priceCents: 1 }).lean();
  ctx.assert(product, 404, 'unknown product');
  ctx.body = product;
});

router.get('/products/:sku/stock', async (ctx) => {
  const { data } = await warehouse.get(`/stock/${encodeURIComponent(ctx.params.sku)}`);
  ctx.body = { sku: ctx.params.sku, available: data.available };
});

router.get('/products/:sku/eta', async (ctx) => {
  const regional = axios.create({ // snag-ok: missing-pool
    baseURL: process.env.WAREHOUSE_URL,
    timeout: 3000,
    headers: { 'X-Region': ctx.get('x-region') || 'eu-west' },
  });
  const { data } = await regional.get(`/eta/${encodeURIComponent(ctx.params.sku)}`);
  ctx.body = data;
});

router.get('/suggest', async (ctx) => {
  const prefix = String(ctx.query.q || '').toLowerCase().slice(0, 32);
  const redis = new Redis(process.env.REDIS_URL); // snag-expect: missing-pool
  try {
    ctx.body = await redis.zrangebylex('suggest', `[${prefix}`, `[${prefix}\xff`, 'LIMIT', 0, 10);
  } finally {
    redis.disconnect();
  }
});

router.get('/suggest/popular', async (ctx) => {
  const cached = await cache.get('suggest:popular');
  ctx.body = cached ? JSON.parse(cached) : [];
});

router.get('/archive/:sku', async (ctx) => {
  const archive = mongoose.createConnection(process.env.ARCHIVE_MONGO_URL); // snag-expect: missing-pool
  try {
    const Archived = archive.model('Product', productSchema);
    const doc = await Archived.findOne({ sku: ctx.params.sku }, { _id: 0 }).lean();
    ctx.assert(doc, 404, 'not archived');
    ctx.body = doc;
  } finally {
    await archive.close();
  }
});

router.post('/products/:sku/views', async (ctx) => {
  const counter = new Redis({ host: process.env.COUNTER_REDIS_HOST, port: 6379, connectTimeout: 2000 }); // snag-expect: missing-pool
  const views = await counter.incr(`views:${ctx.params.sku}`);
  counter.disconnect();
  ctx.body = { views };
});

async function start(port = Number(process.env.PORT) || 3000) {
  await mongoose.connect(process.env.MONGO_URL, { maxPoolSize: 20 }); // snag-ok: missing-pool
  await cache.connect();
  const app = new Koa();
  app.use(bodyParser());
  app.use(router.routes()).use(router.allowedMethods());
  return app.listen(port);
}

module.exports = { start, router };
