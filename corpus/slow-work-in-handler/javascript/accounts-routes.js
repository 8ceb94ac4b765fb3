'use strict';

// Accounts API for the booking app (Express): registration, password reset,
// e-mail change and staff invitations. Transactional mail goes out through
// SES for account mail and SendGrid for marketing-owned templates; the
// `email` BullMQ queue is consumed by workers/email-worker.js.

const crypto = require('crypto');
const express = require('express');
const nodemailer = require('nodemailer');
const sgMail = require('@sendgrid/mail');
const { SESv2Client, SendEmailCommand } = require('@aws-sdk/client-sesv2');
const { Queue } = require('bullmq');
const { pool } = require('../db');
const { requireUser, requireOwner } = require('../middleware/auth');
const log = require('../log');

sgMail.setApiKey(process.env.SENDGRID_API_KEY);
const ses = new SESv2Client({ region: process.env.AWS_REGION || 'eu-west-1' });
const transporter = nodemailer.createTransport({ host: process.env.SMTP_HOST, port: 587, secure: false });
const emailQueue = new Queue('email', { connection: { host: process.env.REDIS_HOST, port: 6379 } });
const FROM = 'Bookwell <hello@bookwell.app>';

const router = express.Router();

function resetText(name, link) {
  return `Hi ${name},\n\nReset your Bookwell password here (valid for 1 hour):\n${link}\n`;
}

router.post('/register', async (req, res, next) => {
  try {
    const { email, name } = req.body;
    const { rows } = await pool.query('INSERT INTO users (email, name) VALUES ($1, $2) RETURNING id', [email, name]);
    await emailQueue.add('welcome', { userId: rows[0].id }, { attempts: 5 }); // snag-ok: slow-work-in-handler
    res.status(201).send({ id: rows[0].id }); // snag-ok: slow-work-in-handler
  } catch (err) {
    next(err);
  }
});

router.post('/password/forgot', async (req, res, next) => {
  try {
    const { rows } = await pool.query('SELECT id, name, email FROM users WHERE email = $1', [req.body.email]);
    if (rows.length) {
      const token = crypto.randomBytes(32).toString('hex');
      await pool.query('UPDATE users SET reset_token = $1, reset_expires = now() + interval \'1 hour\' WHERE id = $2', [token, rows[0].id]);
      const text = resetText(rows[0].name, `${process.env.APP_URL}/reset/${token}`); // snag-ok: slow-work-in-handler
      await ses.send( // snag-expect: slow-work-in-handler
        new SendEmailCommand({
          FromEmailAddress: FROM,
          Destination: { ToAddresses: [rows[0].email] },
          Content: { Simple: { Subject: { Data: 'Reset your password' }, Body: { Text: { Data: text } } } },
        }),
      );
    }
    res.sendStatus(204);
  } catch (err) {
    next(err);
  }
});

router.post('/email/change', requireUser, async (req, res, next) => {
  try {
    const previous = req.user.email;
    await pool.query('UPDATE users SET email = $1, email_verified = false WHERE id = $2', [req.body.email, req.user.id]);
    const info = await transporter.sendMail({ // snag-expect: slow-work-in-handler
      from: FROM,
      to: previous,
      subject: 'Your Bookwell e-mail address was changed',
      text: `Your account e-mail is now ${req.body.email}. Contact support if this wasn't you.`,
    });
    log.info({ messageId: info.messageId }, 'email change notice sent');
    res.sendStatus(204);
  } catch (err) {
    next(err);
  }
});

router.post('/email/verify/resend', requireUser, (req, res) => {
  // Not awaited: the response goes out before the relay answers.
  transporter // snag-ok: slow-work-in-handler
    .sendMail({ from: FROM, to: req.user.email, subject: 'Verify your e-mail', text: `${process.env.APP_URL}/verify/${req.user.verifyToken}` })
    .catch((err) => log.warn({ err }, 'verification mail failed'));
  res.sendStatus(202);
});

router.post('/staff/invite', requireUser, requireOwner, async (req, res, next) => {
  try {
    const { email, role } = req.body;
    const { rows } = await pool.query('INSERT INTO invitations (business_id, email, role) VALUES ($1, $2, $3) RETURNING token', [req.user.businessId, email, role]);
    await sgMail.send({ // snag-expect: slow-work-in-handler
      to: email,
      from: FROM,
      templateId: process.env.SENDGRID_INVITE_TEMPLATE,
      dynamicTemplateData: { business: req.user.businessName, link: `${process.env.APP_URL}/join/${rows[0].token}` },
    });
    res.status(201).json({ invited: email });
  } catch (err) {
    next(err);
  }
});

router.post('/staff/invite/bulk', requireUser, requireOwner, async (req, res, next) => {
  try {
    const emails = req.body.emails.slice(0, 50);
    const { rows } = await pool.query(
      'INSERT INTO invitations (business_id, email, role) SELECT $1, unnest($2::text[]), $3 RETURNING email, token',
      [req.user.businessId, emails, 'staff'],
    );
    const messages = rows.map((row) => ({
      to: row.email,
      from: FROM,
      templateId: process.env.SENDGRID_INVITE_TEMPLATE,
      dynamicTemplateData: { business: req.user.businessName, link: `${process.env.APP_URL}/join/${row.token}` },
    }));
    await sgMail.send(messages); // snag-expect: slow-work-in-handler
    res.status(201).json({ invited: rows.length });
  } catch (err) {
    next(err);
  }
});

module.exports = router;
