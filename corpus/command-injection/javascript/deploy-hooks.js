'use strict';

// routes/deploy-hooks.js — git webhooks and app controls for the self-hosted PaaS box
const crypto = require('crypto');
const express = require('express');
const { exec, execFile, execSync, spawn } = require('child_process');
const shellQuote = require('shell-quote');

const router = express.Router();

const APPS_DIR = '/srv/apps';
const APPS = new Set(['storefront', 'admin', 'api']);

function verifySignature(req) {
  const expected = 'sha256=' + crypto.createHmac('sha256', process.env.GITHUB_WEBHOOK_SECRET).update(req.rawBody).digest('hex');
  const given = req.get('x-hub-signature-256') || '';
  return given.length === expected.length && crypto.timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

router.post('/hooks/github', (req, res) => {
  if (!verifySignature(req)) {
    return res.sendStatus(401);
  }
  const branch = req.body.ref.replace('refs/heads/', '');
  const repo = req.body.repository.name;
  exec(`cd ${APPS_DIR}/${repo} && git fetch origin ${branch} && git reset --hard origin/${branch}`, (err, stdout, stderr) => { // snag-expect: slow-work-in-handler, command-injection
    if (err) {
      console.error(stderr);
      return res.status(500).json({ error: 'deploy failed' });
    }
    res.json({ deployed: branch, log: stdout });
  });
});

router.post('/apps/:app/restart', (req, res) => {
  const { app } = req.params;
  if (!APPS.has(app)) {
    return res.status(404).json({ error: 'unknown app' });
  }
  execSync(`logger -t deploy "restart of ${app} requested by ${req.get('x-forwarded-user') || 'unknown'}"`); // snag-expect: slow-work-in-handler, command-injection, blocking-in-async
  exec(`pm2 restart ${app} --update-env`, (err) => res.json({ restarted: !err })); // snag-expect: slow-work-in-handler; snag-ok: command-injection
});

router.get('/apps/:app/logs', (req, res) => {
  const lines = Number.parseInt(req.query.lines, 10) || 100;
  const child = spawn('pm2', ['logs', req.params.app, '--lines', String(lines), '--nostream']); // snag-expect: slow-work-in-handler; snag-ok: command-injection
  res.type('text');
  child.stdout.pipe(res);
});

router.get('/apps/:app/grep', (req, res) => {
  const cmd = ['grep', '-n', '-m', '200', '--', String(req.query.q || ''), `${APPS_DIR}/${req.params.app}/logs/app.log`];
  exec(shellQuote.quote(cmd), (err, stdout) => res.type('text').send(stdout)); // snag-expect: slow-work-in-handler; snag-ok: command-injection
});

router.post('/apps/:app/env', (req, res) => {
  const { key, value } = req.body;
  execSync(`echo "${key}=${value}" >> ${APPS_DIR}/${req.params.app}/.env`); // snag-expect: slow-work-in-handler, command-injection, blocking-in-async
  res.sendStatus(204);
});

router.get('/apps/:app/version', (req, res) => {
  execFile('git', ['-C', `${APPS_DIR}/${req.params.app}`, 'describe', '--tags', '--always'], (err, stdout) => { // snag-expect: slow-work-in-handler; snag-ok: command-injection
    res.json({ version: err ? null : stdout.trim() });
  });
});

router.post('/apps/:app/run', (req, res) => {
  const script = req.body.script;
  execFile('npm', ['run', script], { cwd: `${APPS_DIR}/storefront`, shell: true }, (err, stdout) => { // snag-expect: slow-work-in-handler, command-injection
    res.json({ ok: !err, output: stdout });
  });
});

module.exports = router;
