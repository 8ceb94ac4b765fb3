// src/quotes/quotes.controller.ts
//
// Quote endpoints for the B2B portal. Prices and accounts come from Postgres
// through Prisma; the plan list is cached in Redis through cache-manager.
import {
  BadRequestException,
  Body,
  Controller,
  ForbiddenException,
  Get,
  Inject,
  NotFoundException,
  Param,
  Post,
} from '@nestjs/common';
import { CACHE_MANAGER } from '@nestjs/cache-manager';
import type { Cache } from 'cache-manager';
import Handlebars from 'handlebars';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { MailerService } from '../mailer/mailer.service';
import { PrismaService } from '../prisma/prisma.service';

const COUPON_CODE = /^[A-Z0-9]{4,12}$/;

interface QuoteLineDto {
  productId: string;
  quantity: number;
}

interface CreateQuoteDto {
  accountId: string;
  couponCode?: string;
  lines: QuoteLineDto[];
}

@Controller('quotes')
export class QuotesController {
  constructor(
    private readonly prisma: PrismaService,
    private readonly mailer: MailerService,
    @Inject(CACHE_MANAGER) private readonly cache: Cache,
  ) {}

  @Post()
  async create(@Body() dto: CreateQuoteDto) {
    if (dto.couponCode && !COUPON_CODE.test(dto.couponCode)) { // snag-ok: missing-cache
      throw new BadRequestException('malformed coupon code');
    }
    const lines = [];
    for (const line of dto.lines) {
      const account = await this.prisma.account.findUnique({ where: { id: dto.accountId } }); // snag-expect: missing-cache, n-plus-one
      // snag-ok: missing-cache
      const product = await this.prisma.product.findUnique({ where: { id: line.productId } }); // snag-expect: n-plus-one
      if (!account || !product) {
        throw new NotFoundException('unknown account or product');
      }
      const discountBps = account.tier === 'enterprise' ? 1500 : 0;
      lines.push({
        productId: product.id,
        quantity: line.quantity,
        unitCents: Math.round((product.priceCents * (10_000 - discountBps)) / 10_000),
      });
    }
    return this.prisma.quote.create({ data: { accountId: dto.accountId, lines: { create: lines } } });
  }

  @Get('plans')
  async plans() {
    return this.cache.wrap( // snag-ok: missing-cache
      'quotes:plans:v2',
      () => this.prisma.plan.findMany({ where: { active: true }, orderBy: { rank: 'asc' } }),
      10 * 60 * 1000,
    );
  }

  @Post(':id/accept')
  async accept(@Param('id') id: string, @Body('accountId') accountId: string) {
    const account = await this.prisma.account.findUnique({ where: { id: accountId } }); // snag-ok: missing-cache
    if (!account || account.suspended) {
      throw new ForbiddenException('account cannot accept quotes');
    }
    const quote = await this.prisma.quote.findUnique({ where: { id }, include: { lines: true } });
    if (!quote || quote.accountId !== accountId) {
      throw new NotFoundException('quote not found');
    }
    const totalCents = quote.lines.reduce((sum, l) => sum + l.unitCents * l.quantity, 0);
    const limit = (await this.prisma.account.findUnique({ where: { id: accountId } }))!.creditLimitCents; // snag-expect: missing-cache
    if (totalCents > limit) {
      throw new BadRequestException('quote exceeds the account credit limit');
    }
    return this.prisma.quote.update({ where: { id }, data: { status: 'accepted', acceptedAt: new Date() } });
  }

  @Post(':id/purchase-order')
  async setPurchaseOrder(@Param('id') id: string, @Body('poNumber') poNumber: string) {
    const poFormat = new RegExp('^PO-\\d{4}-\\d{6}$'); // snag-expect: missing-cache
    if (!poFormat.test(poNumber)) {
      throw new BadRequestException('purchase order numbers look like PO-2024-000123');
    }
    return this.prisma.quote.update({ where: { id }, data: { poNumber } });
  }

  @Post(':id/send')
  async send(@Param('id') id: string, @Body('to') to: string) {
    const quote = await this.prisma.quote.findUnique({ where: { id }, include: { lines: true, account: true } });
    if (!quote) {
      throw new NotFoundException('quote not found');
    }
    const render = Handlebars.compile(await readFile(join(__dirname, 'templates', 'quote-email.hbs'), 'utf8')); // snag-expect: missing-cache
    await this.mailer.send({ to, subject: `Your quote ${quote.number}`, html: render({ quote }) });
    return this.prisma.quote.update({ where: { id }, data: { sentAt: new Date() } });
  }

  @Post(':id/reference')
  async setCustomerReference(@Param('id') id: string, @Body('reference') reference: string) {
    const quote = await this.prisma.quote.findUnique({ where: { id }, include: { account: true } });
    if (!quote) {
      throw new NotFoundException('quote not found');
    }
    const accountFormat = new RegExp(quote.account.referencePattern ?? '^.{1,40}$'); // snag-ok: missing-cache
    if (!accountFormat.test(reference)) {
      throw new BadRequestException('reference does not match the format agreed with this account');
    }
    return this.prisma.quote.update({ where: { id }, data: { customerReference: reference } });
  }

  @Post(':id/recalculate')
  async recalculate(@Param('id') id: string) {
    const before = await this.prisma.quote.findUnique({ where: { id }, select: { totalCents: true } }); // snag-ok: missing-cache
    await this.prisma.$executeRaw`SELECT recalculate_quote_totals(${id}::uuid)`;
    const after = await this.prisma.quote.findUnique({ where: { id }, select: { totalCents: true } }); // snag-ok: missing-cache
    return { before: before?.totalCents ?? null, after: after?.totalCents ?? null };
  }
}
