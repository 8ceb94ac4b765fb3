'use strict';

const express = require('express');
const mysql = require('mysql2/promise');
const { requireAdmin } = require('../middleware/auth');

const pool = mysql.createPool({
  host: process.env.DB_HOST,
  user: process.env.DB_USER,
  password: process.env.DB_PASSWORD,
  database: process.env.DB_NAME,
  connectionLimit: 10,
});

const USERS_TABLE = 'users';
const USER_COLUMNS = 'id, email, display_name, role, disabled';

const router = express.Router();
router.use(requireAdmin);

router.get('/users', async (req, res, next) => {
  try {
    const [rows] = await pool.query(`SELECT ${USER_COLUMNS} FROM users WHERE email LIKE '%${req.query.q}%' LIMIT 100`); // snag-expect: sql-injection
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

router.get('/users/sorted', async (req, res, next) => {
  const sort = req.query.sort || 'email';
  try {
    const [rows] = await pool.query('SELECT ' + USER_COLUMNS + ' FROM ' + USERS_TABLE + ' ORDER BY ' + sort); // snag-expect: sql-injection
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

router.get('/users/by-role/:role', async (req, res, next) => {
  try {
    const [rows] = await pool.execute(`SELECT ${USER_COLUMNS} FROM ${USERS_TABLE} WHERE role = ? ORDER BY email`, [req.params.role]); // snag-ok: sql-injection
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

router.get('/users/:id', async (req, res, next) => {
  try {
    const [rows] = await pool.execute('SELECT ' + USER_COLUMNS + ' FROM users WHERE id = ?', [req.params.id]); // snag-ok: sql-injection
    if (rows.length === 0) return res.status(404).json({ error: 'not found' });
    res.json(rows[0]);
  } catch (err) {
    next(err);
  }
});

router.get('/audit', async (req, res, next) => {
  try {
    const sql = 'SELECT id, action, created_at FROM admin_audit WHERE actor = '.concat("'", req.user.email, "'", ' ORDER BY id DESC');
    const [rows] = await pool.query(sql); // snag-expect: sql-injection
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

router.get('/sessions', async (req, res, next) => {
  try {
    const [rows] = await pool.query( // snag-ok: sql-injection
      `SELECT id, user_id, created_at FROM sessions ORDER BY created_at DESC LIMIT ${parseInt(req.query.limit, 10)}`,
    );
    res.json(rows);
  } catch (err) {
    next(err);
  }
});

router.post('/users/disable', async (req, res, next) => {
  const ids = Array.isArray(req.body.ids) ? req.body.ids : [];
  if (ids.length === 0) return res.status(400).json({ error: 'ids must be a non-empty array' });
  try {
    const [result] = await pool.execute( // snag-ok: sql-injection
      `UPDATE users SET disabled = 1 WHERE id IN (${ids.map(() => '?').join(',')})`,
      ids,
    );
    res.json({ disabled: result.affectedRows });
  } catch (err) {
    next(err);
  }
});

router.delete('/users/:id/sessions', async (req, res, next) => {
  try {
    await pool.query('DELETE FROM sessions WHERE user_id = ' + req.params.id); // snag-expect: sql-injection
    res.status(204).end();
  } catch (err) {
    next(err);
  }
});

module.exports = router;
