//! Catalogue admin endpoints (actix-web + sqlx on MySQL).
//!
//! Imports come from the merchandising spreadsheet export; after an import the
//! search index is refreshed through its HTTP bulk API.

use std::collections::HashMap;

use actix_web::{get, post, web, HttpResponse, Responder};
use futures::TryStreamExt;
use serde::{Deserialize, Serialize};
use sqlx::{FromRow, MySql, MySqlPool, QueryBuilder};

#[derive(Debug, Deserialize, Serialize, FromRow)]
pub struct ProductRow {
    pub sku: String,
    pub name: String,
    pub price_cents: i64,
}

#[derive(Debug, Deserialize)]
pub struct DetailQuery {
    pub category_id: Option<i64>,
}

#[derive(Debug, Deserialize)]
pub struct IdList {
    pub ids: Vec<i64>,
}

pub struct SearchIndex {
    pub http: reqwest::Client,
    pub base: String,
}

#[derive(Debug, thiserror::Error)]
pub enum AdminError {
    #[error(transparent)]
    Db(#[from] sqlx::Error),
    #[error(transparent)]
    Search(#[from] reqwest::Error),
}

impl actix_web::ResponseError for AdminError {}

const UPSERT_PRODUCT: &str = "INSERT INTO products (sku, name, price_cents) VALUES (?, ?, ?)
     ON DUPLICATE KEY UPDATE name = VALUES(name), price_cents = VALUES(price_cents)";

#[post("/admin/products/import")]
async fn import_products(pool: web::Data<MySqlPool>, rows: web::Json<Vec<ProductRow>>) -> Result<impl Responder, AdminError> {
    let mut tx = pool.begin().await?;
    for row in rows.iter() {
        sqlx::query(UPSERT_PRODUCT) // snag-expect: n-plus-one
            .bind(&row.sku)
            .bind(&row.name)
            .bind(row.price_cents)
            .execute(&mut *tx)
            .await?;
    }
    tx.commit().await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "imported": rows.len() })))
}

#[post("/admin/products/import/v2")]
async fn import_products_batched(pool: web::Data<MySqlPool>, rows: web::Json<Vec<ProductRow>>) -> Result<impl Responder, AdminError> {
    let mut tx = pool.begin().await?;
    for chunk in rows.chunks(1000) {
        let mut qb: QueryBuilder<MySql> = QueryBuilder::new("INSERT INTO products (sku, name, price_cents) ");
        qb.push_values(chunk, |mut b, row| { // snag-ok: n-plus-one
            b.push_bind(&row.sku).push_bind(&row.name).push_bind(row.price_cents);
        });
        qb.push(" ON DUPLICATE KEY UPDATE name = VALUES(name), price_cents = VALUES(price_cents)");
        qb.build().execute(&mut *tx).await?; // snag-ok: n-plus-one
    }
    tx.commit().await?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "imported": rows.len() })))
}

#[get("/admin/products/{sku}")]
async fn product_detail(
    pool: web::Data<MySqlPool>,
    sku: web::Path<String>,
    query: web::Query<DetailQuery>,
) -> Result<impl Responder, AdminError> {
    let product = sqlx::query_as::<_, ProductRow>("SELECT sku, name, price_cents FROM products WHERE sku = ?")
        .bind(sku.as_str())
        .fetch_one(pool.get_ref())
        .await?;
    let category = query.category_id.map(|cid| sqlx::query_scalar::<_, String>("SELECT name FROM categories WHERE id = ?").bind(cid).fetch_one(pool.get_ref())); // snag-ok: n-plus-one
    let category = match category {
        Some(fut) => Some(fut.await?),
        None => None,
    };
    Ok(HttpResponse::Ok().json(serde_json::json!({ "product": product, "category": category })))
}

#[post("/admin/products/tags")]
async fn tags_for(pool: web::Data<MySqlPool>, body: web::Json<IdList>) -> Result<impl Responder, AdminError> {
    let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
    for product_id in &body.ids {
        let names: Vec<String> = sqlx::query_scalar("SELECT tag FROM product_tags WHERE product_id = ? ORDER BY tag") // snag-expect: n-plus-one
            .bind(product_id)
            .fetch_all(pool.get_ref())
            .await?;
        tags.insert(*product_id, names);
    }
    Ok(HttpResponse::Ok().json(tags))
}

#[post("/admin/products/tags/v2")]
async fn tags_for_batched(pool: web::Data<MySqlPool>, body: web::Json<IdList>) -> Result<impl Responder, AdminError> {
    if body.ids.is_empty() {
        return Ok(HttpResponse::Ok().json(HashMap::<i64, Vec<String>>::new()));
    }
    let mut qb: QueryBuilder<MySql> = QueryBuilder::new("SELECT product_id, tag FROM product_tags WHERE product_id IN (");
    let mut ids = qb.separated(", ");
    for product_id in &body.ids {
        ids.push_bind(*product_id); // snag-ok: n-plus-one
    }
    ids.push_unseparated(") ORDER BY product_id, tag");
    let rows: Vec<(i64, String)> = qb.build_query_as().fetch_all(pool.get_ref()).await?; // snag-ok: n-plus-one
    let mut tags: HashMap<i64, Vec<String>> = HashMap::new();
    for (product_id, tag) in rows {
        tags.entry(product_id).or_default().push(tag);
    }
    Ok(HttpResponse::Ok().json(tags))
}

#[post("/admin/search/reindex")]
async fn reindex(pool: web::Data<MySqlPool>, search: web::Data<SearchIndex>) -> Result<impl Responder, AdminError> {
    let mut products = sqlx::query_as::<_, ProductRow>("SELECT sku, name, price_cents FROM products WHERE active = 1") // snag-ok: n-plus-one
        .fetch(pool.get_ref());
    let mut sent = 0usize;
    while let Some(product) = products.try_next().await? { // snag-ok: n-plus-one
        search // snag-expect: n-plus-one
            .http
            .put(format!("{}/docs/{}", search.base, product.sku))
            .json(&product)
            .send()
            .await?
            .error_for_status()?;
        sent += 1;
    }
    Ok(HttpResponse::Ok().json(serde_json::json!({ "indexed": sent })))
}

#[post("/admin/search/reindex/v2")]
async fn reindex_batched(pool: web::Data<MySqlPool>, search: web::Data<SearchIndex>) -> Result<impl Responder, AdminError> {
    let products = sqlx::query_as::<_, ProductRow>("SELECT sku, name, price_cents FROM products WHERE active = 1")
        .fetch_all(pool.get_ref())
        .await?;
    for batch in products.chunks(500) {
        search.http.post(format!("{}/docs/_bulk", search.base)).json(batch).send().await?.error_for_status()?; // snag-ok: n-plus-one
    }
    Ok(HttpResponse::Ok().json(serde_json::json!({ "indexed": products.len() })))
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(import_products)
        .service(import_products_batched)
        .service(product_detail)
        .service(tags_for)
        .service(tags_for_batched)
        .service(reindex)
        .service(reindex_batched);
}
