#!/usr/bin/env node
// scripts/tenant-maintenance.mjs
//
// Nightly maintenance for the multi-tenant deployment, run by a Kubernetes
// CronJob: refreshes each tenant database's materialized views, publishes the
// usage snapshot of every tenant to Redis, and mirrors billing rows from the
// legacy MySQL server. Exits non-zero if any tenant failed.
import pg from 'pg';
import mysql from 'mysql2/promise';
import { createClient } from 'redis';

const CONTROL_DB = process.env.CONTROL_DATABASE_URL;
const REDIS_URL = process.env.REDIS_URL;
const LEGACY_URL = process.env.LEGACY_MYSQL_URL;

async function refreshViews(client) {
  await client.query('REFRESH MATERIALIZED VIEW CONCURRENTLY usage_daily');
  await client.query('REFRESH MATERIALIZED VIEW CONCURRENTLY usage_monthly');
}

async function usageSnapshot(control, tenantId) {
  const { rows } = await control.query(
    'SELECT seats_used, storage_bytes, api_calls_30d FROM tenant_usage WHERE tenant_id = $1',
    [tenantId],
  );
  return rows[0] ?? { seats_used: 0, storage_bytes: 0, api_calls_30d: 0 };
}

async function publish(redis, tenantId, snapshot) {
  await redis.hSet(`usage:${tenantId}`, Object.fromEntries(Object.entries(snapshot).map(([k, v]) => [k, String(v)])));
}

async function mirrorInvoices(legacy, control, tenantRef, since) {
  const [rows] = await legacy.query(
    'SELECT invoice_no, tenant_ref, amount_cents, issued_at FROM invoices WHERE tenant_ref = ? AND issued_at >= ?',
    [tenantRef, since],
  );
  await control.query(
    `INSERT INTO legacy_invoices (invoice_no, tenant_ref, amount_cents, issued_at)
     SELECT n, t, a, i FROM unnest($1::text[], $2::text[], $3::bigint[], $4::timestamptz[]) AS x(n, t, a, i)
     ON CONFLICT (invoice_no) DO NOTHING`,
    [rows.map((r) => r.invoice_no), rows.map((r) => r.tenant_ref), rows.map((r) => r.amount_cents), rows.map((r) => r.issued_at)],
  );
  return rows.length;
}

async function refreshAllTenants(tenants) {
  const failed = [];
  for (const tenant of tenants) {
    const client = new pg.Client({ connectionString: tenant.database_url, statement_timeout: 600_000 }); // snag-ok: missing-pool
    try {
      await client.connect();
      await refreshViews(client);
    } catch (err) {
      console.error(`tenant ${tenant.id}: ${err.message}`);
      failed.push(tenant.id);
    } finally {
      await client.end();
    }
  }
  return failed;
}

async function publishUsage(control, tenants) {
  for (const tenant of tenants) {
    const snapshot = await usageSnapshot(control, tenant.id);
    const redis = createClient({ url: REDIS_URL }); // snag-expect: missing-pool
    await redis.connect();
    await publish(redis, tenant.id, snapshot);
    await redis.quit();
  }
}

async function mirrorLegacyBilling(control, tenants, days) {
  const since = new Date(Date.now() - days * 86_400_000);
  for (const tenant of tenants.filter((t) => t.legacy_ref)) {
    const legacy = await mysql.createConnection(LEGACY_URL); // snag-expect: missing-pool
    try {
      const copied = await mirrorInvoices(legacy, control, tenant.legacy_ref, since);
      console.log(`tenant ${tenant.id}: ${copied} legacy invoices`);
    } finally {
      await legacy.end();
    }
  }
}

async function main() {
  const control = new pg.Pool({ connectionString: CONTROL_DB, max: 4 }); // snag-ok: missing-pool
  try {
    const { rows: tenants } = await control.query('SELECT id, database_url, legacy_ref FROM tenants WHERE active ORDER BY id');
    const failed = await refreshAllTenants(tenants);
    await publishUsage(control, tenants);
    await mirrorLegacyBilling(control, tenants, 3);
    if (failed.length > 0) process.exitCode = 1;
  } finally {
    await control.end();
  }
}

await main();
