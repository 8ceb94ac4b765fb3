// workers/render.worker.ts — BullMQ worker that renders PDFs and previews for uploaded documents
import { Job, Worker } from 'bullmq';
import { exec, execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { quote } from 'shell-quote';
import { logger } from '../lib/logger';
import { redisConnection } from '../lib/redis';

const sh = promisify(exec);
const run = promisify(execFile);

const WORK_DIR = '/var/lib/render';
const PAPER_SIZES: Record<string, string> = { a4: 'A4', letter: 'Letter', legal: 'Legal' };

interface RenderJob {
  documentId: string;
  sourcePath: string;
  paper?: string;
  watermark?: string;
  pages?: string;
}

async function toPdf(sourcePath: string, outDir: string): Promise<void> {
  await sh(`soffice --headless --convert-to pdf --outdir ${outDir} ${sourcePath}`); // snag-expect: command-injection
}

async function preview(pdfPath: string, outPrefix: string): Promise<void> {
  await run('pdftoppm', ['-png', '-r', '72', '-f', '1', '-l', '1', pdfPath, outPrefix]); // snag-ok: command-injection
}

async function stamp(pdfPath: string, text: string): Promise<void> {
  const stamped = pdfPath.replace(/\.pdf$/, '.stamped.pdf');
  await sh(`qpdf --overlay ${quote([`${WORK_DIR}/stamps/${text}.pdf`])} -- ${quote([pdfPath])} ${quote([stamped])}`); // snag-ok: command-injection
}

async function extractPages(pdfPath: string, pages: string): Promise<string> {
  const out = pdfPath.replace(/\.pdf$/, `.p${pages}.pdf`);
  await sh('qpdf ' + pdfPath + ' --pages . ' + pages + ' -- ' + out); // snag-expect: command-injection
  return out;
}

async function resize(pdfPath: string, paper: string | undefined): Promise<void> {
  const size = PAPER_SIZES[paper ?? 'a4'] ?? 'A4';
  await sh(`gs -q -sDEVICE=pdfwrite -sPAPERSIZE=${size.toLowerCase()} -dFIXEDMEDIA -dPDFFitPage -o ${WORK_DIR}/resized.pdf ${WORK_DIR}/current.pdf`); // snag-ok: command-injection
}

export const renderWorker = new Worker<RenderJob>(
  'render',
  async (job: Job<RenderJob>) => {
    const outDir = path.join(WORK_DIR, job.data.documentId);
    await toPdf(job.data.sourcePath, outDir);
    const pdfPath = path.join(outDir, `${path.parse(job.data.sourcePath).name}.pdf`);
    await preview(pdfPath, path.join(outDir, 'preview'));
    if (job.data.watermark) {
      await stamp(pdfPath, job.data.watermark);
    }
    if (job.data.pages) {
      await extractPages(pdfPath, job.data.pages);
    }
    await resize(pdfPath, job.data.paper);
    await sh(`chmod -R g+r ${outDir}`); // snag-expect: command-injection
    logger.info({ documentId: job.data.documentId }, 'rendered');
  },
  { connection: redisConnection, concurrency: 2 },
);
