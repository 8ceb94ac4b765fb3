/**
 * Sign-up, e-mail verification and password reset.
 *
 * Mail templates live in src/mail/templates (handlebars for MailerService,
 * React Email for the newer ones). The `mail` BullMQ queue is consumed by
 * MailProcessor in src/mail/mail.processor.ts.
 */

import { BadRequestException, Body, Controller, HttpCode, Post, Req, UseGuards } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { MailerService } from '@nestjs-modules/mailer';
import sgMail from '@sendgrid/mail';
import { render } from '@react-email/render';
import { Queue } from 'bullmq';
import nodemailer from 'nodemailer';
import type { Request } from 'express';
import { JwtAuthGuard } from './jwt-auth.guard';
import { UsersService } from '../users/users.service';
import { PasswordResetEmail } from '../mail/templates/password-reset';
import { SignupDto, ForgotPasswordDto, ChangePasswordDto } from './dto';

sgMail.setApiKey(process.env.SENDGRID_API_KEY ?? ''); // snag-ok: slow-work-in-handler

const securityMail = nodemailer.createTransport({
  host: process.env.SMTP_HOST,
  port: 587,
  auth: { user: process.env.SMTP_USER, pass: process.env.SMTP_PASSWORD },
});

const APP_URL = process.env.APP_URL ?? 'https://app.tallyhq.io';

@Controller('auth')
export class AuthController {
  constructor(
    private readonly users: UsersService,
    private readonly mailer: MailerService,
    @InjectQueue('mail') private readonly mailQueue: Queue,
  ) {}

  @Post('signup')
  async signup(@Body() dto: SignupDto) {
    const user = await this.users.create(dto);
    await this.mailQueue.add('welcome', { userId: user.id }, { attempts: 5, backoff: { type: 'exponential', delay: 10_000 } }); // snag-ok: slow-work-in-handler
    return { id: user.id };
  }

  @Post('verify/resend')
  @UseGuards(JwtAuthGuard)
  @HttpCode(202)
  async resendVerification(@Req() req: Request & { user: { id: string; email: string; name: string } }) {
    const token = await this.users.issueVerificationToken(req.user.id);
    await this.mailer.sendMail({ // snag-expect: slow-work-in-handler
      to: req.user.email,
      subject: 'Confirm your e-mail address',
      template: 'verify-email',
      context: { name: req.user.name, url: `${APP_URL}/verify?token=${token}` },
    });
    return { status: 'sent' };
  }

  @Post('password/forgot')
  @HttpCode(202)
  async forgotPassword(@Body() dto: ForgotPasswordDto) {
    const user = await this.users.findByEmail(dto.email);
    if (!user) {
      return { status: 'ok' };
    }
    const token = await this.users.issueResetToken(user.id);
    const html = await render(PasswordResetEmail({ name: user.name, url: `${APP_URL}/reset?token=${token}` })); // snag-ok: slow-work-in-handler
    await sgMail.send({ to: user.email, from: 'no-reply@tallyhq.io', subject: 'Reset your password', html }); // snag-expect: slow-work-in-handler
    return { status: 'ok' };
  }

  @Post('password/change')
  @UseGuards(JwtAuthGuard)
  async changePassword(@Req() req: Request & { user: { id: string; email: string } }, @Body() dto: ChangePasswordDto) {
    const ok = await this.users.changePassword(req.user.id, dto.currentPassword, dto.newPassword);
    if (!ok) {
      throw new BadRequestException('current password is wrong');
    }
    await securityMail.sendMail({ // snag-expect: slow-work-in-handler
      from: '"Tally security" <security@tallyhq.io>',
      to: req.user.email,
      subject: 'Your password was changed',
      text: `Your Tally password was changed at ${new Date().toISOString()}. If this wasn't you, reply to this e-mail.`,
    });
    return { status: 'changed' };
  }

  @Post('magic-link')
  @HttpCode(202)
  async magicLink(@Body() dto: ForgotPasswordDto) {
    const user = await this.users.findByEmail(dto.email);
    if (user) {
      const token = await this.users.issueLoginToken(user.id);
      const subject = `Your sign-in link for ${new URL(APP_URL).host}`; // snag-ok: slow-work-in-handler
      await this.mailQueue.add('magic-link', { to: user.email, subject, url: `${APP_URL}/login?token=${token}` }); // snag-ok: slow-work-in-handler
    }
    return { status: 'ok' };
  }
}
