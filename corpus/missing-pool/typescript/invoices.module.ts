// src/invoices/invoices.module.ts
//
// Invoices feature module: the ledger service (Postgres pool, Mongo archive and
// a Redis provider, all opened once by Nest's container) and the HTTP controller.
import {
  Controller, Get, Inject, Injectable, Module, NotFoundException, OnModuleDestroy, OnModuleInit, Param, Post,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { PrismaClient } from '@prisma/client';
import axios from 'axios';
import Redis from 'ioredis';
import { MongoClient, type Db } from 'mongodb';
import { Pool } from 'pg';

export const REDIS = Symbol('REDIS');

@Injectable()
export class LedgerService implements OnModuleInit, OnModuleDestroy {
  private readonly pool = new Pool({ connectionString: process.env.LEDGER_DATABASE_URL, max: 10 }); // snag-ok: missing-pool
  private mongo!: MongoClient;
  archive!: Db;

  constructor(private readonly config: ConfigService) {}

  async onModuleInit() {
    this.mongo = new MongoClient(this.config.getOrThrow<string>('ARCHIVE_MONGO_URL')); // snag-ok: missing-pool
    await this.mongo.connect();
    this.archive = this.mongo.db('archive');
  }

  async onModuleDestroy() {
    await Promise.all([this.pool.end(), this.mongo.close()]);
  }

  async invoice(id: string) {
    const { rows } = await this.pool.query(
      'SELECT id, number, customer_id, total_cents, status FROM invoices WHERE id = $1',
      [id],
    );
    if (!rows[0]) throw new NotFoundException();
    return rows[0];
  }

  async lineItems(invoiceId: string) {
    const client = await this.pool.connect(); // snag-ok: missing-pool
    try {
      const { rows } = await client.query(
        'SELECT description, quantity, unit_price_cents FROM invoice_lines WHERE invoice_id = $1 ORDER BY position',
        [invoiceId],
      );
      return rows;
    } finally {
      client.release();
    }
  }

  async customerName(customerId: string): Promise<string> {
    const prisma = new PrismaClient(); // snag-expect: missing-pool
    const customer = await prisma.customer.findUnique({ where: { id: customerId }, select: { name: true } });
    await prisma.$disconnect();
    return customer?.name ?? 'unknown';
  }
}

@Controller('invoices')
export class InvoicesController {
  constructor(
    private readonly ledger: LedgerService,
    private readonly config: ConfigService,
    @Inject(REDIS) private readonly redis: Redis,
  ) {}

  @Get(':id')
  async show(@Param('id') id: string) {
    const invoice = await this.ledger.invoice(id);
    const lines = await this.ledger.lineItems(id);
    return { ...invoice, lines, customer: await this.ledger.customerName(invoice.customer_id) };
  }

  @Get(':id/archived')
  async archived(@Param('id') id: string) {
    const mongo = new MongoClient(this.config.getOrThrow<string>('ARCHIVE_MONGO_URL')); // snag-expect: missing-pool
    try {
      const doc = await mongo.db('archive').collection('invoices').findOne({ invoiceId: id }, { projection: { _id: 0 } });
      if (!doc) throw new NotFoundException();
      return doc;
    } finally {
      await mongo.close();
    }
  }

  @Get(':id/views')
  async views(@Param('id') id: string) {
    const redis = new Redis(this.config.getOrThrow<string>('REDIS_URL')); // snag-expect: missing-pool
    const views = await redis.incr(`invoice:${id}:views`);
    redis.disconnect();
    return { views };
  }

  @Post(':id/remind')
  async remind(@Param('id') id: string) {
    const dunning = axios.create({ // snag-ok: missing-pool
      baseURL: this.config.getOrThrow<string>('DUNNING_API_URL'),
      timeout: 5_000,
      headers: { Authorization: `Bearer ${this.config.get('DUNNING_TOKEN')}` },
    });
    const { data } = await dunning.post('/reminders', { invoiceId: id });
    await this.redis.set(`invoice:${id}:reminded`, Date.now().toString(), 'EX', 86_400);
    return data;
  }
}

@Module({
  controllers: [InvoicesController],
  providers: [
    LedgerService,
    {
      provide: REDIS,
      inject: [ConfigService],
      useFactory: (config: ConfigService) => new Redis(config.getOrThrow<string>('REDIS_URL')), // snag-ok: missing-pool
    },
  ],
})
export class InvoicesModule {}
