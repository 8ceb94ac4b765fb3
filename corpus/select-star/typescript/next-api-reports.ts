// pages/api/teams/[teamId]/reports.ts
import type { NextApiRequest, NextApiResponse } from 'next';
import knex from 'knex';

const db = knex({
  client: 'pg',
  connection: process.env.DATABASE_URL,
  pool: { min: 0, max: 10 },
});

type Report = {
  id: number;
  team_id: number;
  title: string;
  definition: unknown;
  updated_at: string;
};

type ErrorBody = { error: string };

async function listReports(teamId: number) {
  const [reports, totals] = await Promise.all([
    db<Report>('reports').select('*').where({ team_id: teamId }).orderBy('updated_at', 'desc').limit(100), // snag-expect: select-star
    db('reports').where({ team_id: teamId }).count('* as total'), // snag-ok: select-star
  ]);
  return { reports, total: Number(totals[0]?.total ?? 0) };
}

async function listSchedules(teamId: number) {
  const sql = 'SELECT * FROM report_schedules'.concat(' WHERE team_id = ?', ' ORDER BY next_run_at'); // snag-expect: select-star
  const result = await db.raw(sql, [teamId]);
  return result.rows;
}

async function recentRuns(teamId: number) {
  const runs = await db('report_runs')
    .select('id', 'report_id', 'status', 'finished_at')
    .where({ team_id: teamId })
    .orderBy('finished_at', 'desc')
    .limit(20);
  const { rows: failures } = await db.raw(
    "SELECT COUNT(*) AS failed FROM report_runs WHERE team_id = ? AND status = 'failed'", // snag-ok: select-star
    [teamId],
  );
  return { runs, failed: Number(failures[0]?.failed ?? 0) };
}

async function reportWithOwner(teamId: number, reportId: number) {
  const { rows } = await db.raw(
    'SELECT r.*, u.email AS owner_email FROM reports r JOIN users u ON u.id = r.owner_id WHERE r.team_id = ? AND r.id = ?', // snag-expect: select-star
    [teamId, reportId],
  );
  return rows[0] ?? null;
}

export default async function handler(
  req: NextApiRequest,
  res: NextApiResponse<unknown | ErrorBody>,
) {
  const teamId = Number(req.query.teamId);
  if (!Number.isInteger(teamId) || teamId <= 0) {
    res.status(400).json({ error: 'invalid team id' });
    return;
  }

  if (req.method !== 'GET') {
    res.setHeader('Allow', 'GET');
    res.status(405).json({ error: 'method not allowed' });
    return;
  }

  try {
    switch (req.query.view) {
      case 'schedules':
        res.status(200).json(await listSchedules(teamId));
        return;
      case 'runs':
        res.status(200).json(await recentRuns(teamId));
        return;
      case 'detail': {
        const report = await reportWithOwner(teamId, Number(req.query.reportId));
        if (!report) {
          res.status(404).json({ error: 'report not found' });
          return;
        }
        res.status(200).json(report);
        return;
      }
      default:
        res.status(200).json(await listReports(teamId));
    }
  } catch (err) {
    console.error(err);
    res.status(500).json({ error: 'failed to load reports' });
  }
}
