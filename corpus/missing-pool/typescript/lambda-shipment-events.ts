// functions/shipment-events/handler.ts
//
// Lambda functions for carrier shipment events. `ingest` consumes the carrier
// SQS queue, the others answer API Gateway. Clients created at module scope are
// reused across warm invocations.
import type { APIGatewayProxyHandlerV2, SQSHandler } from 'aws-lambda';
import { MongoClient } from 'mongodb';
import mysql from 'mysql2/promise';
import { Client, Pool } from 'pg';
import { PrismaClient } from '@prisma/client';

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 2, idleTimeoutMillis: 60_000 }); // snag-ok: missing-pool

let mongoReady: Promise<MongoClient> | undefined;

function trackingArchive(): Promise<MongoClient> {
  mongoReady ??= new MongoClient(process.env.ARCHIVE_URL!, { maxPoolSize: 2 }).connect(); // snag-ok: missing-pool
  return mongoReady;
}

let prisma: PrismaClient | undefined;

function db(): PrismaClient {
  if (!prisma) {
    prisma = new PrismaClient(); // snag-ok: missing-pool
  }
  return prisma;
}

type CarrierEvent = { trackingNumber: string; code: string; occurredAt: string; location?: string };

export const ingest: SQSHandler = async (event) => {
  const events: CarrierEvent[] = event.Records.map((record) => JSON.parse(record.body));
  const client = new Client({ connectionString: process.env.DATABASE_URL }); // snag-expect: missing-pool
  await client.connect();
  try {
    await client.query(
      `INSERT INTO shipment_events (tracking_number, code, occurred_at, location)
       SELECT tn, code, ts, loc FROM unnest($1::text[], $2::text[], $3::timestamptz[], $4::text[]) AS t(tn, code, ts, loc)`,
      [
        events.map((e) => e.trackingNumber),
        events.map((e) => e.code),
        events.map((e) => e.occurredAt),
        events.map((e) => e.location ?? null),
      ],
    );
  } finally {
    await client.end();
  }
  const archive = await trackingArchive();
  await archive.db('carrier').collection('raw_events').insertMany(events);
};

export const status: APIGatewayProxyHandlerV2 = async (event) => {
  const trackingNumber = event.pathParameters?.trackingNumber ?? '';
  const { rows } = await pool.query(
    'SELECT code, occurred_at, location FROM shipment_events WHERE tracking_number = $1 ORDER BY occurred_at DESC LIMIT 20',
    [trackingNumber],
  );
  const shipment = await db().shipment.findUnique({ where: { trackingNumber }, select: { orderId: true, carrier: true } });
  return { statusCode: shipment ? 200 : 404, body: JSON.stringify({ shipment, events: rows }) };
};

export const carrierStats: APIGatewayProxyHandlerV2 = async (event) => {
  const carrier = event.queryStringParameters?.carrier ?? 'ups';
  const conn = await mysql.createConnection({ // snag-expect: missing-pool
    host: process.env.WAREHOUSE_HOST,
    user: process.env.WAREHOUSE_USER,
    password: process.env.WAREHOUSE_PASSWORD,
    database: 'logistics',
    connectTimeout: 5_000,
  });
  const [rows] = await conn.execute('SELECT day, delivered, late FROM carrier_daily WHERE carrier = ? ORDER BY day DESC LIMIT 30', [carrier]);
  await conn.end();
  return { statusCode: 200, body: JSON.stringify(rows) };
};

export const exceptions: APIGatewayProxyHandlerV2 = async () => {
  const prismaClient = new PrismaClient(); // snag-expect: missing-pool
  const late = await prismaClient.shipment.findMany({ where: { status: 'EXCEPTION' }, select: { trackingNumber: true, carrier: true }, take: 100 });
  await prismaClient.$disconnect();
  return { statusCode: 200, body: JSON.stringify(late) };
};
