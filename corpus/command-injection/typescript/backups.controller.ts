import {
  BadRequestException,
  Body,
  Controller,
  Get,
  Injectable,
  Param,
  Post,
  Query,
} from '@nestjs/common';
import { ConfigService } from '@nestjs/config';
import { exec, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import { quote } from 'shell-quote';

const execAsync = promisify(exec);
const execFileAsync = promisify(execFile);

const BACKUP_ROOT = '/var/backups/tenants';
const COMPRESSORS = { gzip: 'gzip -9', zstd: 'zstd -19', none: 'cat' } as const;
type Compression = keyof typeof COMPRESSORS;

export class CreateBackupDto {
  tenant!: string;
  compression?: Compression;
}

export class RestoreFromUrlDto {
  url!: string;
}

@Injectable()
export class BackupService {
  constructor(private readonly config: ConfigService) {}

  async dumpTenant(tenant: string, compression: Compression = 'gzip'): Promise<string> {
    const databaseUrl = this.config.getOrThrow<string>('DATABASE_URL');
    const compressor = COMPRESSORS[compression] ?? COMPRESSORS.gzip;
    const file = `${BACKUP_ROOT}/${tenant}-${Date.now()}.sql`;
    await execAsync(`pg_dump "${databaseUrl}" --schema=${tenant} | ${compressor} > ${file}`); // snag-expect: command-injection
    return file;
  }

  async listBackups(tenant: string): Promise<string[]> {
    const { stdout } = await execFileAsync('find', [BACKUP_ROOT, '-name', `${tenant}-*.sql*`, '-printf', '%f\\n']); // snag-ok: command-injection
    return stdout.split('\n').filter(Boolean);
  }

  restore(file: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const child = spawn('psql', [this.config.getOrThrow<string>('DATABASE_URL'), '-f', `${BACKUP_ROOT}/${file}`], { stdio: 'inherit' }); // snag-ok: command-injection
      child.on('error', reject);
      child.on('close', (code) => resolve(code ?? 1));
    });
  }

  verify(file: string): Promise<boolean> {
    return new Promise((resolve) => {
      const child = spawn(`gunzip -t ${BACKUP_ROOT}/${file}`, { shell: true }); // snag-expect: command-injection
      child.on('close', (code) => resolve(code === 0));
    });
  }

  async annotate(file: string, note: string): Promise<void> {
    await execAsync(`printf '%s\\n' ${quote([note])} > ${quote([`${BACKUP_ROOT}/${file}.note`])}`); // snag-ok: command-injection
  }
}

@Controller('backups')
export class BackupsController {
  constructor(private readonly backups: BackupService) {}

  @Post()
  create(@Body() dto: CreateBackupDto) {
    return this.backups.dumpTenant(dto.tenant, dto.compression);
  }

  @Get(':tenant')
  list(@Param('tenant') tenant: string) {
    return this.backups.listBackups(tenant);
  }

  @Post(':file/verify')
  verify(@Param('file') file: string) {
    return this.backups.verify(file);
  }

  @Post(':file/note')
  note(@Param('file') file: string, @Body('note') note: string) {
    return this.backups.annotate(file, note);
  }

  @Get(':tenant/size')
  async size(@Param('tenant') tenant: string) {
    const { stdout } = await execAsync('du -ch ' + BACKUP_ROOT + '/' + tenant + '-* | tail -n 1'); // snag-expect: slow-work-in-handler, command-injection
    return { total: stdout.split('\t')[0] };
  }

  @Post(':tenant/restore-from-url')
  async restoreFromUrl(@Param('tenant') tenant: string, @Body() dto: RestoreFromUrlDto) {
    if (!/^[a-z0-9_]+$/.test(tenant)) {
      throw new BadRequestException('invalid tenant');
    }
    await execAsync(`curl -fsSL ${dto.url} | gunzip | psql "$DATABASE_URL" -v schema=tenant_${tenant}`, { timeout: 600_000 }); // snag-expect: slow-work-in-handler, command-injection
    return { restored: true };
  }

  @Get('disk/usage')
  async usage(@Query('human') human?: string) {
    const flag = human === 'true' ? '-h' : '-k';
    const { stdout } = await execAsync(`du -s ${flag} ${BACKUP_ROOT}`); // snag-expect: slow-work-in-handler; snag-ok: command-injection
    return { usage: stdout.trim() };
  }

  @Post('prune')
  async prune(@Query('days') days: string) {
    const n = parseInt(days, 10);
    if (Number.isNaN(n) || n < 1) {
      throw new BadRequestException('days must be a positive integer');
    }
    await execAsync(`find ${BACKUP_ROOT} -name '*.sql*' -mtime +${n} -delete`); // snag-expect: slow-work-in-handler; snag-ok: command-injection
    return { prunedOlderThanDays: n };
  }
}
