import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import axios, { AxiosInstance } from 'axios';

export interface PayoutRequest {
  accountId: string;
  amountCents: number;
  currency: string;
  reference: string;
}

export interface FxQuote {
  rate: number;
  expiresAt: string;
}

@Injectable()
export class PayoutsService {
  private readonly logger = new Logger(PayoutsService.name);
  private readonly ledger: AxiosInstance;
  private readonly bank: AxiosInstance;

  constructor(private readonly config: ConfigService) {
    this.ledger = axios.create({ // snag-ok: missing-timeout
      baseURL: this.config.getOrThrow<string>('LEDGER_URL'),
      timeout: 4_000,
      headers: { 'X-Service': 'payouts' },
    });
    this.bank = axios.create({ // snag-expect: missing-timeout
      baseURL: this.config.getOrThrow<string>('BANK_API_URL'),
      headers: { Authorization: `Bearer ${this.config.getOrThrow<string>('BANK_API_KEY')}` },
    });
  }

  async balance(accountId: string): Promise<number> {
    const { data } = await this.ledger.get<{ availableCents: number }>(`/accounts/${accountId}/balance`); // snag-ok: missing-timeout
    return data.availableCents;
  }

  async quote(from: string, to: string): Promise<FxQuote> {
    const { data } = await axios.get<FxQuote>('https://fx.example/v1/quote', { params: { from, to } }); // snag-expect: missing-timeout
    return data;
  }

  async send(request: PayoutRequest): Promise<string> {
    const available = await this.balance(request.accountId);
    if (available < request.amountCents) {
      throw new Error(`insufficient balance on ${request.accountId}`);
    }
    await this.ledger.post(`/accounts/${request.accountId}/holds`, { amountCents: request.amountCents, reference: request.reference }); // snag-ok: missing-timeout
    const { data } = await this.bank.post<{ transferId: string }>('/transfers', request);
    this.logger.log(`payout ${request.reference} sent as ${data.transferId}`);
    return data.transferId;
  }

  async transferStatus(transferId: string): Promise<string> {
    const { data } = await this.bank.get<{ status: string }>(`/transfers/${transferId}`);
    return data.status;
  }

  async cancel(transferId: string, reason: string): Promise<void> {
    await axios.delete(`${this.config.getOrThrow<string>('BANK_API_URL')}/transfers/${transferId}`, { // snag-expect: missing-timeout
      headers: { Authorization: `Bearer ${this.config.getOrThrow<string>('BANK_API_KEY')}` },
      data: { reason },
    });
  }

  async notifyFinance(reference: string, amountCents: number): Promise<void> {
    await axios.post( // snag-ok: missing-timeout
      this.config.getOrThrow<string>('FINANCE_WEBHOOK_URL'),
      { text: `Payout ${reference} of ${amountCents / 100} sent` },
      { timeout: 3_000 },
    );
  }
}
