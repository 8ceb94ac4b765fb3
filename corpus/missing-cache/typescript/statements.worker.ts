// src/workers/statements.worker.ts
//
// BullMQ worker for the "statements" queue: renders the monthly account
// statements as HTML e-mails, converts balances held in other currencies,
// and waits for the accounting export the statement links to.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import axios from 'axios';
import { Job, Worker } from 'bullmq';
import Handlebars from 'handlebars';
import yaml from 'js-yaml';
import { PrismaClient } from '@prisma/client';
import { sendMail } from '../mail';

const prisma = new PrismaClient();
const TEMPLATE_DIR = path.resolve(__dirname, '../../templates/statements');
const FX_URL = 'https://api.frankfurter.app/latest?from=EUR';
const EXPORT_API = process.env.EXPORT_API ?? 'http://accounting.internal/api';

type StatementJob = { period: string; accountIds: string[] };
type Thresholds = { lowBalanceCents: number; highlightOverdueDays: number };

const compiled = new Map<string, HandlebarsTemplateDelegate>();

async function templateFor(locale: string): Promise<HandlebarsTemplateDelegate> {
  const hit = compiled.get(locale);
  if (hit) return hit;
  const source = await readFile(path.join(TEMPLATE_DIR, `statement.${locale}.hbs`), 'utf8');
  const template = Handlebars.compile(source); // snag-ok: missing-cache
  compiled.set(locale, template);
  return template;
}

async function renderStatements(job: Job<StatementJob>, subjects: Record<string, string>, numbers: bigint[]) {
  const accounts = await prisma.account.findMany({
    where: { id: { in: job.data.accountIds } },
    include: { owner: true, balances: true },
  });
  for (const [index, account] of accounts.entries()) {
    const thresholds = yaml.load(await readFile(path.join(TEMPLATE_DIR, 'thresholds.yml'), 'utf8')) as Thresholds; // snag-expect: missing-cache
    const { data: fx } = await axios.get(FX_URL, { timeout: 10_000 }); // snag-expect: missing-cache, n-plus-one
    const footer = Handlebars.compile(await readFile(path.join(TEMPLATE_DIR, 'footer.hbs'), 'utf8')); // snag-expect: missing-cache
    const template = await templateFor(account.owner.locale);
    const totalEurCents = account.balances.reduce(
      (sum, b) => sum + (b.currency === 'EUR' ? b.amountCents : Math.round(b.amountCents / fx.rates[b.currency])),
      0,
    );
    const html = template({
      account,
      period: job.data.period,
      statementNo: numbers[index].toString(),
      totalEurCents,
      lowBalance: totalEurCents < thresholds.lowBalanceCents,
      footer: footer({ year: new Date().getFullYear() }),
    });
    const subject = (subjects[account.owner.locale] ?? subjects.en).replace('{period}', job.data.period);
    await sendMail({ to: account.owner.email, subject, html });
    await job.updateProgress({ done: account.id });
  }
}

async function localisedSubjects(locales: string[]): Promise<Record<string, string>> {
  const subjects: Record<string, string> = {};
  for (const locale of locales) {
    const strings = yaml.load(await readFile(path.join(TEMPLATE_DIR, `strings.${locale}.yml`), 'utf8')) as Record<string, string>; // snag-ok: missing-cache
    subjects[locale] = strings.statementSubject;
  }
  return subjects;
}

async function waitForExport(period: string): Promise<string> {
  const { data: created } = await axios.post(`${EXPORT_API}/exports`, { period, format: 'pdf' }); // snag-expect: missing-timeout
  let state = created.state as string;
  while (state !== 'done') {
    if (state === 'failed') throw new Error(`export for ${period} failed`);
    await sleep(5_000);
    const { data } = await axios.get(`${EXPORT_API}/exports/${created.id}`); // snag-ok: missing-cache snag-expect: missing-timeout
    state = data.state;
  }
  return `${EXPORT_API}/exports/${created.id}/download`;
}

async function allocateStatementNumbers(count: number): Promise<bigint[]> {
  const numbers: bigint[] = [];
  for (let i = 0; i < count; i += 1) {
    const rows = (await prisma.$queryRaw`SELECT nextval('statement_number_seq')`) as { nextval: bigint }[]; // snag-ok: missing-cache
    numbers.push(rows[0].nextval);
  }
  return numbers;
}

export const statementsWorker = new Worker<StatementJob>(
  'statements',
  async (job) => {
    const downloadUrl = await waitForExport(job.data.period);
    await job.updateData({ ...job.data, downloadUrl } as StatementJob);
    const numbers = await allocateStatementNumbers(job.data.accountIds.length);
    const subjects = await localisedSubjects(['en', 'de', 'fr']);
    await renderStatements(job, subjects, numbers);
  },
  { connection: { host: process.env.REDIS_HOST ?? 'localhost', port: 6379 }, concurrency: 2 },
);
