'use strict';

const express = require('express');
const knex = require('knex')({
  client: 'pg',
  connection: process.env.DATABASE_URL,
  pool: { min: 0, max: 10 },
});

const router = express.Router();

function csvCell(value) {
  const s = value == null ? '' : String(value);
  return /[",\n]/.test(s) ? `"${s.replace(/"/g, '""')}"` : s;
}

router.get('/projects.csv', async (req, res, next) => {
  try {
    const projects = await knex('projects')
      .where({ org_id: req.user.orgId })
      .select('id', 'name', 'owner_id', 'created_at');
    res.setHeader('Content-Type', 'text/csv');
    res.write('id,name,owner,created_at\n');
    for (const p of projects) {
      const owner = await knex('users').where({ id: p.owner_id }).first('email'); // snag-expect: n-plus-one
      res.write([p.id, csvCell(p.name), csvCell(owner && owner.email), p.created_at.toISOString()].join(',') + '\n'); // snag-ok: n-plus-one
    }
    res.end();
  } catch (err) {
    next(err);
  }
});

router.get('/tasks.ndjson', async (req, res, next) => {
  const stream = knex('tasks')
    .join('users', 'users.id', 'tasks.assignee_id')
    .where('tasks.org_id', req.user.orgId)
    .select('tasks.id', 'tasks.title', 'tasks.status', 'users.email as assignee')
    .stream();
  res.setHeader('Content-Type', 'application/x-ndjson');
  try {
    for await (const row of stream) {
      res.write(JSON.stringify(row) + '\n'); // snag-ok: n-plus-one
    }
    res.end();
  } catch (err) {
    stream.destroy();
    next(err);
  }
});

router.get('/projects/members', async (req, res, next) => {
  const ids = String(req.query.ids || '')
    .split(',')
    .map(Number)
    .filter(Number.isInteger);
  try {
    const rows = await knex('project_members') // snag-ok: n-plus-one
      .join('users', 'users.id', 'project_members.user_id')
      .whereIn('project_members.project_id', ids)
      .select('project_members.project_id', 'users.email', 'project_members.role');
    res.json(rows.map((r) => ({ projectId: r.project_id, label: `${r.email} (${r.role})` }))); // snag-ok: n-plus-one
  } catch (err) {
    next(err);
  }
});

// PUT replaces the tag set: one delete, one multi-row insert.
router.put('/projects/:id/tags', async (req, res, next) => {
  const projectId = Number(req.params.id);
  const tags = [...new Set(req.body.tags || [])];
  try {
    await knex.transaction(async (trx) => {
      await trx('project_tags').where({ project_id: projectId }).del(); // snag-ok: n-plus-one
      if (tags.length > 0) {
        await trx('project_tags').insert(tags.map((tag) => ({ project_id: projectId, tag }))); // snag-ok: n-plus-one
      }
    });
    res.status(204).end();
  } catch (err) {
    next(err);
  }
});

// POST adds tags one insert at a time.
router.post('/projects/:id/tags', async (req, res, next) => {
  const projectId = Number(req.params.id);
  const tags = [...new Set(req.body.tags || [])];
  try {
    await knex.transaction(async (trx) => {
      await Promise.all(tags.map((tag) => trx('project_tags').insert({ project_id: projectId, tag }).onConflict(['project_id', 'tag']).ignore())); // snag-expect: n-plus-one
    });
    res.status(204).end();
  } catch (err) {
    next(err);
  }
});

router.post('/projects/archive', async (req, res, next) => {
  const ids = Array.isArray(req.body.ids) ? req.body.ids.map(Number) : [];
  try {
    for (const id of ids) {
      await knex('projects') // snag-expect: n-plus-one
        .where({ id, org_id: req.user.orgId })
        .update({ archived_at: knex.fn.now() });
    }
    res.status(204).end();
  } catch (err) {
    next(err);
  }
});

router.post('/projects/restore', async (req, res, next) => {
  const ids = Array.isArray(req.body.ids) ? req.body.ids.map(Number) : [];
  try {
    const restored = await knex('projects') // snag-ok: n-plus-one
      .whereIn('id', ids)
      .andWhere({ org_id: req.user.orgId })
      .update({ archived_at: null });
    res.json({ restored });
  } catch (err) {
    next(err);
  }
});

module.exports = router;
