// pages/api/jobs/[jobId]/apply.js
//
// Careers site: candidates apply to an opening with a CV (PDF or Word) and a
// short note. CVs are normalised to PDF for the recruiters' viewer and kept in
// CV_DIR; the ATS sync runs from the `ats` queue (workers/ats-sync.js).
import { execFile } from 'node:child_process';
import { copyFile, mkdir } from 'node:fs/promises';
import path from 'node:path';
import { promisify } from 'node:util';
import formidable from 'formidable';
import nodemailer from 'nodemailer';
import { Queue } from 'bullmq';
import { prisma } from '../../../../lib/prisma';

export const config = { api: { bodyParser: false } };

const run = promisify(execFile);
const CV_DIR = process.env.CV_DIR ?? '/srv/careers/cvs';
const WORD_TYPES = new Set([
  'application/msword',
  'application/vnd.openxmlformats-officedocument.wordprocessingml.document',
]);
const mailer = nodemailer.createTransport(process.env.SMTP_URL);
const atsQueue = new Queue('ats', { connection: { url: process.env.REDIS_URL } });

function confirmationText(candidate, opening) {
  return [
    `Hi ${candidate.firstName},`,
    '',
    `Thanks for applying for ${opening.title}. We read every application and will get back to you within two weeks.`,
    '',
    'The Harbor Freight Labs hiring team',
  ].join('\n');
}

export default async function handler(req, res) {
  if (req.method !== 'POST') {
    res.setHeader('Allow', 'POST');
    return res.status(405).end();
  }
  const opening = await prisma.opening.findUnique({ where: { id: req.query.jobId } });
  if (!opening || !opening.open) return res.status(404).json({ error: 'this opening is closed' });

  const form = formidable({ maxFileSize: 10 * 1024 * 1024 });
  const [fields, files] = await form.parse(req);
  const cv = files.cv?.[0];
  if (!cv) return res.status(400).json({ error: 'a CV is required' });

  const application = await prisma.application.create({
    data: { openingId: opening.id, email: fields.email[0], firstName: fields.firstName[0], note: fields.note?.[0] ?? '' },
  });
  const dir = path.join(CV_DIR, application.id);
  await mkdir(dir, { recursive: true });
  if (WORD_TYPES.has(cv.mimetype)) {
    await run('soffice', ['--headless', '--convert-to', 'pdf', '--outdir', dir, cv.filepath], { timeout: 120_000 }); // snag-expect: slow-work-in-handler
  } else {
    await copyFile(cv.filepath, path.join(dir, 'cv.pdf'));
  }

  const text = confirmationText(application, opening); // snag-ok: slow-work-in-handler
  await mailer.sendMail({ from: 'careers@harborfreightlabs.com', to: application.email, subject: `Your application: ${opening.title}`, text }); // snag-expect: slow-work-in-handler
  await atsQueue.add('application', { applicationId: application.id }, { attempts: 10, backoff: { type: 'exponential', delay: 60_000 } }); // snag-ok: slow-work-in-handler

  res.status(201).json({ id: application.id });
}
