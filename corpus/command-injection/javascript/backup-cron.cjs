#!/usr/bin/env node
// bin/backup-cron.cjs — nightly database backups, run from cron:
//   backup-cron.cjs [all|<database>] [retention-days]
'use strict';

const { execSync, spawnSync } = require('child_process');
const { quote } = require('shell-quote');

const [, , target = 'all', retention = '7'] = process.argv;
const BUCKET = 's3://acme-backups/db';
const DATABASES = ['orders', 'users', 'catalog'];

function dump(db) {
  const file = `/var/backups/${db}-${new Date().toISOString().slice(0, 10)}.sql.gz`;
  execSync(`pg_dump --no-owner ${db} | gzip > ${file}`, { stdio: 'inherit' }); // snag-expect: command-injection
  return file;
}

function encrypt(file) {
  const recipient = process.env.BACKUP_GPG_RECIPIENT || 'ops@acme.example';
  execSync(`gpg --batch --yes --encrypt --recipient ${quote([recipient])} ${quote([file])}`, { stdio: 'inherit' }); // snag-ok: command-injection
  return `${file}.gpg`;
}

function upload(file) {
  spawnSync('aws', ['s3', 'cp', file, `${BUCKET}/`, '--only-show-errors'], { stdio: 'inherit' }); // snag-ok: command-injection
}

function notify(message) {
  const hook = process.env.SLACK_WEBHOOK_URL;
  if (hook) {
    execSync(`curl -s -X POST -H 'Content-type: application/json' --data '{"text":"${message}"}' ${hook}`); // snag-expect: command-injection
  }
}

const days = Number.parseInt(retention, 10);
if (!Number.isInteger(days) || days < 1) {
  console.error(`retention must be a positive integer, got ${retention}`);
  process.exit(2);
}

const targets = target === 'all' ? DATABASES : [target];
for (const db of targets) {
  upload(encrypt(dump(db)));
}
execSync(`find /var/backups -name '*.sql.gz*' -mtime +${days} -delete`); // snag-ok: command-injection
execSync('sync && df -h /var/backups', { stdio: 'inherit' }); // snag-ok: command-injection
notify(`backups done: ${targets.length} database(s), kept ${days} days`);
