'use strict';

// routes/accounts.js — account profile, sessions, activity and feature flags.
// MySQL is the system of record (mysql driver, callback API); the activity
// stream is in MongoDB; feature flags are read from Redis.

const express = require('express');
const mysql = require('mysql');
const redis = require('redis');
const { MongoClient } = require('mongodb');

const db = mysql.createPool({ // snag-ok: missing-pool
  connectionLimit: 10,
  host: process.env.MYSQL_HOST,
  user: process.env.MYSQL_USER,
  password: process.env.MYSQL_PASSWORD,
  database: 'accounts',
});

const mongo = new MongoClient(process.env.ACTIVITY_MONGO_URL, { maxPoolSize: 10 }); // snag-ok: missing-pool
const mongoReady = mongo.connect();

const router = express.Router();

function accountId(req) {
  return Number.parseInt(req.params.id, 10);
}

router.get('/:id', (req, res, next) => {
  const connection = mysql.createConnection({ // snag-expect: missing-pool
    host: process.env.MYSQL_HOST,
    user: process.env.MYSQL_USER,
    password: process.env.MYSQL_PASSWORD,
    database: 'accounts',
  });
  connection.connect();
  connection.query(
    'SELECT id, email, display_name, created_at FROM accounts WHERE id = ?',
    [accountId(req)],
    (err, rows) => {
      connection.end();
      if (err) return next(err);
      if (rows.length === 0) return res.sendStatus(404);
      res.json(rows[0]);
    },
  );
});

router.get('/:id/sessions', (req, res, next) => {
  db.getConnection((err, conn) => { // snag-ok: missing-pool
    if (err) return next(err);
    conn.query(
      'SELECT id, user_agent, ip, last_seen_at FROM sessions WHERE account_id = ? AND revoked = 0',
      [accountId(req)],
      (queryErr, rows) => {
        conn.release();
        if (queryErr) return next(queryErr);
        res.json(rows);
      },
    );
  });
});

router.get('/:id/activity', async (req, res, next) => {
  const client = new MongoClient(process.env.ACTIVITY_MONGO_URL); // snag-expect: missing-pool
  try {
    await client.connect();
    const items = await client
      .db('activity')
      .collection('events')
      .find({ accountId: accountId(req) }, { projection: { _id: 0, kind: 1, at: 1, meta: 1 } })
      .sort({ at: -1 })
      .limit(50)
      .toArray();
    res.json(items);
  } catch (err) {
    next(err);
  } finally {
    await client.close();
  }
});

router.get('/:id/activity/summary', async (req, res, next) => {
  try {
    await mongoReady;
    const [summary] = await mongo
      .db('activity')
      .collection('events')
      .aggregate([{ $match: { accountId: accountId(req) } }, { $group: { _id: '$kind', n: { $sum: 1 } } }])
      .toArray();
    res.json(summary || {});
  } catch (err) {
    next(err);
  }
});

router.get('/:id/flags', async (req, res, next) => {
  const flags = redis.createClient({ url: process.env.FLAGS_REDIS_URL }); // snag-expect: missing-pool
  try {
    await flags.connect();
    res.json(await flags.hGetAll(`flags:account:${accountId(req)}`));
  } catch (err) {
    next(err);
  } finally {
    await flags.quit();
  }
});

module.exports = router;
