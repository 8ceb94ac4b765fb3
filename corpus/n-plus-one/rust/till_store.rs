//! Local SQLite store of the point-of-sale terminal (rusqlite).
//!
//! The till keeps working when the network is down; this store holds the
//! catalogue snapshot, stock counts and the sales waiting to be uploaded.

use std::collections::HashMap;
use std::rc::Rc;

use rusqlite::types::Value;
use rusqlite::{params, Connection, OptionalExtension, Result};

#[derive(Debug, Clone)]
pub struct Product {
    pub sku: String,
    pub name: String,
    pub price_cents: i64,
}

#[derive(Debug, Clone)]
pub struct SaleLine {
    pub sku: String,
    pub quantity: i64,
}

pub struct TillStore {
    conn: Connection,
}

fn product_from_row(row: &rusqlite::Row<'_>) -> Result<Product> {
    Ok(Product {
        sku: row.get(0)?,
        name: row.get(1)?,
        price_cents: row.get(2)?,
    })
}

impl TillStore {
    pub fn open(path: &str) -> Result<Self> {
        let conn = Connection::open(path)?;
        conn.pragma_update(None, "journal_mode", "WAL")?;
        rusqlite::vtab::array::load_module(&conn)?;
        Ok(Self { conn })
    }

    /// Total of a basket in cents.
    pub fn basket_total(&self, lines: &[SaleLine]) -> Result<i64> {
        let mut total = 0;
        for line in lines {
            let price: i64 = self.conn.query_row("SELECT price_cents FROM products WHERE sku = ?1", params![line.sku], |r| r.get(0))?; // snag-expect: n-plus-one
            total += price * line.quantity;
        }
        Ok(total)
    }

    pub fn basket_total_batched(&self, lines: &[SaleLine]) -> Result<i64> {
        let skus: Rc<Vec<Value>> = Rc::new(lines.iter().map(|l| Value::from(l.sku.clone())).collect()); // snag-ok: n-plus-one
        let mut stmt = self.conn.prepare("SELECT sku, price_cents FROM products WHERE sku IN rarray(?1)")?;
        let prices: HashMap<String, i64> = stmt // snag-ok: n-plus-one
            .query_map([skus], |r| Ok((r.get(0)?, r.get(1)?)))? // snag-ok: n-plus-one
            .collect::<Result<_>>()?;
        Ok(lines.iter().map(|l| prices.get(&l.sku).copied().unwrap_or(0) * l.quantity).sum()) // snag-ok: n-plus-one
    }

    pub fn products(&self, skus: &[String]) -> Result<Vec<Option<Product>>> {
        skus.iter()
            .map(|sku| {
                self.conn // snag-expect: n-plus-one
                    .query_row("SELECT sku, name, price_cents FROM products WHERE sku = ?1", [sku], product_from_row)
                    .optional()
            })
            .collect()
    }

    /// What the customer display shows while the first item is being scanned.
    pub fn first_item_preview(&self, skus: &[String]) -> Result<Option<Product>> {
        skus.first()
            .map(|sku| self.conn.query_row("SELECT sku, name, price_cents FROM products WHERE sku = ?1", [sku], product_from_row)) // snag-ok: n-plus-one
            .transpose()
    }

    pub fn search(&self, prefix: &str) -> Result<Vec<Product>> {
        let mut stmt = self
            .conn
            .prepare_cached("SELECT sku, name, price_cents FROM products WHERE name LIKE ?1 || '%' ORDER BY name LIMIT 20")?;
        let mut out = Vec::new();
        for product in stmt.query_map([prefix], product_from_row)? { // snag-ok: n-plus-one
            out.push(product?);
        }
        Ok(out)
    }

    pub fn low_stock(&self, skus: &[String], threshold: i64) -> Result<Vec<String>> {
        let mut stmt = self.conn.prepare_cached("SELECT on_hand FROM stock WHERE sku = ?1")?;
        let mut low = Vec::new();
        for sku in skus {
            let on_hand: i64 = stmt.query_row([sku], |r| r.get(0))?; // snag-expect: n-plus-one
            if on_hand < threshold {
                low.push(sku.clone());
            }
        }
        Ok(low)
    }

    pub fn restock(&self, deliveries: &[(String, i64)]) -> Result<()> {
        deliveries.iter().try_for_each(|(sku, qty)| {
            self.conn.execute("UPDATE stock SET on_hand = on_hand + ?1 WHERE sku = ?2", params![qty, sku]).map(|_| ()) // snag-expect: n-plus-one
        })
    }

    pub fn discontinue(&self, skus: &[String]) -> Result<usize> {
        let list: Rc<Vec<Value>> = Rc::new(skus.iter().cloned().map(Value::from).collect()); // snag-ok: n-plus-one
        self.conn.execute("UPDATE products SET discontinued = 1 WHERE sku IN rarray(?1)", [list]) // snag-ok: n-plus-one
    }

    pub fn mark_uploaded(&self, sale_ids: &[i64]) -> Result<()> {
        for sale_id in sale_ids {
            self.conn.execute("UPDATE sales SET uploaded_at = datetime('now') WHERE id = ?1", [sale_id])?; // snag-expect: n-plus-one
        }
        Ok(())
    }

    pub fn pending_counts(&self) -> Result<Vec<(&'static str, i64)>> {
        let mut counts = Vec::new();
        for state in ["pending", "failed"] {
            let n: i64 = self.conn.query_row("SELECT count(id) FROM sales WHERE upload_state = ?1", [state], |r| r.get(0))?; // snag-ok: n-plus-one
            counts.push((state, n));
        }
        Ok(counts)
    }

    pub fn receipt_text(&self, lines: &[SaleLine], catalogue: &HashMap<String, Product>) -> String {
        lines
            .iter()
            .filter_map(|l| catalogue.get(&l.sku).map(|p| (l, p))) // snag-ok: n-plus-one
            .map(|(l, p)| format!("{:<24}{:>3} x {:>8.2}", p.name, l.quantity, p.price_cents as f64 / 100.0)) // snag-ok: n-plus-one
            .collect::<Vec<_>>()
            .join("\n")
    }
}
