#!/usr/bin/env node
// notes: a tiny local notes tool backed by SQLite.
//   notes add "text" [--tag t]   notes find WORD   notes tag TAG   notes prune DAYS

import Database from 'better-sqlite3';
import { homedir } from 'node:os';
import { join } from 'node:path';

const db = new Database(process.env.NOTES_DB ?? join(homedir(), '.notes.sqlite'));
db.exec('CREATE TABLE IF NOT EXISTS notes (id INTEGER PRIMARY KEY, body TEXT NOT NULL, tag TEXT, created_at TEXT DEFAULT CURRENT_TIMESTAMP)');

const [command, ...rest] = process.argv.slice(2);

function find(word) {
  let sql = 'SELECT id, body, tag, created_at FROM notes';
  sql += " WHERE body LIKE '%" + word + "%'";
  sql += ' ORDER BY created_at DESC';
  return db.prepare(sql).all(); // snag-expect: sql-injection
}

function byTag(tag) {
  return db.prepare('SELECT id, body, created_at FROM notes WHERE tag = ? ORDER BY created_at DESC').all(tag); // snag-ok: sql-injection
}

switch (command) {
  case 'add': {
    const body = rest[0];
    const tagIndex = rest.indexOf('--tag');
    const tag = tagIndex >= 0 ? rest[tagIndex + 1] : null;
    const info = db.prepare('INSERT INTO notes (body, tag) VALUES (@body, @tag)').run({ body, tag }); // snag-ok: sql-injection
    console.log(`added note ${info.lastInsertRowid}`);
    break;
  }
  case 'find':
    console.table(find(rest.join(' ')));
    break;
  case 'tag':
    console.table(byTag(rest[0]));
    break;
  case 'prune': {
    const days = Number.parseInt(rest[0] ?? '30', 10);
    const removed = db.prepare(`DELETE FROM notes WHERE created_at < datetime('now', '-${days} days')`).run().changes; // snag-ok: sql-injection
    console.log(`pruned ${removed} notes`);
    break;
  }
  case 'retag': {
    const [from, to] = rest;
    const statement = `UPDATE notes SET tag = '${to}' WHERE tag = '${from}'`;
    console.log(`${db.prepare(statement).run().changes} notes retagged`); // snag-expect: sql-injection
    break;
  }
  default:
    console.error('usage: notes add|find|tag|prune|retag ...');
    process.exitCode = 2;
}
