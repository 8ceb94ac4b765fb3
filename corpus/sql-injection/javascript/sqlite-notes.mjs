// Local-first notes store used by the desktop app's main process.
// better-sqlite3 is synchronous by design; every method here is sync.
import Database from 'better-sqlite3';

const NOTES_TABLE = 'notes';
const NOTE_COLUMNS = 'id, folder, title, updated_at';

export class NotesStore {
  constructor(file) {
    this.db = new Database(file);
    this.db.pragma('journal_mode = WAL');
    // snag-ok: sql-injection
    this.db.exec(`CREATE TABLE IF NOT EXISTS ${NOTES_TABLE} (
      id INTEGER PRIMARY KEY,
      folder TEXT NOT NULL,
      title TEXT NOT NULL,
      body TEXT NOT NULL DEFAULT '',
      updated_at INTEGER NOT NULL
    )`);
  }

  searchTitles(term) {
    return this.db.prepare(`SELECT ${NOTE_COLUMNS} FROM notes WHERE title LIKE '%${term}%' ORDER BY updated_at DESC`).all(); // snag-expect: sql-injection
  }

  searchTitlesSafe(term) {
    return this.db.prepare(`SELECT ${NOTE_COLUMNS} FROM notes WHERE title LIKE ? ORDER BY updated_at DESC`).all(`%${term}%`); // snag-ok: sql-injection
  }

  getMany(ids) {
    if (ids.length === 0) return [];
    const placeholders = ids.map(() => '?').join(', ');
    return this.db.prepare(`SELECT ${NOTE_COLUMNS} FROM ${NOTES_TABLE} WHERE id IN (${placeholders})`).all(...ids); // snag-ok: sql-injection
  }

  setField(id, column, value) {
    const info = this.db.prepare('UPDATE notes SET ' + column + ' = ?, updated_at = ? WHERE id = ?').run(value, Date.now(), id); // snag-expect: sql-injection
    if (info.changes === 0) {
      throw new Error(`note ${id} does not exist`);
    }
  }

  deleteFolder(folder) {
    this.db.exec(`DELETE FROM notes WHERE folder = '${folder}'`); // snag-expect: sql-injection
  }

  recent(limit) {
    return this.db.prepare(`SELECT ${NOTE_COLUMNS} FROM ${NOTES_TABLE} ORDER BY updated_at DESC LIMIT ${parseInt(limit, 10)}`).all(); // snag-ok: sql-injection
  }

  inFolders(folders) {
    let sql = `SELECT ${NOTE_COLUMNS} FROM notes WHERE folder IN (`;
    for (let i = 0; i < folders.length; i++) {
      if (i > 0) sql += ', ';
      sql += `'${folders[i]}'`;
    }
    sql += ')';
    return this.db.prepare(sql).all(); // snag-expect: sql-injection
  }

  close() {
    this.db.close();
  }
}
