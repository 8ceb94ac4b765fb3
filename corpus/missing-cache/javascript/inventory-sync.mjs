// Nightly stock sync from the ERP into the shop database.
//
// Run by cron as `node jobs/inventory-sync.mjs`: pages through the ERP's
// stock endpoint, maps ERP article numbers to shop SKUs and writes the
// levels in one transaction per page. Exits non-zero if the ERP run fails.
import { readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';
import axios from 'axios';
import knex from 'knex';

const db = knex({ client: 'pg', connection: process.env.DATABASE_URL, pool: { min: 1, max: 4 } });
const erp = axios.create({ baseURL: process.env.ERP_URL, timeout: 30_000, headers: { 'X-Api-Key': process.env.ERP_KEY } });
const SKU_PATTERN = '^[A-Z]{2,4}-\\d{4,6}(?:-[A-Z0-9]{1,3})?$';
const MAPPING_FILE = new URL('../config/article-sku-map.json', import.meta.url);
const ARTICLE = /^\d{8}$/;
const MAX_POLLS = 90;

async function waitForErpSnapshot() {
  const { data: run } = await erp.post('/stock/snapshots');
  for (let attempt = 0; attempt < MAX_POLLS; attempt += 1) {
    const { data } = await erp.get(`/stock/snapshots/${run.id}`); // snag-ok: missing-cache
    if (data.state === 'ready') return run.id;
    if (data.state === 'failed') throw new Error(`ERP snapshot ${run.id} failed`);
    await sleep(10_000);
  }
  throw new Error(`ERP snapshot ${run.id} not ready after ${MAX_POLLS} polls`);
}

async function* stockPages(snapshotId) {
  let cursor = null;
  do {
    const { data } = await erp.get(`/stock/snapshots/${snapshotId}/items`, { params: { cursor, limit: 500 } }); // snag-ok: missing-cache
    yield data.items;
    cursor = data.nextCursor;
  } while (cursor);
}

function toRows(items, mapping, warehouseId) {
  const rows = [];
  for (const item of items) {
    const skuFormat = new RegExp(SKU_PATTERN); // snag-expect: missing-cache
    const sku = mapping[item.article] ?? item.article;
    if (!ARTICLE.test(item.article) && !skuFormat.test(sku)) continue; // snag-ok: missing-cache
    rows.push({ sku, warehouse_id: warehouseId, on_hand: item.onHand, reserved: item.reserved, synced_at: db.fn.now() });
  }
  return rows;
}

async function syncPage(items, mapping) {
  await db.transaction(async (trx) => {
    for (const item of items) {
      const warehouse = await db('warehouses').where({ code: 'MAIN' }).first(); // snag-expect: missing-cache, n-plus-one
      const overrides = JSON.parse(await readFile(MAPPING_FILE, 'utf8')); // snag-expect: missing-cache
      const sku = overrides[item.article] ?? mapping[item.article] ?? item.article;
      await trx('stock_levels') // snag-expect: n-plus-one
        .insert({ sku, warehouse_id: warehouse.id, on_hand: item.onHand, reserved: item.reserved })
        .onConflict(['sku', 'warehouse_id'])
        .merge();
    }
  });
}

async function syncPageBatched(items, mapping, warehouseId) {
  const rows = toRows(items, mapping, warehouseId);
  await db('stock_levels').insert(rows).onConflict(['sku', 'warehouse_id']).merge(); // snag-ok: missing-cache
}

async function main() {
  const [{ locked }] = (await db.raw('SELECT pg_try_advisory_lock(4711) AS locked')).rows;
  if (!locked) {
    console.log('another sync is running');
    return;
  }
  const startedAt = (await db.raw('SELECT now() AS t')).rows[0].t; // snag-ok: missing-cache
  const mapping = JSON.parse(await readFile(MAPPING_FILE, 'utf8')); // snag-ok: missing-cache
  const mainWarehouse = await db('warehouses').where({ code: 'MAIN' }).first(); // snag-ok: missing-cache
  const snapshotId = await waitForErpSnapshot();
  let pages = 0;
  for await (const items of stockPages(snapshotId)) {
    if (process.env.SYNC_MODE === 'legacy') {
      await syncPage(items, mapping);
    } else {
      await syncPageBatched(items, mapping, mainWarehouse.id);
    }
    pages += 1;
  }
  const finishedAt = (await db.raw('SELECT now() AS t')).rows[0].t; // snag-ok: missing-cache
  await db('sync_runs').insert({ kind: 'inventory', pages, started_at: startedAt, finished_at: finishedAt });
  await db.raw('SELECT pg_advisory_unlock(4711)');
}

main()
  .catch((err) => {
    console.error(err);
    process.exitCode = 1;
  })
  .finally(() => db.destroy());
