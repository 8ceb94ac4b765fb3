// app/api/dashboards/[id]/snapshots/route.ts
//
// Point-in-time snapshots of a dashboard's widget data. A snapshot is the
// dashboard state as gzipped JSON under SNAPSHOT_DIR/<dashboard>/<snapshot>.json.gz;
// the index row is in Postgres.

import { createWriteStream, readFileSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { promisify } from 'node:util';
import zlib, { createGzip, gunzipSync } from 'node:zlib';
import { NextRequest, NextResponse } from 'next/server';
import { auth } from '@/lib/auth';
import { sql } from '@/lib/db';

export const runtime = 'nodejs';

const SNAPSHOT_DIR = process.env.SNAPSHOT_DIR ?? '/var/data/snapshots';
const SNAPSHOT_SCHEMA_VERSION: number = JSON.parse(readFileSync(join(process.cwd(), 'snapshot-schema.json'), 'utf8')).version; // snag-ok: blocking-in-async
const gunzipAsync = promisify(zlib.gunzip);

type Params = { params: { id: string } };

function snapshotFile(dashboardId: string, snapshotId: string): string {
  return join(SNAPSHOT_DIR, dashboardId, `${snapshotId}.json.gz`);
}

export async function GET(request: NextRequest, { params }: Params) {
  const session = await auth();
  if (!session) {
    return NextResponse.json({ error: 'unauthorized' }, { status: 401 });
  }
  const snapshotId = request.nextUrl.searchParams.get('snapshot');
  if (!snapshotId) {
    const rows = await sql`SELECT id, created_at, created_by FROM dashboard_snapshots WHERE dashboard_id = ${params.id} ORDER BY created_at DESC LIMIT 50`;
    return NextResponse.json(rows);
  }
  const compressed = readFileSync(snapshotFile(params.id, snapshotId)); // snag-expect: blocking-in-async
  const state = JSON.parse(gunzipSync(compressed).toString('utf8')); // snag-expect: blocking-in-async
  return NextResponse.json({ id: snapshotId, schemaVersion: SNAPSHOT_SCHEMA_VERSION, state });
}

export async function POST(request: NextRequest, { params }: Params) {
  const session = await auth();
  if (!session) {
    return NextResponse.json({ error: 'unauthorized' }, { status: 401 });
  }
  const state = await request.json();
  const snapshotId = crypto.randomUUID();
  const body = zlib.gzipSync(JSON.stringify({ schemaVersion: SNAPSHOT_SCHEMA_VERSION, state }), { level: 9 }); // snag-expect: blocking-in-async
  writeFileSync(snapshotFile(params.id, snapshotId), body); // snag-expect: blocking-in-async
  await sql`INSERT INTO dashboard_snapshots (id, dashboard_id, created_by) VALUES (${snapshotId}, ${params.id}, ${session.user.id})`;
  return NextResponse.json({ id: snapshotId }, { status: 201 });
}

export async function PUT(request: NextRequest, { params }: Params) {
  const session = await auth();
  if (!session) {
    return NextResponse.json({ error: 'unauthorized' }, { status: 401 });
  }
  const snapshotId = crypto.randomUUID();
  const source = Readable.from([JSON.stringify({ schemaVersion: SNAPSHOT_SCHEMA_VERSION, state: await request.json() })]);
  await pipeline(source, createGzip({ level: 9 }), createWriteStream(snapshotFile(params.id, snapshotId))); // snag-ok: blocking-in-async
  await sql`INSERT INTO dashboard_snapshots (id, dashboard_id, created_by) VALUES (${snapshotId}, ${params.id}, ${session.user.id})`;
  return NextResponse.json({ id: snapshotId }, { status: 201 });
}

export async function PATCH(request: NextRequest, { params }: Params) {
  const session = await auth();
  if (!session) {
    return NextResponse.json({ error: 'unauthorized' }, { status: 401 });
  }
  const { snapshot } = (await request.json()) as { snapshot: string };
  const compressed = await readFile(snapshotFile(params.id, snapshot)); // snag-ok: blocking-in-async
  const state = JSON.parse((await gunzipAsync(compressed)).toString('utf8')); // snag-ok: blocking-in-async
  await sql`UPDATE dashboards SET state = ${JSON.stringify(state)}, restored_from = ${snapshot} WHERE id = ${params.id}`;
  return NextResponse.json({ restored: snapshot });
}
