/**
 * Password and API-key handling for the accounts module.
 *
 * New passwords are hashed with scrypt. Accounts imported from the old PHP
 * platform still carry PBKDF2-SHA512 hashes and are upgraded on their next
 * successful login. Session JWTs are signed with the RS256 key pair mounted
 * from the secrets volume.
 */

import { Injectable, Logger, OnModuleInit, UnauthorizedException } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { pbkdf2Sync, randomBytes, scrypt, scryptSync, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { promisify } from 'node:util';
import { Repository } from 'typeorm';
import { Account } from './entities/account.entity';

const scryptAsync = promisify(scrypt) as (password: string, salt: Buffer, keylen: number) => Promise<Buffer>;

const KEY_LENGTH = 64;
const LEGACY_ITERATIONS = 100_000;

@Injectable()
export class CredentialsService implements OnModuleInit {
  private readonly logger = new Logger(CredentialsService.name);
  private signingKey!: Buffer;

  constructor(@InjectRepository(Account) private readonly accounts: Repository<Account>) {}

  onModuleInit(): void {
    // Runs once while the application module boots, before the HTTP server listens.
    this.signingKey = readFileSync(process.env.JWT_PRIVATE_KEY_PATH ?? '/run/secrets/jwt.key'); // snag-ok: blocking-in-async
  }

  async hashPassword(password: string): Promise<string> {
    const salt = randomBytes(16); // snag-ok: blocking-in-async
    const derived = await scryptAsync(password, salt, KEY_LENGTH); // snag-ok: blocking-in-async
    return `scrypt$${salt.toString('base64')}$${derived.toString('base64')}`;
  }

  async setPassword(accountId: string, password: string): Promise<void> {
    const salt = randomBytes(16);
    const derived = scryptSync(password, salt, KEY_LENGTH); // snag-expect: blocking-in-async
    await this.accounts.update({ id: accountId }, { passwordHash: `scrypt$${salt.toString('base64')}$${derived.toString('base64')}` });
  }

  async verify(email: string, password: string): Promise<Account> {
    const account = await this.accounts.findOneBy({ email: email.toLowerCase() });
    if (!account) {
      throw new UnauthorizedException();
    }
    const [scheme, saltB64, hashB64] = account.passwordHash.split('$');
    const salt = Buffer.from(saltB64, 'base64');
    const expected = Buffer.from(hashB64, 'base64');

    let derived: Buffer;
    if (scheme === 'pbkdf2') {
      derived = pbkdf2Sync(password, salt, LEGACY_ITERATIONS, expected.length, 'sha512'); // snag-expect: blocking-in-async
    } else {
      derived = await scryptAsync(password, salt, expected.length);
    }
    if (derived.length !== expected.length || !timingSafeEqual(derived, expected)) {
      throw new UnauthorizedException();
    }
    if (scheme === 'pbkdf2') {
      this.logger.log(`upgrading legacy hash for account ${account.id}`);
      await this.accounts.update({ id: account.id }, { passwordHash: await this.hashPassword(password) });
    }
    return account;
  }

  async issueApiKey(accountId: string): Promise<string> {
    const secret = randomBytes(32).toString('base64url'); // snag-ok: blocking-in-async
    const salt = randomBytes(16);
    const digest = scryptSync(secret, salt, 32, { N: 1 << 15, maxmem: 64 * 1024 * 1024 }); // snag-expect: blocking-in-async
    await this.accounts.update({ id: accountId }, { apiKeySalt: salt.toString('base64'), apiKeyDigest: digest.toString('base64') });
    return `ak_${accountId}.${secret}`;
  }

  signingKeyPem(): Buffer {
    return this.signingKey;
  }
}

/** Used by `npm run accounts:import` to pre-hash passwords before the bulk insert. */
export function hashForImport(password: string): string {
  const salt = randomBytes(16);
  const derived = scryptSync(password, salt, KEY_LENGTH); // snag-ok: blocking-in-async
  return `scrypt$${salt.toString('base64')}$${derived.toString('base64')}`;
}
