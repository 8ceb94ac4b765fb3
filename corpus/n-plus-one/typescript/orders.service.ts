import { Injectable, Logger, NotFoundException } from '@nestjs/common';
import { InjectDataSource, InjectRepository } from '@nestjs/typeorm';
import { DataSource, In, LessThan, Repository } from 'typeorm';
import { Customer } from './entities/customer.entity';
import { Order } from './entities/order.entity';
import { OrderLine } from './entities/order-line.entity';
import { Product } from './entities/product.entity';

export interface LineInput {
  productId: string;
  quantity: number;
}

const ARCHIVE_CHUNK = 500;
const STALE_DRAFT_MS = 14 * 24 * 60 * 60 * 1000;

@Injectable()
export class OrdersService {
  private readonly logger = new Logger(OrdersService.name);

  constructor(
    @InjectRepository(Order) private readonly orders: Repository<Order>,
    @InjectRepository(OrderLine) private readonly lines: Repository<OrderLine>,
    @InjectRepository(Product) private readonly products: Repository<Product>,
    @InjectRepository(Customer) private readonly customers: Repository<Customer>,
    @InjectDataSource() private readonly dataSource: DataSource,
  ) {}

  async createOrder(customerId: string, input: LineInput[]): Promise<Order> {
    const customer = await this.customers.findOneBy({ id: customerId }); // snag-ok: n-plus-one
    if (!customer) {
      throw new NotFoundException(`customer ${customerId} not found`);
    }

    // One round trip for every product on the order.
    const products = await this.products.findBy({ id: In(input.map((i) => i.productId)) }); // snag-ok: n-plus-one
    const byId = new Map(products.map((p) => [p.id, p]));
    const missing = input.filter((i) => !byId.has(i.productId));
    if (missing.length > 0) {
      throw new NotFoundException(`unknown products: ${missing.map((m) => m.productId).join(', ')}`);
    }

    return this.dataSource.transaction(async (manager) => {
      const order = await manager.save(Order, { customer, status: 'pending' });
      const lines = input.map((item) =>
        // snag-ok: n-plus-one
        manager.create(OrderLine, {
          order,
          product: byId.get(item.productId),
          quantity: item.quantity,
          unitPriceCents: byId.get(item.productId)!.priceCents,
        }),
      );
      await manager.save(OrderLine, lines); // snag-ok: n-plus-one
      return order;
    });
  }

  async repriceOpenOrders(): Promise<number> {
    const open = await this.orders.find({
      where: { status: 'open' },
      relations: { lines: true },
    });

    for (const order of open) {
      let total = 0;
      for (const line of order.lines) {
        const product = await this.products.findOneBy({ id: line.productId }); // snag-expect: n-plus-one
        total += (product?.priceCents ?? line.unitPriceCents) * line.quantity;
      }
      order.totalCents = total;
      await this.orders.save(order); // snag-expect: n-plus-one
    }
    this.logger.log(`repriced ${open.length} open orders`);
    return open.length;
  }

  async recentOrdersByCustomer(customerIds: string[]): Promise<Record<string, Order[]>> {
    const perCustomer = await Promise.all(
      customerIds.map((customerId) =>
        this.orders.find({ // snag-expect: n-plus-one
          where: { customer: { id: customerId } },
          order: { createdAt: 'DESC' },
          take: 5,
        }),
      ),
    );
    return Object.fromEntries(customerIds.map((id, i) => [id, perCustomer[i]])); // snag-ok: n-plus-one
  }

  async removeLines(orderId: string, lineIds: string[]): Promise<void> {
    for (const lineId of lineIds) {
      await this.lines.delete({ id: lineId, order: { id: orderId } }); // snag-expect: n-plus-one
    }
  }

  async archiveCustomers(customerIds: string[]): Promise<void> {
    for (let i = 0; i < customerIds.length; i += ARCHIVE_CHUNK) {
      const chunk = customerIds.slice(i, i + ARCHIVE_CHUNK);
      await this.customers.update({ id: In(chunk) }, { archivedAt: new Date() }); // snag-ok: n-plus-one
    }
  }

  async cancelStaleDrafts(now = Date.now()): Promise<number> {
    const stale: string[] = [];
    for (const draft of await this.orders.find({ where: { status: 'draft' }, select: { id: true, updatedAt: true } })) { // snag-ok: n-plus-one
      if (now - draft.updatedAt.getTime() > STALE_DRAFT_MS) {
        stale.push(draft.id);
      }
    }
    if (stale.length > 0) {
      await this.orders.update({ id: In(stale) }, { status: 'cancelled' }); // snag-ok: n-plus-one
    }
    return stale.length;
  }

  async purgeCancelled(before: Date): Promise<number> {
    const result = await this.orders.delete({ status: 'cancelled', updatedAt: LessThan(before) });
    return result.affected ?? 0;
  }
}
