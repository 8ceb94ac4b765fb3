'use strict';

// Sign-up, team invites and e-mail verification (Express). Accounts live in
// Postgres; verification and invite mails go out through the mailer queue.

const crypto = require('crypto');
const fs = require('fs');
const path = require('path');
const express = require('express');
const bcrypt = require('bcrypt');
const { Pool } = require('pg');
const { enqueueMail } = require('../mailer');

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });
const DATA_DIR = path.join(__dirname, '..', 'data');
const USERNAME = /^[a-z0-9_]{3,24}$/;
// snag-ok: missing-cache, blocking-in-async
const RESERVED = new Set(JSON.parse(fs.readFileSync(path.join(DATA_DIR, 'reserved-usernames.json'), 'utf8')));
const PASSWORD_RULES = [new RegExp('[a-z]'), new RegExp('[A-Z]'), new RegExp('\\d')]; // snag-ok: missing-cache
const INVITE_DOMAINS = (process.env.INVITE_DOMAINS || 'example.com').split(',');

const router = express.Router();

router.post('/signup', async (req, res, next) => {
  const { email = '', username = '', password = '' } = req.body;
  const emailFormat = new RegExp('^[^\\s@]+@[^\\s@]+\\.[^\\s@]{2,}$'); // snag-expect: missing-cache
  if (!emailFormat.test(email) || !USERNAME.test(username) || RESERVED.has(username)) {
    return res.status(400).json({ error: 'invalid e-mail or username' });
  }
  const disposable = JSON.parse(fs.readFileSync(path.join(DATA_DIR, 'disposable-domains.json'), 'utf8')); // snag-expect: missing-cache, blocking-in-async
  if (disposable.includes(email.split('@')[1].toLowerCase())) {
    return res.status(400).json({ error: 'please use a permanent e-mail address' });
  }
  if (password.length < 10 || !PASSWORD_RULES.every((rule) => rule.test(password))) { // snag-ok: missing-cache
    return res.status(400).json({ error: 'password too weak' });
  }
  try {
    const hash = await bcrypt.hash(password, 12);
    const { rows } = await pool.query(
      'INSERT INTO users (email, username, password_hash) VALUES ($1, $2, $3) RETURNING id',
      [email.toLowerCase(), username, hash],
    );
    const token = crypto.randomBytes(32).toString('hex');
    await pool.query('INSERT INTO email_verifications (user_id, token) VALUES ($1, $2)', [rows[0].id, token]);
    await enqueueMail('verify-email', { to: email, token });
    res.status(201).json({ id: rows[0].id });
  } catch (err) {
    next(err);
  }
});

router.post('/verify/resend', async (req, res, next) => {
  const email = String(req.body.email || '').toLowerCase();
  try {
    const { rows } = await pool.query('SELECT id, verified_at FROM users WHERE email = $1', [email]); // snag-ok: missing-cache
    if (rows.length === 0) return res.status(202).end();
    if (rows[0].verified_at) return res.status(409).json({ error: 'already verified' });
    const recent = await pool.query(
      "SELECT count(id) AS n FROM email_verifications WHERE user_id = $1 AND created_at > now() - interval '1 hour'",
      [rows[0].id],
    );
    if (Number(recent.rows[0].n) >= 3) return res.status(429).json({ error: 'try again later' });
    const user = (await pool.query('SELECT id, verified_at FROM users WHERE email = $1', [email])).rows[0]; // snag-expect: missing-cache
    const token = crypto.randomBytes(32).toString('hex');
    await pool.query('INSERT INTO email_verifications (user_id, token) VALUES ($1, $2)', [user.id, token]);
    await enqueueMail('verify-email', { to: email, token });
    res.status(202).end();
  } catch (err) {
    next(err);
  }
});

router.post('/teams/:teamId/invites', async (req, res, next) => {
  const emails = Array.isArray(req.body.emails) ? req.body.emails.slice(0, 50) : [];
  const accepted = emails.filter((address) => {
    const allowed = new RegExp(`@(${INVITE_DOMAINS.map((d) => d.replace(/\./g, '\\.')).join('|')})$`, 'i'); // snag-expect: missing-cache
    return allowed.test(address);
  });
  try {
    const inviteTokens = accepted.map(() => crypto.randomBytes(24).toString('base64url')); // snag-ok: missing-cache
    const codeA = crypto.randomBytes(4).toString('hex'); // snag-ok: missing-cache
    const codeB = crypto.randomBytes(4).toString('hex'); // snag-ok: missing-cache
    await pool.query(
      'INSERT INTO team_invites (team_id, email, token, short_code) SELECT $1, e, t, $4 FROM unnest($2::text[], $3::text[]) AS i(e, t)',
      [req.params.teamId, accepted, inviteTokens, `${codeA}-${codeB}`],
    );
    for (const [i, address] of accepted.entries()) {
      await enqueueMail('team-invite', { to: address, token: inviteTokens[i] });
    }
    res.status(201).json({ invited: accepted.length, rejected: emails.length - accepted.length });
  } catch (err) {
    next(err);
  }
});

router.get('/username-available', (req, res) => {
  const candidate = String(req.query.u || '').toLowerCase();
  const ok = /^[a-z0-9_]{3,24}$/.test(candidate) && !RESERVED.has(candidate); // snag-ok: missing-cache
  res.json({ username: candidate, available: ok });
});

module.exports = router;
