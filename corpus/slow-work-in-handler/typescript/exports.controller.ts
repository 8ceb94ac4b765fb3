/**
 * Merchant data exports (orders, customers) for the dashboard's "Export"
 * menu. Small exports are answered directly; full exports are supposed to go
 * through the `exports` queue (ExportsProcessor uploads the file to S3 and the
 * dashboard polls GET /exports/:id).
 */

import { Controller, Get, HttpCode, NotFoundException, Param, Post, Query, Res, UseGuards } from '@nestjs/common';
import { InjectQueue } from '@nestjs/bullmq';
import { Queue } from 'bullmq';
import ExcelJS from 'exceljs';
import { stringify } from 'csv-stringify/sync';
import type { Response } from 'express';
import { MerchantGuard } from '../auth/merchant.guard';
import { CurrentMerchant } from '../auth/current-merchant.decorator';
import { PrismaService } from '../prisma/prisma.service';
import { ExportsRepository } from './exports.repository';

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

@Controller('exports')
@UseGuards(MerchantGuard)
export class ExportsController {
  constructor(
    private readonly prisma: PrismaService,
    private readonly exportsRepo: ExportsRepository,
    @InjectQueue('exports') private readonly exportsQueue: Queue,
  ) {}

  @Get('orders.xlsx')
  async ordersWorkbook(@CurrentMerchant() merchantId: string, @Res() res: Response) {
    const orders = await this.prisma.order.findMany({
      where: { merchantId },
      orderBy: { createdAt: 'desc' },
      select: { number: true, createdAt: true, status: true, totalCents: true, customer: { select: { email: true } } },
    });
    const workbook = new ExcelJS.Workbook();
    const sheet = workbook.addWorksheet('Orders');
    sheet.columns = [
      { header: 'Order', key: 'number', width: 12 },
      { header: 'Date', key: 'createdAt', width: 20 },
      { header: 'Customer', key: 'email', width: 32 },
      { header: 'Status', key: 'status', width: 12 },
      { header: 'Total', key: 'total', width: 12 },
    ];
    sheet.addRows(orders.map((o) => ({ ...o, email: o.customer.email, total: o.totalCents / 100 })));
    res.setHeader('Content-Type', XLSX);
    res.setHeader('Content-Disposition', 'attachment; filename="orders.xlsx"');
    await workbook.xlsx.write(res); // snag-expect: slow-work-in-handler
    res.end();
  }

  @Get('customers.csv')
  async customersCsv(@CurrentMerchant() merchantId: string, @Res() res: Response) {
    const customers = await this.prisma.customer.findMany({
      where: { merchantId },
      select: { id: true, email: true, name: true, country: true, createdAt: true },
    });
    const csv = stringify(customers, { header: true, columns: ['id', 'email', 'name', 'country', 'createdAt'] }); // snag-expect: slow-work-in-handler
    res.type('text/csv').attachment('customers.csv').send(csv); // snag-ok: slow-work-in-handler
  }

  @Get('orders/recent.xlsx')
  async recentOrdersWorkbook(@CurrentMerchant() merchantId: string, @Query('limit') limit = '50', @Res() res: Response) {
    const orders = await this.prisma.order.findMany({
      where: { merchantId },
      orderBy: { createdAt: 'desc' },
      take: Math.min(Number(limit) || 50, 200),
      select: { number: true, createdAt: true, status: true, totalCents: true },
    });
    const workbook = new ExcelJS.Workbook();
    workbook.addWorksheet('Recent orders').addRows(orders.map((o) => [o.number, o.createdAt, o.status, o.totalCents / 100]));
    const buffer = await workbook.xlsx.writeBuffer(); // snag-ok: slow-work-in-handler
    res.type(XLSX).attachment('recent-orders.xlsx').send(buffer);
  }

  @Post(':kind')
  @HttpCode(202)
  async requestExport(@CurrentMerchant() merchantId: string, @Param('kind') kind: string) {
    if (kind !== 'orders' && kind !== 'customers') throw new NotFoundException();
    const record = await this.exportsRepo.create({ merchantId, kind, status: 'queued' });
    await this.exportsQueue.add(kind, { exportId: record.id, merchantId }, { attempts: 2 }); // snag-ok: slow-work-in-handler
    return { id: record.id, status: 'queued' };
  }

  @Get(':id')
  async exportStatus(@CurrentMerchant() merchantId: string, @Param('id') id: string) {
    const record = await this.exportsRepo.findForMerchant(id, merchantId);
    if (!record) throw new NotFoundException();
    return { id: record.id, status: record.status, url: record.status === 'done' ? await this.exportsRepo.signedUrl(record) : null };
  }
}
