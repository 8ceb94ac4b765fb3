// app/api/invoices/[id]/document/route.ts
//
// The invoice document: GET renders the PDF, POST e-mails it to the client,
// PUT asks the pdf worker to re-render the stored copy, HEAD says whether a
// stored copy exists. The HTML comes from the same template as the web view.
import { NextRequest, NextResponse } from 'next/server';
import puppeteer, { type Browser } from 'puppeteer';
import nodemailer from 'nodemailer';
import { Queue } from 'bullmq';
import { HeadObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { auth } from '@/lib/auth';
import { db } from '@/lib/db';
import { renderInvoiceHtml } from '@/lib/invoices/template';

export const runtime = 'nodejs';

const transporter = nodemailer.createTransport(process.env.SMTP_URL);
const pdfQueue = new Queue('pdf', { connection: { url: process.env.REDIS_URL } });
const s3 = new S3Client({ region: process.env.AWS_REGION });

let browser: Promise<Browser> | undefined;
function sharedBrowser(): Promise<Browser> {
  browser ??= puppeteer.launch({ args: ['--no-sandbox'] });
  return browser;
}

async function loadInvoice(id: string, orgId: string) {
  return db.invoice.findFirst({ where: { id, orgId }, include: { lines: true, client: true } });
}

export async function GET(_req: NextRequest, { params }: { params: { id: string } }) {
  const session = await auth();
  if (!session) return NextResponse.json({ error: 'unauthorized' }, { status: 401 });
  const invoice = await loadInvoice(params.id, session.orgId);
  if (!invoice) return NextResponse.json({ error: 'not found' }, { status: 404 });

  const page = await (await sharedBrowser()).newPage();
  try {
    await page.setContent(renderInvoiceHtml(invoice), { waitUntil: 'networkidle0' }); // snag-ok: slow-work-in-handler
    const pdf = await page.pdf({ format: 'A4', printBackground: true }); // snag-expect: slow-work-in-handler
    return new NextResponse(pdf, {
      headers: {
        'Content-Type': 'application/pdf',
        'Content-Disposition': `inline; filename="${invoice.number}.pdf"`,
      },
    });
  } finally {
    await page.close();
  }
}

export async function POST(req: NextRequest, { params }: { params: { id: string } }) {
  const session = await auth();
  if (!session) return NextResponse.json({ error: 'unauthorized' }, { status: 401 });
  const invoice = await loadInvoice(params.id, session.orgId);
  if (!invoice) return NextResponse.json({ error: 'not found' }, { status: 404 });
  const { to, note } = (await req.json()) as { to?: string; note?: string };

  const b = await puppeteer.launch({ args: ['--no-sandbox'] });
  const page = await b.newPage();
  await page.setContent(renderInvoiceHtml(invoice));
  const pdf = await page.pdf({ format: 'A4', printBackground: true }); // snag-expect: slow-work-in-handler
  await b.close();

  await transporter.sendMail({ // snag-expect: slow-work-in-handler
    from: `"${session.orgName}" <billing@invoicely.app>`,
    to: to ?? invoice.client.email,
    subject: `Invoice ${invoice.number}`,
    text: note ?? `Please find invoice ${invoice.number} attached.`,
    attachments: [{ filename: `${invoice.number}.pdf`, content: Buffer.from(pdf) }],
  });
  await db.invoice.update({ where: { id: invoice.id }, data: { sentAt: new Date() } });
  return NextResponse.json({ sent: true });
}

export async function PUT(_req: NextRequest, { params }: { params: { id: string } }) {
  const session = await auth();
  if (!session) return NextResponse.json({ error: 'unauthorized' }, { status: 401 });
  const job = await pdfQueue.add('invoice', { invoiceId: params.id, orgId: session.orgId }, { jobId: `invoice:${params.id}` }); // snag-ok: slow-work-in-handler
  return NextResponse.json({ job: job.id }, { status: 202 });
}

export async function HEAD(_req: NextRequest, { params }: { params: { id: string } }) {
  const session = await auth();
  if (!session) return new NextResponse(null, { status: 401 });
  try {
    const head = await s3.send(new HeadObjectCommand({ Bucket: process.env.INVOICE_BUCKET, Key: `${session.orgId}/${params.id}.pdf` })); // snag-ok: slow-work-in-handler
    return new NextResponse(null, { status: 200, headers: { 'Last-Modified': head.LastModified?.toUTCString() ?? '' } });
  } catch {
    return new NextResponse(null, { status: 404 });
  }
}
