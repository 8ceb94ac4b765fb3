'use strict';

// Third-party integrations a workspace admin can connect (Express, CommonJS).
// node-fetch 2 is kept here for its `timeout` option; it has no default timeout.

const express = require('express');
const axios = require('axios');
const fetch = require('node-fetch');

const { requireAdmin } = require('../middleware/auth');
const Integration = require('../models/integration');

const router = express.Router();
router.use(requireAdmin);

const trello = axios.create({ // snag-ok: missing-timeout
  baseURL: 'https://api.trello.com/1',
  timeout: 7000,
  params: { key: process.env.TRELLO_KEY },
});

router.post('/integrations/github', async (req, res, next) => {
  try {
    const tokenResponse = await fetch('https://github.com/login/oauth/access_token', { // snag-expect: missing-timeout
      method: 'POST',
      headers: { Accept: 'application/json', 'Content-Type': 'application/json' },
      body: JSON.stringify({
        client_id: process.env.GITHUB_CLIENT_ID,
        client_secret: process.env.GITHUB_CLIENT_SECRET,
        code: req.body.code,
      }),
    });
    const { access_token: accessToken } = await tokenResponse.json();
    const user = await fetch('https://api.github.com/user', { // snag-ok: missing-timeout
      headers: { Authorization: `Bearer ${accessToken}` },
      timeout: 5000,
    }).then((r) => r.json());
    const integration = await Integration.create({ workspaceId: req.workspace.id, kind: 'github', externalId: user.login, accessToken });
    res.status(201).json({ id: integration.id, account: user.login });
  } catch (err) {
    next(err);
  }
});

router.get('/integrations/slack/callback', async (req, res, next) => {
  try {
    const params = new URLSearchParams({
      code: String(req.query.code),
      client_id: process.env.SLACK_CLIENT_ID,
      client_secret: process.env.SLACK_CLIENT_SECRET,
    });
    const { data } = await axios.post('https://slack.com/api/oauth.v2.access', params); // snag-expect: missing-timeout
    if (!data.ok) return res.status(400).json({ error: data.error });
    await Integration.create({ workspaceId: req.workspace.id, kind: 'slack', externalId: data.team.id, accessToken: data.access_token });
    res.redirect('/settings/integrations');
  } catch (err) {
    next(err);
  }
});

router.post('/integrations/trello/boards', async (req, res, next) => {
  try {
    const { data: boards } = await trello.get('/members/me/boards', { params: { token: req.body.token } }); // snag-ok: missing-timeout
    res.json(boards.map((b) => ({ id: b.id, name: b.name })));
  } catch (err) {
    next(err);
  }
});

router.post('/integrations/linear', async (req, res, next) => {
  try {
    const { data } = await axios.post( // snag-expect: missing-timeout
      'https://api.linear.app/graphql',
      { query: '{ viewer { id name } organization { urlKey } }' },
      { headers: { Authorization: req.body.apiKey } },
    );
    await Integration.create({ workspaceId: req.workspace.id, kind: 'linear', externalId: data.data.organization.urlKey });
    res.status(201).json(data.data.viewer);
  } catch (err) {
    next(err);
  }
});

router.delete('/integrations/:id', async (req, res, next) => {
  try {
    const integration = await Integration.findOne({ where: { id: req.params.id, workspaceId: req.workspace.id } });
    if (!integration) return res.sendStatus(404);
    if (integration.kind === 'github') {
      await axios.delete(`https://api.github.com/applications/${process.env.GITHUB_CLIENT_ID}/grant`, { // snag-expect: missing-timeout
        auth: { username: process.env.GITHUB_CLIENT_ID, password: process.env.GITHUB_CLIENT_SECRET },
        data: { access_token: integration.accessToken },
      });
    }
    await integration.destroy();
    res.sendStatus(204);
  } catch (err) {
    next(err);
  }
});

router.get('/integrations/:id/health', async (req, res, next) => {
  try {
    const integration = await Integration.findByPk(req.params.id);
    const response = await axios.get(integration.healthUrl, { timeout: 2500, validateStatus: () => true }); // snag-ok: missing-timeout
    res.json({ ok: response.status < 400 });
  } catch (err) {
    next(err);
  }
});

module.exports = router;
