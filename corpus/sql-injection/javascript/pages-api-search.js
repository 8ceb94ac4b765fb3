// pages/api/search.js
import { PrismaClient } from '@prisma/client';

const prisma = global.prisma || new PrismaClient();
if (process.env.NODE_ENV !== 'production') global.prisma = prisma;

const MAX_RESULTS = 20;

/**
 * @param {import('next').NextApiRequest} req
 * @param {import('next').NextApiResponse} res
 */
export default async function handler(req, res) {
  if (req.method !== 'GET' && req.method !== 'POST') {
    res.setHeader('Allow', 'GET, POST');
    return res.status(405).json({ error: 'method not allowed' });
  }

  const q = String(req.query.q || '').trim();
  if (!q) {
    return res.status(400).json({ error: 'q is required' });
  }

  try {
    if (req.query.mode === 'legacy') {
      const rows = await prisma.$queryRawUnsafe( // snag-expect: sql-injection
        `SELECT id, title, ts_rank(search_vector, plainto_tsquery('english', '${q}')) AS rank FROM posts WHERE search_vector @@ plainto_tsquery('english', '${q}') ORDER BY rank DESC LIMIT ${MAX_RESULTS}`,
      );
      return res.status(200).json(rows);
    }

    if (req.query.mode === 'prefix') {
      const rows = await prisma.$queryRawUnsafe( // snag-ok: sql-injection
        `SELECT id, title FROM posts WHERE title ILIKE $1 ORDER BY title LIMIT ${MAX_RESULTS}`,
        `${q}%`,
      );
      return res.status(200).json(rows);
    }

    const rows = await prisma.$queryRaw`SELECT id, title, ts_rank(search_vector, plainto_tsquery('english', ${q})) AS rank FROM posts WHERE search_vector @@ plainto_tsquery('english', ${q}) ORDER BY rank DESC LIMIT ${MAX_RESULTS}`; // snag-ok: sql-injection

    if (req.method === 'POST') {
      await prisma.$executeRaw`INSERT INTO search_log (term, hits, searched_at) VALUES (${q}, ${rows.length}, now())`; // snag-ok: sql-injection
      await prisma.$executeRawUnsafe(`UPDATE search_terms SET hits = hits + 1, last_seen = now() WHERE term = '${q}'`); // snag-expect: sql-injection
    }

    return res.status(200).json(rows);
  } catch (err) {
    console.error('search failed', { q, err });
    return res.status(500).json({ error: 'search failed' });
  }
}
