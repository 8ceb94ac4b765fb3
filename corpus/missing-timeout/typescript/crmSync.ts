/**
 * Nightly CRM sync: pushes new customers and their lifetime value to HubSpot,
 * pulls back owner assignments. Run by `node dist/jobs/crmSync.js` from cron.
 */
import axios, { type AxiosRequestConfig } from 'axios';

import { prisma } from '../db';
import { log } from '../log';

const HUBSPOT = 'https://api.hubapi.com';
const token = process.env.HUBSPOT_TOKEN!;
const authHeaders = { Authorization: `Bearer ${token}` };

// Each call below sets its own timeout, so this instance needs no default.
const enrichment = axios.create({ baseURL: process.env.ENRICHMENT_URL, headers: authHeaders }); // snag-ok: missing-timeout

const slack = axios.create({ // snag-expect: missing-timeout
  baseURL: 'https://slack.com/api',
  headers: { Authorization: `Bearer ${process.env.SLACK_BOT_TOKEN}` },
});

function hubspot<T>(options: AxiosRequestConfig): Promise<T> {
  const config: AxiosRequestConfig = { timeout: 15_000, baseURL: HUBSPOT, headers: authHeaders, ...options };
  return axios.request<T>(config).then((response) => response.data); // snag-ok: missing-timeout
}

async function pushCustomers(since: Date): Promise<number> {
  const customers = await prisma.customer.findMany({ where: { createdAt: { gte: since } }, take: 100 });
  if (customers.length === 0) return 0;
  const inputs = customers.map((c) => ({ properties: { email: c.email, firstname: c.firstName, lastname: c.lastName } }));
  await hubspot({ method: 'POST', url: '/crm/v3/objects/contacts/batch/create', data: { inputs } });
  return customers.length;
}

async function enrich(email: string): Promise<{ company?: string; seniority?: string }> {
  const { data } = await enrichment.get('/person', { params: { email }, timeout: 4_000 }); // snag-ok: missing-timeout
  return data;
}

async function reportEnrichmentUsage(count: number): Promise<void> {
  await enrichment.post('/usage', { count }, { timeout: 4_000 }); // snag-ok: missing-timeout
}

async function pushLifetimeValues(): Promise<void> {
  const rows = (await prisma.customerLtv.findMany({ select: { email: true, ltvCents: true } })).map((r) => ({
    email: r.email,
    ltv: r.ltvCents / 100,
  }));
  const requestConfig: AxiosRequestConfig = {
    headers: { ...authHeaders, 'Content-Type': 'application/json' },
    params: { idProperty: 'email' },
  };
  await axios.post( // snag-expect: missing-timeout
    `${HUBSPOT}/crm/v3/objects/contacts/batch/update`,
    { inputs: rows.map((r) => ({ id: r.email, properties: { lifetime_value: r.ltv } })) },
    requestConfig,
  );
}

async function pullOwners(): Promise<Map<string, string>> {
  const response = await axios.request<{ results: { id: string; email: string }[] }>({ // snag-expect: missing-timeout
    method: 'GET',
    url: `${HUBSPOT}/crm/v3/owners`,
    headers: authHeaders,
  });
  return new Map(response.data.results.map((owner) => [owner.id, owner.email]));
}

async function archiveRun(summary: object): Promise<void> {
  await axios.put(`${process.env.JOB_ARCHIVE_URL}/crm-sync/latest`, summary); // snag-expect: missing-timeout
}

async function pingDeadMansSwitch(): Promise<void> {
  await axios.get(process.env.CRON_MONITOR_URL!, { signal: AbortSignal.timeout(5_000) }); // snag-ok: missing-timeout
}

export async function main(): Promise<void> {
  const since = new Date(Date.now() - 24 * 3600 * 1000);
  const pushed = await pushCustomers(since);
  const first = await prisma.customer.findFirst({ orderBy: { createdAt: 'desc' } });
  if (first) {
    const extra = await enrich(first.email);
    log.info({ extra }, 'sample enrichment');
    await reportEnrichmentUsage(1);
  }
  await pushLifetimeValues();
  const owners = await pullOwners();
  await archiveRun({ pushed, owners: owners.size, at: new Date().toISOString() });
  await pingDeadMansSwitch();
  await slack.post('/chat.postMessage', { channel: '#crm', text: `CRM sync pushed ${pushed} customers` });
}
