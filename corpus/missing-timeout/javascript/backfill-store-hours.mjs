#!/usr/bin/env node
// Backfills opening hours for every store from the Places API, then pushes
// them to the storefront CMS. Usage: node scripts/backfill-store-hours.mjs [--dry-run]

import { parseArgs } from 'node:util';

import axios from 'axios';
import got from 'got';
import ky from 'ky';
import pg from 'pg';

const { values: flags } = parseArgs({ options: { 'dry-run': { type: 'boolean', default: false } } });

const db = new pg.Pool({ connectionString: process.env.DATABASE_URL, max: 4 });

const cms = axios.create({ // snag-ok: missing-timeout
  baseURL: process.env.CMS_URL,
  headers: { Authorization: `Bearer ${process.env.CMS_TOKEN}` },
});
cms.defaults.timeout = 20_000;

const places = got.extend({ // snag-expect: missing-timeout
  prefixUrl: 'https://places.googleapis.com/v1',
  headers: { 'X-Goog-Api-Key': process.env.PLACES_KEY, 'X-Goog-FieldMask': 'regularOpeningHours' },
});

async function openingHours(placeId) {
  const place = await places.get(`places/${placeId}`).json();
  return place.regularOpeningHours?.weekdayDescriptions ?? [];
}

async function slackSummary(text) {
  await got.post(process.env.SLACK_WEBHOOK_URL, { json: { text }, timeout: { request: 5_000 } }); // snag-ok: missing-timeout
}

async function main() {
  const { rows: stores } = await db.query('SELECT id, place_id, cms_entry_id FROM stores WHERE place_id IS NOT NULL');
  const hours = await Promise.all(stores.map((store) => openingHours(store.place_id)));
  let updated = 0;
  const patches = stores.map((store, index) => ({ id: store.cms_entry_id, fields: { openingHours: hours[index] } }));
  if (!flags['dry-run']) {
    await cms.post('/entries/bulk-update', { entries: patches }); // snag-ok: missing-timeout
    updated = patches.length;
  }
  const weather = await ky.get(`${process.env.WEATHER_URL}/alerts`, { searchParams: { region: 'eu' } }).json(); // snag-ok: missing-timeout
  const report = await got(`${process.env.REPORTS_URL}/stores/coverage`).json(); // snag-expect: missing-timeout
  await slackSummary(`store hours: ${updated} updated, ${weather.alerts.length} weather alerts, coverage ${report.percent}%`);
  await axios.post(`${process.env.AUDIT_URL}/jobs`, { job: 'backfill-store-hours', updated }); // snag-expect: missing-timeout
}

try {
  await main();
} finally {
  await db.end();
}
