const { Sequelize, QueryTypes } = require('sequelize');

const sequelize = new Sequelize(process.env.DATABASE_URL, {
  dialect: 'postgres',
  logging: false,
  pool: { max: 5 },
});

const REPORT_TABLE = 'invoice_rollups';
const DEFAULT_REGION = 'eu-west';

class ReportError extends Error {}

async function revenueByRegion(region) {
  return sequelize.query(`SELECT region, SUM(amount_cents) AS total FROM invoices WHERE region = '${region}' GROUP BY region`, { type: QueryTypes.SELECT }); // snag-expect: sql-injection
}

async function revenueByRegionSafe(region = DEFAULT_REGION) {
  return sequelize.query('SELECT region, SUM(amount_cents) AS total FROM invoices WHERE region = :region GROUP BY region', { // snag-ok: sql-injection
    replacements: { region },
    type: QueryTypes.SELECT,
  });
}

async function customerSeries(customerId, groupBy) {
  let sql;
  if (groupBy === 'month') {
    sql = `SELECT date_trunc('month', issued_at) AS bucket, SUM(amount_cents) AS total FROM invoices WHERE customer_id = ${customerId} GROUP BY 1 ORDER BY 1`;
  } else if (groupBy === 'week') {
    sql = `SELECT date_trunc('week', issued_at) AS bucket, SUM(amount_cents) AS total FROM invoices WHERE customer_id = ${customerId} GROUP BY 1 ORDER BY 1`;
  } else {
    throw new ReportError(`unsupported grouping ${groupBy}`);
  }
  return sequelize.query(sql, { type: QueryTypes.SELECT }); // snag-expect: sql-injection
}

async function rollupForYear(year) {
  return sequelize.query( // snag-ok: sql-injection
    `SELECT month, total_cents FROM ${REPORT_TABLE} WHERE year = ${parseInt(year, 10)} ORDER BY month`,
    { type: QueryTypes.SELECT },
  );
}

async function topCustomers(limit, minTotal) {
  return sequelize.query( // snag-ok: sql-injection
    `SELECT customer_id, SUM(amount_cents) AS total FROM invoices GROUP BY customer_id HAVING SUM(amount_cents) >= ${parseFloat(minTotal)} ORDER BY total DESC LIMIT ${Number(limit)}`,
    { type: QueryTypes.SELECT },
  );
}

async function searchInvoices(filters) {
  let where = 'WHERE 1 = 1';
  if (filters.status) where += ` AND status = '${filters.status}'`;
  if (filters.number) where += ` AND number LIKE '${filters.number}%'`;
  const rows = await sequelize.query('SELECT id, number, status, amount_cents FROM invoices ' + where + ' ORDER BY issued_at DESC LIMIT 200', { // snag-expect: sql-injection
    type: QueryTypes.SELECT,
  });
  return rows;
}

async function invoicesForCustomer(customerId) {
  return sequelize.query('SELECT id, number, amount_cents FROM invoices WHERE customer_id = $1 ORDER BY issued_at DESC', { // snag-ok: sql-injection
    bind: [customerId],
    type: QueryTypes.SELECT,
  });
}

module.exports = {
  revenueByRegion,
  revenueByRegionSafe,
  customerSeries,
  rollupForYear,
  topCustomers,
  searchInvoices,
  invoicesForCustomer,
};
