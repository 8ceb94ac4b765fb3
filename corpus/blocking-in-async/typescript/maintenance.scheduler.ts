/**
 * Nightly maintenance jobs for the API pods. They run inside the same Nest
 * process that serves traffic (one replica holds the `maintenance` lease), so
 * anything they do shares the event loop with live requests.
 */

import { Injectable, Logger } from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { Cron, CronExpression } from '@nestjs/schedule';
import { execFile, execFileSync, execSync, spawn, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { LeaseService } from '../cluster/lease.service';
import { MetricsService } from '../metrics/metrics.service';

const execFileAsync = promisify(execFile);

function buildRevision(): string {
  try {
    return execSync('git rev-parse --short HEAD', { encoding: 'utf8' }).trim(); // snag-ok: blocking-in-async
  } catch {
    return process.env.GIT_SHA ?? 'unknown';
  }
}

const REVISION = buildRevision();

@Injectable()
export class MaintenanceScheduler {
  private readonly logger = new Logger(MaintenanceScheduler.name);

  constructor(
    private readonly config: ConfigService,
    private readonly lease: LeaseService,
    private readonly metrics: MetricsService,
  ) {}

  @Cron(CronExpression.EVERY_DAY_AT_3AM)
  async vacuumSessions(): Promise<void> {
    if (!(await this.lease.acquire('maintenance'))) {
      return;
    }
    const result = spawnSync( // snag-expect: blocking-in-async
      'psql',
      [this.config.getOrThrow<string>('DATABASE_URL'), '-c', 'VACUUM (ANALYZE) sessions'],
      { encoding: 'utf8', timeout: 15 * 60_000 },
    );
    if (result.status !== 0) {
      this.logger.error(`vacuum failed: ${result.stderr}`);
    }
  }

  @Cron(CronExpression.EVERY_HOUR)
  async reportDiskUsage(): Promise<void> {
    const out = execSync('df --output=pcent /var/lib/app | tail -1', { encoding: 'utf8' }); // snag-expect: blocking-in-async
    this.metrics.gauge('disk_used_percent', Number.parseInt(out, 10), { revision: REVISION });
  }

  @Cron(CronExpression.EVERY_DAY_AT_4AM)
  async pruneUploads(): Promise<void> {
    const uploads = this.config.get<string>('UPLOAD_TMP_DIR', '/var/lib/app/tmp');
    execFileSync('find', [uploads, '-type', 'f', '-mtime', '+2', '-delete']); // snag-expect: blocking-in-async
    this.logger.log(`pruned stale uploads in ${uploads}`);
  }

  @Cron(CronExpression.EVERY_10_MINUTES)
  async checkCertificates(): Promise<void> {
    const host = this.config.getOrThrow<string>('PUBLIC_HOST');
    const { stdout } = await execFileAsync('openssl', ['x509', '-noout', '-enddate', '-in', `/etc/ssl/${host}.pem`]); // snag-ok: blocking-in-async
    const expires = new Date(stdout.replace('notAfter=', '').trim());
    this.metrics.gauge('tls_days_left', Math.floor((expires.getTime() - Date.now()) / 86_400_000));
  }

  @Cron(CronExpression.EVERY_DAY_AT_5AM)
  async snapshotRedis(): Promise<void> {
    await new Promise<void>((resolve, reject) => {
      const child = spawn('redis-cli', ['-u', this.config.getOrThrow<string>('REDIS_URL'), 'BGSAVE'], { stdio: 'inherit' }); // snag-ok: blocking-in-async
      child.on('error', reject);
      child.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`redis-cli exited with ${code}`))));
    });
  }

  @Cron(CronExpression.EVERY_WEEK)
  async rotateLogs(): Promise<void> {
    try {
      execSync('logrotate --force /etc/logrotate.d/api', { stdio: 'ignore' }); // snag-expect: blocking-in-async
    } catch (err) {
      this.logger.warn(`logrotate failed: ${(err as Error).message}`);
    }
  }
}
