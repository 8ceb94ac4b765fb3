#!/usr/bin/env node
// bin/csv-transform.mjs — reshape CSV exports for the finance team.
//   csv-transform.mjs --in orders.csv --where 'row.total > 100' --map 'row.total * 1.2'
//   cat mapping.js | csv-transform.mjs --in orders.csv --stdin-mapper
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { parse } from 'csv-parse/sync';
import { stringify } from 'csv-stringify/sync';

const { values } = parseArgs({
  options: {
    in: { type: 'string' },
    where: { type: 'string' },
    map: { type: 'string' },
    'stdin-mapper': { type: 'boolean', default: false },
    columns: { type: 'string', default: 'id,total,currency' },
  },
});

const KNOWN_TRANSFORMS = {
  cents: 'Math.round(row.total * 100)',
  gross: 'row.total * 1.2',
};

let rows = parse(readFileSync(values.in, 'utf8'), { columns: true, cast: true });

if (values.where) {
  const keep = new Function('row', `return (${values.where});`); // snag-expect: code-injection
  rows = rows.filter(keep);
}

if (values.map) {
  rows = rows.map((row) => ({ ...row, total: eval(values.map) })); // snag-expect: code-injection
}

if (values['stdin-mapper']) {
  const mapper = new Function('row', readFileSync(0, 'utf8')); // snag-expect: code-injection
  rows = rows.map((row) => mapper(row) ?? row);
}

const preset = process.env.CSV_TRANSFORM_PRESET;
if (preset && KNOWN_TRANSFORMS[preset]) {
  const fn = new Function('row', `return ${KNOWN_TRANSFORMS[preset]};`); // snag-ok: code-injection
  rows = rows.map((row) => ({ ...row, total: fn(row) }));
}

const extra = process.env.CSV_EXTRA_COLUMN_EXPR;
if (extra) {
  rows = rows.map((row) => ({ ...row, extra: new Function('row', 'return ' + extra)(row) })); // snag-expect: code-injection
}

const columns = values.columns.split(',');
process.stdout.write(stringify(rows, { header: true, columns }));
