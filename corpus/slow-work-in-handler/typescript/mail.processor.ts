/**
 * Consumers of the `mail` queue, plus the weekly digest.
 *
 * Runs in the worker process (src/worker.ts boots WorkerModule, which imports
 * MailModule); the HTTP app only enqueues. Retries and backoff are set by the
 * producers.
 */

import { Injectable, Logger } from '@nestjs/common';
import { OnWorkerEvent, Processor, WorkerHost } from '@nestjs/bullmq';
import { Cron, CronExpression } from '@nestjs/schedule';
import { MailerService } from '@nestjs-modules/mailer';
import sgMail from '@sendgrid/mail';
import { Job } from 'bullmq';
import nodemailer from 'nodemailer';
import { UsersService } from '../users/users.service';
import { DigestService } from './digest.service';

const alerts = nodemailer.createTransport({ host: process.env.SMTP_HOST, port: 587 });

type WelcomeJob = { userId: string };
type MagicLinkJob = { to: string; subject: string; url: string };

@Processor('mail', { concurrency: 8 })
export class MailProcessor extends WorkerHost {
  private readonly logger = new Logger(MailProcessor.name);

  constructor(
    private readonly mailer: MailerService,
    private readonly users: UsersService,
  ) {
    super();
  }

  async process(job: Job<WelcomeJob | MagicLinkJob>): Promise<void> {
    switch (job.name) {
      case 'welcome': {
        const user = await this.users.findById((job.data as WelcomeJob).userId);
        if (!user) return;
        await this.mailer.sendMail({ // snag-ok: slow-work-in-handler
          to: user.email,
          subject: 'Welcome to Tally',
          template: 'welcome',
          context: { name: user.name },
        });
        return;
      }
      case 'magic-link': {
        const { to, subject, url } = job.data as MagicLinkJob;
        await sgMail.send({ to, from: 'no-reply@tallyhq.io', subject, text: `Sign in: ${url}` }); // snag-ok: slow-work-in-handler
        return;
      }
      default:
        this.logger.warn(`unknown mail job ${job.name}`);
    }
  }

  @OnWorkerEvent('failed')
  async onFailed(job: Job, error: Error) {
    if (job.attemptsMade < (job.opts.attempts ?? 1)) return;
    await alerts.sendMail({ // snag-ok: slow-work-in-handler
      from: 'mail-worker@tallyhq.io',
      to: 'oncall@tallyhq.io',
      subject: `mail job ${job.name} failed for good`,
      text: `${job.id}: ${error.message}`,
    });
  }
}

@Injectable()
export class WeeklyDigest {
  private readonly logger = new Logger(WeeklyDigest.name);

  constructor(
    private readonly mailer: MailerService,
    private readonly digests: DigestService,
  ) {}

  @Cron(CronExpression.EVERY_WEEK)
  async sendDigests() {
    const batches = await this.digests.pendingRecipients();
    for (const recipient of batches) {
      await this.mailer.sendMail({ // snag-ok: slow-work-in-handler
        to: recipient.email,
        subject: 'Your week in Tally',
        template: 'weekly-digest',
        context: await this.digests.contextFor(recipient.id),
      });
    }
    this.logger.log(`sent ${batches.length} digests`);
  }
}
