// pages/api/crm/sync.js
import axios from 'axios';
import { PrismaClient } from '@prisma/client';

const prisma = globalThis.prisma ?? new PrismaClient();
if (process.env.NODE_ENV !== 'production') globalThis.prisma = prisma;

const clearbit = axios.create({
  baseURL: 'https://company.clearbit.com/v2',
  timeout: 5_000,
  auth: { username: process.env.CLEARBIT_KEY ?? '', password: '' },
});

const hubspot = axios.create({
  baseURL: 'https://api.hubapi.com',
  timeout: 10_000,
  headers: { Authorization: `Bearer ${process.env.HUBSPOT_TOKEN}` },
});

async function fetchAllDeals(pipelineId) {
  const deals = [];
  let after;
  do {
    const resp = await hubspot.get('/crm/v3/objects/deals', { params: { limit: 100, after, pipeline: pipelineId } }); // snag-ok: n-plus-one
    deals.push(...resp.data.results);
    after = resp.data.paging?.next?.after;
  } while (after);
  return deals;
}

async function notify(url, payload) {
  let lastError;
  for (let attempt = 0; attempt < 4; attempt++) {
    try {
      const r = await fetch(url, { // snag-ok: n-plus-one
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify(payload),
        signal: AbortSignal.timeout(5_000),
      });
      if (r.ok) return;
      lastError = new Error(`webhook answered ${r.status}`);
    } catch (err) {
      lastError = err;
    }
    await new Promise((resolve) => setTimeout(resolve, 200 * 2 ** attempt));
  }
  throw lastError;
}

async function enrichCompanies(companyIds) {
  const companies = await prisma.company.findMany({ // snag-ok: n-plus-one
    where: { id: { in: companyIds }, enrichedAt: null },
    select: { id: true, domain: true },
  });

  const lookups = companies.flatMap((c) => (c.domain ? [clearbit.get('/companies/find', { params: { domain: c.domain } })] : [])); // snag-expect: n-plus-one
  const results = await Promise.allSettled(lookups);
  const withDomain = companies.filter((c) => c.domain);

  let enriched = 0;
  for (const [i, result] of results.entries()) {
    if (result.status !== 'fulfilled') continue;
    const { category, metrics } = result.value.data;
    await prisma.company.update({ // snag-expect: n-plus-one
      where: { id: withDomain[i].id },
      data: { industry: category?.industry ?? null, employees: metrics?.employees ?? null, enrichedAt: new Date() },
    });
    enriched++;
  }
  return { enriched, failed: results.length - enriched };
}

async function importDeals(pipelineId) {
  const deals = await fetchAllDeals(pipelineId);
  const ownerIds = [...new Set(deals.map((d) => d.properties.hubspot_owner_id).filter(Boolean))]; // snag-ok: n-plus-one
  const owners = await Promise.all(ownerIds.map((id) => hubspot.get(`/crm/v3/owners/${id}`))); // snag-expect: n-plus-one
  const ownerEmail = new Map(owners.map((o) => [String(o.data.id), o.data.email]));

  const { count } = await prisma.deal.createMany({ // snag-ok: n-plus-one
    data: deals.map((d) => ({
      externalId: d.id,
      name: d.properties.dealname,
      amountCents: Math.round(Number(d.properties.amount ?? 0) * 100),
      ownerEmail: ownerEmail.get(d.properties.hubspot_owner_id) ?? null, // snag-ok: n-plus-one
    })),
    skipDuplicates: true,
  });
  return count;
}

/**
 * @param {import('next').NextApiRequest} req
 * @param {import('next').NextApiResponse} res
 */
export default async function handler(req, res) {
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return res.status(405).json({ error: 'method not allowed' });
  }
  const { action, companyIds, pipelineId } = req.body ?? {};
  try {
    if (action === 'enrich' && Array.isArray(companyIds)) {
      return res.json(await enrichCompanies(companyIds));
    }
    if (action === 'deals' && typeof pipelineId === 'string') {
      const imported = await importDeals(pipelineId);
      await notify(process.env.SYNC_WEBHOOK_URL, { pipelineId, imported });
      return res.json({ imported });
    }
    return res.status(400).json({ error: 'unknown action' });
  } catch (err) {
    console.error('crm sync failed', err);
    return res.status(502).json({ error: 'upstream failure' });
  }
}
