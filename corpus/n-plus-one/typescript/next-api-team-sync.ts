// pages/api/teams/[teamId]/sync.ts
import type { NextApiRequest, NextApiResponse } from 'next';
import axios from 'axios';
import { Pool } from 'pg';

const pool = new Pool({ connectionString: process.env.DATABASE_URL, max: 10 });

const github = axios.create({
  baseURL: 'https://api.github.com',
  timeout: 8_000,
  headers: {
    Authorization: `Bearer ${process.env.GITHUB_TOKEN}`,
    Accept: 'application/vnd.github+json',
  },
});

const SLACK_API = 'https://slack.com/api';

type GithubMember = { id: number; login: string };
type GithubProfile = { name: string | null; email: string | null };
type MemberRow = { id: string; github_login: string; email: string | null; slack_id: string | null };
type SlackLookup = { ok: boolean; user?: { id: string } };

function nextLink(header: string | undefined): string | null {
  if (!header) return null;
  const match = header.split(',').find((part) => part.includes('rel="next"'));
  return match ? match.slice(match.indexOf('<') + 1, match.indexOf('>')) : null;
}

async function listOrgMembers(org: string): Promise<GithubMember[]> {
  const members: GithubMember[] = [];
  let url: string | null = `/orgs/${encodeURIComponent(org)}/members?per_page=100`;
  while (url) {
    const res = await github.get<GithubMember[]>(url); // snag-ok: n-plus-one
    members.push(...res.data);
    url = nextLink(res.headers.link);
  }
  return members;
}

async function announce(channel: string, text: string): Promise<void> {
  for (let attempt = 1; attempt <= 3; attempt++) {
    const res = await fetch(`${SLACK_API}/chat.postMessage`, { // snag-ok: n-plus-one
      method: 'POST',
      headers: { Authorization: `Bearer ${process.env.SLACK_TOKEN}`, 'Content-Type': 'application/json' },
      body: JSON.stringify({ channel, text }),
      signal: AbortSignal.timeout(5_000),
    });
    if (res.ok) return;
    await new Promise((resolve) => setTimeout(resolve, 250 * 2 ** attempt));
  }
}

export default async function handler(req: NextApiRequest, res: NextApiResponse) {
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return res.status(405).end();
  }
  const teamId = String(req.query.teamId);

  const { rows: teams } = await pool.query<{ github_org: string; slack_channel: string }>(
    'SELECT github_org, slack_channel FROM teams WHERE id = $1',
    [teamId],
  );
  if (teams.length === 0) {
    return res.status(404).json({ error: 'team not found' });
  }
  const { github_org: org, slack_channel: channel } = teams[0];

  const members = await listOrgMembers(org);
  const logins = members.map((m) => m.login); // snag-ok: n-plus-one
  const { rows: known } = await pool.query<MemberRow>( // snag-ok: n-plus-one
    'SELECT id, github_login, email, slack_id FROM team_members WHERE team_id = $1 AND github_login = ANY($2)',
    [teamId, logins],
  );

  const knownLogins = new Set(known.map((r) => r.github_login));
  let added = 0;
  for (const member of members) {
    if (knownLogins.has(member.login)) continue;
    const { data: profile } = await github.get<GithubProfile>(`/users/${member.login}`); // snag-expect: n-plus-one
    await pool.query( // snag-expect: n-plus-one
      'INSERT INTO team_members (team_id, github_login, display_name, email) VALUES ($1, $2, $3, $4) ON CONFLICT DO NOTHING',
      [teamId, member.login, profile.name, profile.email],
    );
    added++;
  }

  const unmatched = known.filter((r) => r.slack_id === null && r.email !== null);
  const lookups = await Promise.all(
    unmatched.map(async (row) => {
      const r = await fetch(`${SLACK_API}/users.lookupByEmail?email=${encodeURIComponent(row.email ?? '')}`, { // snag-expect: n-plus-one
        headers: { Authorization: `Bearer ${process.env.SLACK_TOKEN}` },
        signal: AbortSignal.timeout(5_000),
      });
      return { row, body: (await r.json()) as SlackLookup };
    }),
  );

  const matched = lookups.filter((l) => l.body.ok && l.body.user).map((l) => [l.row.id, l.body.user!.id] as const); // snag-ok: n-plus-one
  if (matched.length > 0) {
    await pool.query( // snag-ok: n-plus-one
      `UPDATE team_members AS t
          SET slack_id = v.slack_id
         FROM unnest($1::uuid[], $2::text[]) AS v(id, slack_id)
        WHERE t.id = v.id`,
      [matched.map(([id]) => id), matched.map(([, slackId]) => slackId)],
    );
  }

  if (added > 0) {
    await announce(channel, `${added} new members joined ${org}`);
  }
  return res.status(200).json({ added, linkedToSlack: matched.length });
}
