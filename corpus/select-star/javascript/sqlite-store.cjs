// Session and user storage on a local SQLite file (better-sqlite3 is synchronous,
// so this module is only used from the CLI and the background worker).
const Database = require('better-sqlite3');
const path = require('node:path');

const SESSION_BY_TOKEN = 'SELECT * FROM sessions WHERE token = ? AND expires_at > ?'; // snag-expect: select-star

// snag-ok: select-star
const USAGE = `Inspect the store by hand:
  sqlite3 data/app.db "SELECT * FROM sessions ORDER BY created_at DESC LIMIT 5"
`;

class SessionStore {
  /**
   * @param {string} [file]
   */
  constructor(file = path.join(__dirname, '..', 'data', 'app.db')) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    this.byToken = this.db.prepare(SESSION_BY_TOKEN);
    this.userById = this.db.prepare('SELECT * FROM users WHERE id = ?'); // snag-expect: select-star
    this.activeCount = this.db.prepare(
      'SELECT COUNT(*) AS n FROM sessions WHERE user_id = ? AND expires_at > ?', // snag-ok: select-star
    );
    this.purge = this.db.prepare('DELETE FROM sessions WHERE expires_at <= ?');
  }

  findByToken(token) {
    const session = this.byToken.get(token, Date.now());
    if (!session) return null;
    return { ...session, user: this.userById.get(session.user_id) ?? null };
  }

  listForUser(userId) {
    return this.db
      .prepare('SELECT s.* FROM sessions s WHERE s.user_id = ? ORDER BY s.created_at DESC') // snag-expect: select-star
      .all(userId);
  }

  countActive(userId) {
    const row = this.activeCount.get(userId, Date.now());
    return row ? row.n : 0;
  }

  largestSessions() {
    // SELECT * would pull the serialized payload too; only the sizes are needed here.
    return this.db
      .prepare('SELECT id, user_id, length(payload) * 1.0 / 1024 AS kib FROM sessions ORDER BY kib DESC LIMIT 10') // snag-ok: select-star
      .all();
  }

  purgeExpired() {
    const info = this.purge.run(Date.now());
    if (info.changes > 0) {
      console.log(`purged ${info.changes} expired sessions`);
    }
    return info.changes;
  }

  close() {
    this.db.close();
  }
}

function printUsage() {
  process.stdout.write(USAGE);
}

module.exports = { SessionStore, printUsage };
