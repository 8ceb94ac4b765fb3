'use strict';

// Loyalty points: balances, leaderboards and adjustments (Fastify + Sequelize on Postgres).

const { QueryTypes, Sequelize } = require('sequelize');

const sequelize = new Sequelize(process.env.DATABASE_URL, { logging: false });

const { Member } = require('./models')(sequelize);

const TIERS = Object.freeze({ bronze: 0, silver: 1000, gold: 5000, platinum: 20000 });

function balanceQuery(memberId) {
  return `SELECT member_id, sum(points) AS balance FROM loyalty_ledger WHERE member_id = '${memberId}' GROUP BY member_id`;
}

function tierFloor(tier) {
  return TIERS[tier] ?? 0;
}

async function adjust(memberId, points, reason) {
  return sequelize.query( // snag-ok: sql-injection
    'INSERT INTO loyalty_ledger (member_id, points, reason, created_at) VALUES (:memberId, :points, :reason, now())',
    { replacements: { memberId, points, reason }, type: QueryTypes.INSERT },
  );
}

async function routes(fastify) {
  fastify.get('/members/:id/balance', async (request) => {
    const sql = balanceQuery(request.params.id);
    const [row] = await sequelize.query(sql, { type: QueryTypes.SELECT }); // snag-expect: sql-injection
    return row ?? { member_id: request.params.id, balance: 0 };
  });

  fastify.get('/leaderboard', async (request) => {
    const floor = tierFloor(request.query.tier);
    const size = Math.min(parseInt(request.query.size, 10) || 10, 100);
    return sequelize.query( // snag-ok: sql-injection
      `SELECT member_id, sum(points) AS total FROM loyalty_ledger GROUP BY member_id HAVING sum(points) >= ${floor} ORDER BY total DESC LIMIT ${size}`,
      { type: QueryTypes.SELECT },
    );
  });

  fastify.get('/leaderboard/city', async (request) => {
    let city = request.query.city || 'all';
    let filter = '';
    if (city !== 'all') {
      city = city.replace(/"/g, '');
      filter = `WHERE m.city = '${city}'`;
    }
    return sequelize.query( // snag-expect: sql-injection
      `SELECT l.member_id, sum(l.points) AS total FROM loyalty_ledger l JOIN members m ON m.id = l.member_id ${filter} GROUP BY l.member_id ORDER BY total DESC LIMIT 20`,
      { type: QueryTypes.SELECT },
    );
  });

  fastify.post('/members/:id/adjust', async (request, reply) => {
    const { points, reason } = request.body;
    await adjust(request.params.id, Number(points), String(reason));
    reply.code(201);
    return { ok: true };
  });

  fastify.get('/members/search', async (request) => {
    const term = request.query.q;
    const members = await Member.findAll({
      where: sequelize.literal(`lower(display_name) LIKE lower('%${term}%')`), // snag-expect: sql-injection
      limit: 25,
    });
    return members;
  });

  fastify.get('/members/by-tier', async (request) => {
    const tier = request.query.tier;
    return Member.findAll({
      where: sequelize.where(sequelize.col('tier'), tier), // snag-ok: sql-injection
      order: [['display_name', 'ASC']],
    });
  });

  fastify.get('/members/export', async (request) => {
    const fields = ['id', 'email', 'display_name', 'tier'];
    const requested = String(request.query.fields || '').split(',');
    const columns = fields.filter((f) => requested.includes(f));
    const list = (columns.length ? columns : fields).join(', ');
    return sequelize.query(`SELECT ${list} FROM members ORDER BY id`, { type: QueryTypes.SELECT }); // snag-ok: sql-injection
  });

  fastify.get('/members/export/raw', async (request) => {
    const list = String(request.query.fields || 'id, email');
    const statement = ['SELECT', list, 'FROM members ORDER BY id'].join(' ');
    return sequelize.query(statement, { type: QueryTypes.SELECT }); // snag-expect: sql-injection
  });
}

module.exports = routes;
