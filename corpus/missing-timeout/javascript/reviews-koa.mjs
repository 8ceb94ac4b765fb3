import Router from '@koa/router';
import axios from 'axios';
import got from 'got';
import fetch from 'node-fetch';

import { Review } from '../models/review.mjs';

const router = new Router({ prefix: '/reviews' });

const MODERATION_URL = process.env.MODERATION_URL;
const TRANSLATE_URL = process.env.TRANSLATE_URL;

router.post('/', async (ctx) => {
  const { productId, rating, text } = ctx.request.body;
  const { data: verdict } = await axios.post(`${MODERATION_URL}/v1/classify`, { text }); // snag-expect: missing-timeout
  if (verdict.toxic) {
    ctx.throw(422, 'review rejected by moderation');
  }
  const review = await Review.create({ productId, rating, text, userId: ctx.state.user.id });
  ctx.status = 201;
  ctx.body = review;
});

router.get('/:id/translated', async (ctx) => {
  const review = await Review.findByPk(ctx.params.id);
  ctx.assert(review, 404);
  // node-fetch 3 has no default timeout (and no `timeout` option).
  const response = await fetch(`${TRANSLATE_URL}/translate`, { // snag-expect: missing-timeout
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ text: review.text, target: ctx.query.lang ?? 'en' }),
  });
  ctx.body = { ...review.toJSON(), text: (await response.json()).translation };
});

router.get('/:id/sentiment', async (ctx) => {
  const review = await Review.findByPk(ctx.params.id);
  ctx.assert(review, 404);
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(), 2000);
  try {
    const response = await fetch(`${process.env.SENTIMENT_URL}/score`, { // snag-ok: missing-timeout
      method: 'POST',
      body: JSON.stringify({ text: review.text }),
      signal: controller.signal,
    });
    ctx.body = await response.json();
  } finally {
    clearTimeout(timer);
  }
});

router.get('/product/:productId/summary', async (ctx) => {
  const summary = await got(`${process.env.SUMMARIES_URL}/products/${ctx.params.productId}`, { // snag-ok: missing-timeout
    responseType: 'json',
    timeout: { request: 3000 },
  }).json();
  const external = await got(`${process.env.MARKETPLACE_URL}/ratings/${ctx.params.productId}`, { responseType: 'json' }).json(); // snag-expect: missing-timeout
  ctx.body = { ...summary, marketplaceRating: external.average };
});

router.post('/:id/report', async (ctx) => {
  await axios.post(`${MODERATION_URL}/v1/reports`, { reviewId: ctx.params.id, reason: ctx.request.body.reason }, { timeout: 4000 }); // snag-ok: missing-timeout
  ctx.status = 202;
});

export default router;
