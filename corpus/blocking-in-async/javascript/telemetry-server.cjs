'use strict';

// Device telemetry ingest (Fastify). Field units post gzipped batches of
// readings; each unit authenticates with a per-device key whose scrypt hash is
// stored in Postgres. Served over mutual TLS behind the plant firewall.

const crypto = require('node:crypto');
const fs = require('node:fs');
const fsp = require('node:fs/promises');
const path = require('node:path');
const { promisify } = require('node:util');
const zlib = require('node:zlib');
const Fastify = require('fastify');
const { Pool } = require('pg');

const scrypt = promisify(crypto.scrypt);
const gunzip = promisify(zlib.gunzip);

const FIRMWARE_DIR = process.env.FIRMWARE_DIR || '/srv/firmware';
const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 20 });

const DEVICE_CA = fs.readFileSync(process.env.TLS_CA || '/etc/telemetry/ca.pem'); // snag-ok: blocking-in-async

async function authenticate(request, reply) {
  const deviceId = request.headers['x-device-id'];
  const key = request.headers['x-device-key'];
  const { rows } = await pool.query('SELECT key_salt, key_hash FROM devices WHERE id = $1 AND active', [deviceId]);
  if (!rows[0] || !key) {
    return reply.code(401).send({ error: 'unknown device' });
  }
  const derived = crypto.scryptSync(String(key), rows[0].key_salt, 32); // snag-expect: blocking-in-async
  if (!crypto.timingSafeEqual(derived, Buffer.from(rows[0].key_hash, 'hex'))) {
    return reply.code(401).send({ error: 'bad device key' });
  }
  request.deviceId = deviceId;
}

async function authenticateV2(request, reply) {
  const { rows } = await pool.query('SELECT key_salt, key_hash FROM devices WHERE id = $1 AND active', [request.headers['x-device-id']]);
  const key = request.headers['x-device-key'];
  const derived = rows[0] && key ? await scrypt(String(key), rows[0].key_salt, 32) : null; // snag-ok: blocking-in-async
  if (!derived || !crypto.timingSafeEqual(derived, Buffer.from(rows[0].key_hash, 'hex'))) {
    return reply.code(401).send({ error: 'unknown device' });
  }
  request.deviceId = request.headers['x-device-id'];
}

function buildApp(tls) {
  const app = Fastify({ logger: true, https: { ...tls, ca: DEVICE_CA, requestCert: true } });

  app.addContentTypeParser('application/gzip', { parseAs: 'buffer' }, (request, body, done) => done(null, body));

  app.post('/v1/readings', { preHandler: authenticate }, async (request, reply) => {
    const readings = JSON.parse(zlib.gunzipSync(request.body).toString('utf8')); // snag-expect: blocking-in-async
    await pool.query('INSERT INTO reading_batches (device_id, received_at, readings) VALUES ($1, now(), $2::jsonb)', [request.deviceId, JSON.stringify(readings)]);
    return reply.code(202).send({ accepted: readings.length });
  });

  app.post('/v2/readings', { preHandler: authenticateV2 }, async (request, reply) => {
    const readings = JSON.parse((await gunzip(request.body)).toString('utf8')); // snag-ok: blocking-in-async
    await pool.query('INSERT INTO reading_batches (device_id, received_at, readings) VALUES ($1, now(), $2::jsonb)', [request.deviceId, JSON.stringify(readings)]);
    return reply.code(202).send({ accepted: readings.length });
  });

  app.get('/v1/firmware/:model', { preHandler: authenticate }, async (request, reply) => {
    const model = path.basename(request.params.model);
    const manifest = JSON.parse(fs.readFileSync(path.join(FIRMWARE_DIR, model, 'manifest.json'), 'utf8')); // snag-expect: blocking-in-async
    return { version: manifest.version, sha256: manifest.sha256, url: `/v1/firmware/${model}/${manifest.file}` };
  });

  app.get('/v2/firmware/:model', { preHandler: authenticateV2 }, async (request, reply) => {
    const model = path.basename(request.params.model);
    const manifest = JSON.parse(await fsp.readFile(path.join(FIRMWARE_DIR, model, 'manifest.json'), 'utf8')); // snag-ok: blocking-in-async
    return { version: manifest.version, sha256: manifest.sha256, url: `/v2/firmware/${model}/${manifest.file}` };
  });

  return app;
}

const start = async () => {
  // Entry point: the key pair is read once, before the server listens.
  const app = buildApp({
    key: fs.readFileSync(process.env.TLS_KEY || '/etc/telemetry/server.key'), // snag-ok: blocking-in-async
    cert: fs.readFileSync(process.env.TLS_CERT || '/etc/telemetry/server.pem'), // snag-ok: blocking-in-async
  });
  try {
    await app.listen({ port: Number(process.env.PORT || 8443), host: '0.0.0.0' });
  } catch (err) {
    app.log.error(err);
    process.exit(1);
  }
};

start();
