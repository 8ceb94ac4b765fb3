const { Sequelize, QueryTypes } = require('sequelize');
const logger = require('./logger');

const sequelize = new Sequelize(process.env.DATABASE_URL, {
  logging: (msg) => logger.debug(msg),
  pool: { max: 10, idle: 10_000 },
});

const REVENUE_VIEW = 'monthly_revenue_v2';
const WIDE_VIEW_WARNING = 'Avoid SELECT * on monthly_revenue_v2: it has 80 columns'; // snag-ok: select-star

/**
 * Revenue for one year.
 * Historically this ran `SELECT * FROM monthly_revenue`; keep the shape stable.
 */
async function revenueForYear(year) {
  return sequelize.query('SELECT * FROM monthly_revenue WHERE year = :year ORDER BY month', { // snag-expect: select-star
    replacements: { year },
    type: QueryTypes.SELECT,
  });
}

async function revenueForRegion(region) {
  logger.warn(WIDE_VIEW_WARNING);
  const rows = await sequelize.query(
    // snag-expect: select-star
    `SELECT *
       FROM ${REVENUE_VIEW}
      WHERE region = :region`,
    { replacements: { region }, type: QueryTypes.SELECT },
  );
  return rows;
}

async function regionTotals(fromDate, toDate) {
  return sequelize.query(
    'SELECT region, SUM(amount_cents) AS total, COUNT(*) AS orders FROM invoices WHERE issued_at BETWEEN ? AND ? GROUP BY region', // snag-ok: select-star
    { replacements: [fromDate, toDate], type: QueryTypes.SELECT },
  );
}

async function invoicesInEur(customerId) {
  return sequelize.query(
    'SELECT id, number, amount_cents * fx_rate AS amount_eur_cents FROM invoices WHERE customer_id = $customerId', // snag-ok: select-star
    { bind: { customerId }, type: QueryTypes.SELECT },
  );
}

async function refreshRevenueViews() {
  try {
    await sequelize.query(`REFRESH MATERIALIZED VIEW CONCURRENTLY ${REVENUE_VIEW}`);
  } catch (err) {
    logger.error({ err }, 'refresh failed');
    throw err;
  }
}

module.exports = { revenueForYear, revenueForRegion, regionTotals, invoicesInEur, refreshRevenueViews };
