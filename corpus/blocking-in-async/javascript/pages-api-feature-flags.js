// pages/api/tenants/[tenant]/flags.js
//
// Per-tenant feature flags for the admin console. Each tenant's overrides are
// a small JSON file in FLAGS_DIR; the defaults ship with the app.

import fs from 'fs';
import path from 'path';
import { getToken } from 'next-auth/jwt';

const FLAGS_DIR = process.env.FLAGS_DIR || path.join(process.cwd(), '.data', 'flags');
const DEFAULTS = JSON.parse(fs.readFileSync(path.join(process.cwd(), 'config', 'flag-defaults.json'), 'utf8')); // snag-ok: blocking-in-async

fs.mkdirSync(FLAGS_DIR, { recursive: true }); // snag-ok: blocking-in-async

const TENANT_RE = /^[a-z0-9][a-z0-9-]{1,62}$/;

function flagsFile(tenant) {
  return path.join(FLAGS_DIR, `${tenant}.json`);
}

function validate(overrides) {
  const unknown = Object.keys(overrides).filter((key) => !(key in DEFAULTS));
  if (unknown.length > 0) {
    return `unknown flags: ${unknown.join(', ')}`;
  }
  const wrongType = Object.entries(overrides).filter(([key, value]) => typeof value !== typeof DEFAULTS[key]);
  return wrongType.length > 0 ? `wrong type for: ${wrongType.map(([key]) => key).join(', ')}` : null;
}

export default async function handler(req, res) {
  const token = await getToken({ req });
  const { tenant } = req.query;
  if (!token || !TENANT_RE.test(String(tenant))) {
    return res.status(404).json({ error: 'not found' });
  }
  if (token.role !== 'admin' && token.tenant !== tenant) {
    return res.status(403).json({ error: 'forbidden' });
  }

  if (req.method === 'GET') {
    let overrides = {};
    try {
      overrides = JSON.parse(fs.readFileSync(flagsFile(tenant), 'utf8')); // snag-expect: blocking-in-async
    } catch (err) {
      if (err.code !== 'ENOENT') throw err;
    }
    return res.status(200).json({ ...DEFAULTS, ...overrides });
  }

  if (req.method === 'PUT') {
    const problem = validate(req.body ?? {});
    if (problem) {
      return res.status(422).json({ error: problem });
    }
    const target = flagsFile(tenant);
    const staging = `${target}.${process.pid}.tmp`;
    fs.writeFileSync(staging, JSON.stringify(req.body, null, 2)); // snag-expect: blocking-in-async
    fs.renameSync(staging, target); // snag-expect: blocking-in-async
    return res.status(200).json({ ...DEFAULTS, ...req.body });
  }

  if (req.method === 'DELETE') {
    await fs.promises.rm(flagsFile(tenant), { force: true }); // snag-ok: blocking-in-async
    return res.status(204).end();
  }

  res.setHeader('Allow', 'GET, PUT, DELETE');
  return res.status(405).json({ error: 'method not allowed' });
}
