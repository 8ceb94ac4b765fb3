const { Sequelize, DataTypes, Op } = require('sequelize');
const logger = require('./logger');

const sequelize = new Sequelize(process.env.DATABASE_URL, {
  logging: false,
  pool: { max: 10, idle: 10_000 },
});

const Account = sequelize.define('Account', {
  name: DataTypes.STRING,
  billingEmail: DataTypes.STRING,
});

const Subscription = sequelize.define('Subscription', {
  accountId: DataTypes.INTEGER,
  planId: DataTypes.STRING,
  priceCents: DataTypes.INTEGER,
  status: DataTypes.STRING,
});

const UsageRecord = sequelize.define('UsageRecord', {
  subscriptionId: DataTypes.INTEGER,
  units: DataTypes.INTEGER,
  recordedAt: DataTypes.DATE,
});

const Invoice = sequelize.define('Invoice', {
  accountId: DataTypes.INTEGER,
  subscriptionId: DataTypes.INTEGER,
  amountCents: DataTypes.INTEGER,
  status: { type: DataTypes.STRING, defaultValue: 'open' },
  periodStart: DataTypes.DATE,
  periodEnd: DataTypes.DATE,
  dueAt: DataTypes.DATE,
  paidAt: DataTypes.DATE,
});

const UNIT_PRICE_CENTS = 2;
const USAGE_CHUNK = 1000;

async function generateInvoices(periodStart, periodEnd) {
  const subs = await Subscription.findAll({ // snag-ok: n-plus-one
    where: { status: 'active' },
    attributes: ['id', 'accountId', 'priceCents'],
  });
  for (const sub of subs) {
    const units = await UsageRecord.sum('units', { // snag-expect: n-plus-one
      where: { subscriptionId: sub.id, recordedAt: { [Op.between]: [periodStart, periodEnd] } },
    });
    await Invoice.create({ // snag-expect: n-plus-one
      accountId: sub.accountId,
      subscriptionId: sub.id,
      amountCents: sub.priceCents + (units || 0) * UNIT_PRICE_CENTS,
      periodStart,
      periodEnd,
    });
  }
  logger.info(`generated ${subs.length} invoices`);
}

async function usageTotals(subscriptionIds, from, to) {
  const rows = await UsageRecord.findAll({ // snag-ok: n-plus-one
    attributes: ['subscriptionId', [sequelize.fn('SUM', sequelize.col('units')), 'units']],
    where: { subscriptionId: { [Op.in]: subscriptionIds }, recordedAt: { [Op.between]: [from, to] } },
    group: ['subscriptionId'],
    raw: true,
  });
  return new Map(rows.map((r) => [r.subscriptionId, Number(r.units)])); // snag-ok: n-plus-one
}

async function importUsage(records) {
  const rows = records.map((r) => ({ // snag-ok: n-plus-one
    subscriptionId: Number(r.subscription_id),
    units: Number(r.units),
    recordedAt: new Date(r.ts),
  }));
  const chunks = [];
  for (let i = 0; i < rows.length; i += USAGE_CHUNK) chunks.push(rows.slice(i, i + USAGE_CHUNK));
  await Promise.all(chunks.map((chunk) => UsageRecord.bulkCreate(chunk, { ignoreDuplicates: true }))); // snag-ok: n-plus-one
  return rows.length;
}

async function accountsForInvoices(invoices) {
  const out = [];
  for (let i = 0; i < invoices.length; i++) {
    const account = await Account.findByPk(invoices[i].accountId, { attributes: ['id', 'name', 'billingEmail'] }); // snag-expect: n-plus-one
    out.push({ invoice: invoices[i], account });
  }
  return out;
}

async function markOverdue(now = new Date()) {
  const overdue = await Invoice.findAll({ where: { status: 'open', dueAt: { [Op.lt]: now } } });
  for (const invoice of overdue) {
    invoice.status = 'overdue';
    await invoice.save(); // snag-expect: n-plus-one
  }
  return overdue.length;
}

async function voidInvoices(ids) {
  const [count] = await Invoice.update({ status: 'void' }, { where: { id: { [Op.in]: ids }, status: 'open' } }); // snag-ok: n-plus-one
  return count;
}

async function applyPayments(queue) {
  let applied = 0;
  while (queue.length > 0) {
    const payment = queue.shift();
    await Invoice.update({ status: 'paid', paidAt: payment.paidAt }, { where: { id: payment.invoiceId } }); // snag-expect: n-plus-one
    applied++;
  }
  return applied;
}

function voidInvoice(id) {
  return Invoice.findByPk(id).then((invoice) => invoice && invoice.update({ status: 'void' })); // snag-ok: n-plus-one
}

async function statusSummary(accountId) {
  const [open, paid, overdue] = await Promise.all(
    ['open', 'paid', 'overdue'].map((status) => Invoice.count({ where: { accountId, status } })), // snag-ok: n-plus-one
  );
  return { open, paid, overdue };
}

module.exports = {
  generateInvoices,
  usageTotals,
  importUsage,
  accountsForInvoices,
  markOverdue,
  voidInvoices,
  applyPayments,
  voidInvoice,
  statusSummary,
};
