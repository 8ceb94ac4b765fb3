// pages/api/handbook/drafts.ts
//
// Draft handbook pages for the People team: lists drafts, returns one draft's
// markdown, and saves edits from the in-browser editor. Drafts live next to
// the published pages in content/handbook/_drafts/.

import fs from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import path from 'node:path';
import jwt from 'jsonwebtoken';
import type { NextApiRequest, NextApiResponse } from 'next';

const DRAFTS_DIR = path.join(process.cwd(), 'content', 'handbook', '_drafts');
const EDITORS: string[] = JSON.parse(fs.readFileSync(path.join(process.cwd(), 'config', 'handbook-editors.json'), 'utf8')); // snag-ok: blocking-in-async
const EDITOR_SECRET = process.env.HANDBOOK_EDITOR_SECRET ?? '';

type Draft = { slug: string; markdown: string; modified: string };

function draftFile(slug: unknown): string | null {
  return typeof slug === 'string' && /^[a-z0-9-]+$/.test(slug) ? path.join(DRAFTS_DIR, `${slug}.md`) : null;
}

function editorEmail(req: NextApiRequest): string | null {
  const token = req.cookies['handbook_editor'];
  if (!token) {
    return null;
  }
  try {
    const claims = jwt.verify(token, EDITOR_SECRET) as { email?: string };
    return claims.email && EDITORS.includes(claims.email) ? claims.email : null;
  } catch {
    return null;
  }
}

async function saveDraft(req: NextApiRequest, res: NextApiResponse<Draft | { error: string }>) {
  const { slug, markdown } = req.body as { slug?: string; markdown?: string };
  const file = draftFile(slug);
  if (!file || typeof markdown !== 'string') {
    return res.status(400).json({ error: 'slug and markdown are required' });
  }
  await mkdir(DRAFTS_DIR, { recursive: true }); // snag-ok: blocking-in-async
  await writeFile(file, markdown, 'utf8'); // snag-ok: blocking-in-async
  return res.status(200).json({ slug: slug!, markdown, modified: new Date().toISOString() });
}

export default function handler(req: NextApiRequest, res: NextApiResponse) {
  if (!editorEmail(req)) {
    return res.status(403).json({ error: 'forbidden' });
  }
  switch (req.method) {
    case 'GET': {
      if (!req.query.slug) {
        const names = fs.readdirSync(DRAFTS_DIR).filter((name) => name.endsWith('.md')); // snag-expect: blocking-in-async
        return res.status(200).json(names.map((name) => name.replace(/\.md$/, '')));
      }
      const file = draftFile(req.query.slug);
      if (!file) {
        return res.status(400).json({ error: 'invalid slug' });
      }
      try {
        const markdown = fs.readFileSync(file, 'utf8'); // snag-expect: blocking-in-async
        const modified = fs.statSync(file).mtime.toISOString(); // snag-expect: blocking-in-async
        return res.status(200).json({ slug: req.query.slug, markdown, modified });
      } catch {
        return res.status(404).json({ error: 'draft not found' });
      }
    }
    case 'PUT':
      return saveDraft(req, res);
    case 'DELETE': {
      const file = draftFile(req.query.slug);
      if (!file) {
        return res.status(400).json({ error: 'invalid slug' });
      }
      fs.rmSync(file, { force: true }); // snag-expect: blocking-in-async
      return res.status(204).end();
    }
    default:
      res.setHeader('Allow', 'GET, PUT, DELETE');
      return res.status(405).json({ error: 'method not allowed' });
  }
}
