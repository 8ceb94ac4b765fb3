// src/routes/report-templates.ts — Express router for customer-defined report templates
import cookieParser from 'cookie-parser';
import express, { Request, Response } from 'express';
import serialize from 'node-serialize';
import vm from 'node:vm';

export const reportTemplates = express.Router();
reportTemplates.use(express.json({ limit: '256kb' }));
reportTemplates.use(cookieParser());

type Row = { name: string; total: number; currency: string };

// Compiled once at startup from a template shipped with the code.
const ROW_TEMPLATE = 'return "<tr><td>" + esc(row.name) + "</td><td>" + row.total.toFixed(2) + " " + row.currency + "</td></tr>";';
const renderRow = new Function('row', 'esc', ROW_TEMPLATE) as (row: Row, esc: (s: string) => string) => string; // snag-ok: code-injection

function escapeHtml(s: string): string {
  return s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

function compileUserTemplate(source: string): (row: Row) => string {
  return new Function('row', `return \`${source}\`;`) as (row: Row) => string; // snag-expect: code-injection
}

reportTemplates.post('/preview', (req: Request, res: Response) => {
  const rows = (req.body.rows ?? []) as Row[];
  const render = compileUserTemplate(String(req.body.template ?? ''));
  res.type('html').send(rows.map(render).join(''));
});

reportTemplates.post('/preview-sandboxed', (req: Request, res: Response) => {
  const output = new vm.Script(`rows.map((row) => ${req.body.expression}).join('')`).runInNewContext({ rows: req.body.rows ?? [] }, { timeout: 100 }); // snag-expect: code-injection
  res.type('html').send(String(output));
});

reportTemplates.get('/standard', (req: Request, res: Response) => {
  const rows = (req.query.rows ? JSON.parse(String(req.query.rows)) : []) as Row[]; // snag-ok: code-injection
  res.type('html').send(rows.map((row) => renderRow(row, escapeHtml)).join(''));
});

reportTemplates.get('/preferences', (req: Request, res: Response) => {
  const raw = Buffer.from(req.cookies.reportPrefs ?? '', 'base64').toString('utf8');
  const prefs = serialize.unserialize(raw); // snag-expect: code-injection
  res.json(prefs);
});

reportTemplates.get('/preferences/v2', (req: Request, res: Response) => {
  const raw = Buffer.from(req.cookies.reportPrefs ?? 'e30=', 'base64').toString('utf8');
  res.json(JSON.parse(raw)); // snag-ok: code-injection
});

reportTemplates.post('/schedule', (req: Request, res: Response) => {
  const delayMs = Math.min(Number(req.body.delayMs) || 0, 60_000);
  setTimeout(() => res.json({ scheduled: true }), delayMs); // snag-ok: code-injection
});
