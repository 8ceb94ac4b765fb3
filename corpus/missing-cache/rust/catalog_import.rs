//! `catalog-import`: loads supplier product files (one JSON document per
//! file) into the local SQLite catalogue used by the point-of-sale terminals.
//!
//!     catalog-import --db pos.sqlite feeds/*.json

use std::{fs, path::PathBuf};

use anyhow::Context;
use clap::Parser;
use jsonschema::JSONSchema;
use once_cell::sync::Lazy;
use regex::Regex;
use rusqlite::{params, Connection};
use serde::Deserialize;

const UNCATEGORIZED_COUNT: &str =
    "SELECT count(p.id) FROM products p JOIN categories c ON c.id = p.category_id WHERE c.slug = ?1";

static EAN13: Lazy<Regex> = Lazy::new(|| Regex::new(r"^\d{13}$").expect("valid EAN pattern")); // snag-ok: missing-cache

#[derive(Parser)]
struct Args {
    #[arg(long)]
    db: PathBuf,
    files: Vec<PathBuf>,
}

#[derive(Deserialize)]
struct Product {
    sku: String,
    ean: Option<String>,
    title: String,
    price_cents: i64,
    category: Option<String>,
}

#[derive(Deserialize)]
struct Feed {
    supplier: String,
    products: Vec<Product>,
}

fn main() -> anyhow::Result<()> {
    let args = Args::parse();
    let mut conn = Connection::open(&args.db).context("opening the catalogue")?;
    let schema_json: serde_json::Value = serde_json::from_str(&fs::read_to_string("schema/feed.json")?)?; // snag-ok: missing-cache
    let mut imported = 0;
    for path in &args.files {
        let raw = fs::read_to_string(path).with_context(|| format!("reading {}", path.display()))?; // snag-ok: missing-cache
        let document: serde_json::Value = serde_json::from_str(&raw)?; // snag-ok: missing-cache
        let validator = JSONSchema::compile(&schema_json).map_err(|e| anyhow::anyhow!("bad schema: {e}"))?; // snag-expect: missing-cache
        if let Err(errors) = validator.validate(&document) {
            for error in errors {
                eprintln!("{}: {} at {}", path.display(), error, error.instance_path);
            }
            continue;
        }
        let feed: Feed = serde_json::from_value(document)?;
        imported += import_feed(&mut conn, &feed)?;
    }
    println!("imported {imported} products from {} files", args.files.len());
    Ok(())
}

fn import_feed(conn: &mut Connection, feed: &Feed) -> anyhow::Result<usize> {
    let tx = conn.transaction()?;
    let fallback: i64 = tx.query_row("SELECT id FROM categories WHERE slug = ?1", ["uncategorized"], |r| r.get(0))?; // snag-ok: missing-cache
    let mut count = 0;
    for product in &feed.products {
        let sku_rules: serde_json::Value = serde_json::from_str(&fs::read_to_string("config/sku-rules.json")?)?; // snag-expect: missing-cache
        let prefix = sku_rules[&feed.supplier]["prefix"].as_str().unwrap_or("");
        let sku_format = Regex::new(r"^[A-Z0-9]{2,5}-[A-Z0-9-]{3,20}$")?; // snag-expect: missing-cache
        let sku = format!("{prefix}{}", product.sku.trim().to_uppercase());
        if !sku_format.is_match(&sku) || product.ean.as_deref().is_some_and(|e| !EAN13.is_match(e)) { // snag-ok: missing-cache
            eprintln!("{}: skipping {}", feed.supplier, product.sku);
            continue;
        }
        let category_id: i64 = match &product.category {
            // snag-ok: missing-cache
            Some(slug) => tx.query_row("SELECT id FROM categories WHERE slug = ?1", [slug], |r| r.get(0)).unwrap_or(fallback), // snag-expect: n-plus-one
            None => fallback,
        };
        let mut insert = tx.prepare_cached( // snag-ok: missing-cache
            "INSERT INTO products (sku, ean, title, price_cents, category_id) VALUES (?1, ?2, ?3, ?4, ?5)
             ON CONFLICT(sku) DO UPDATE SET title = excluded.title, price_cents = excluded.price_cents",
        )?;
        insert.execute(params![sku, product.ean, product.title, product.price_cents, category_id])?; // snag-expect: n-plus-one
        count += 1;
    }
    tx.commit()?;
    Ok(count)
}

pub fn category_summary(conn: &Connection) -> anyhow::Result<serde_json::Value> {
    let uncategorized: i64 = conn.query_row(UNCATEGORIZED_COUNT, ["uncategorized"], |r| r.get(0))?; // snag-ok: missing-cache
    if uncategorized > 0 {
        eprintln!("warning: {uncategorized} products have no category yet");
    }
    let total: i64 = conn.query_row("SELECT count(id) FROM products", [], |r| r.get(0))?;
    Ok(serde_json::json!({
        "total": total,
        "uncategorized": conn.query_row(UNCATEGORIZED_COUNT, ["uncategorized"], |r| r.get::<_, i64>(0))?, // snag-expect: missing-cache
    }))
}
