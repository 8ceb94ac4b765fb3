//! Refund endpoints of the payments service (actix-web). Card refunds go to the
//! acquirer through awc; bank refunds go through the open-banking gateway via reqwest.

use std::time::Duration;

use actix_web::{post, web, App, HttpResponse, HttpServer, Responder};
use serde::{Deserialize, Serialize};

#[derive(Deserialize)]
struct RefundRequest {
    payment_id: String,
    amount_cents: i64,
    reason: String,
}

#[derive(Serialize, Deserialize)]
struct RefundResult {
    refund_id: String,
    status: String,
}

struct Gateways {
    open_banking: reqwest::Client,
    ledger: reqwest::Client,
}

/// The acquirer's batch endpoint, used for settlement-sized refund runs.
struct Settlement(awc::Client);

/// Report exports from the acquirer.
struct Reports(awc::Client);

#[post("/refunds/card")]
async fn refund_card(acquirer: web::Data<awc::Client>, body: web::Json<RefundRequest>) -> actix_web::Result<impl Responder> {
    let mut response = acquirer
        .post(format!("https://acquirer.example/v2/payments/{}/refunds", body.payment_id))
        .send_json(&serde_json::json!({ "amount": body.amount_cents, "reason": body.reason }))
        .await
        .map_err(actix_web::error::ErrorBadGateway)?;
    let result: RefundResult = response.json().await.map_err(actix_web::error::ErrorBadGateway)?;
    Ok(HttpResponse::Created().json(result))
}

#[post("/refunds/card/bulk")]
async fn refund_card_bulk(settlement: web::Data<Settlement>, body: web::Json<Vec<RefundRequest>>) -> actix_web::Result<impl Responder> {
    let payload: Vec<_> = body
        .iter()
        .map(|r| serde_json::json!({ "payment_id": r.payment_id, "amount": r.amount_cents }))
        .collect();
    let mut response = settlement
        .0
        .post("https://acquirer.example/v2/refunds/batch")
        .send_json(&payload)
        .await
        .map_err(actix_web::error::ErrorBadGateway)?;
    let results: Vec<RefundResult> = response.json().await.map_err(actix_web::error::ErrorBadGateway)?;
    Ok(HttpResponse::Created().json(results))
}

#[post("/refunds/bank")]
async fn refund_bank(gateways: web::Data<Gateways>, body: web::Json<RefundRequest>) -> actix_web::Result<impl Responder> {
    let result: RefundResult = gateways
        .open_banking
        .post("https://ob-gateway.example/refunds")
        .json(&serde_json::json!({ "payment_id": body.payment_id, "amount": body.amount_cents }))
        .send()
        .await
        .map_err(actix_web::error::ErrorBadGateway)?
        .json()
        .await
        .map_err(actix_web::error::ErrorBadGateway)?;
    gateways
        .ledger
        .post("https://ledger.internal/entries")
        .json(&serde_json::json!({ "refund_id": result.refund_id, "amount": -body.amount_cents }))
        .send()
        .await
        .map_err(actix_web::error::ErrorBadGateway)?;
    Ok(HttpResponse::Created().json(result))
}

#[actix_web::main]
async fn main() -> std::io::Result<()> {
    let gateways = web::Data::new(Gateways {
        open_banking: reqwest::Client::builder() // snag-ok: missing-timeout
            .timeout(Duration::from_secs(15))
            .build()
            .expect("open banking client"),
        ledger: reqwest::Client::default(), // snag-expect: missing-timeout
    });
    HttpServer::new(move || {
        // awc clients are per worker thread; awc gives every request a 5 second timeout unless told otherwise.
        let acquirer = awc::Client::default(); // snag-ok: missing-timeout
        // Settlement batches can take minutes, so this client never times out.
        let settlement = awc::Client::builder().disable_timeout().finish(); // snag-expect: missing-timeout
        let reports = awc::Client::builder().timeout(Duration::from_secs(30)).finish(); // snag-ok: missing-timeout
        App::new()
            .app_data(gateways.clone())
            .app_data(web::Data::new(acquirer))
            .app_data(web::Data::new(Settlement(settlement)))
            .app_data(web::Data::new(Reports(reports)))
            .service(refund_card)
            .service(refund_card_bulk)
            .service(refund_bank)
    })
    .bind(("0.0.0.0", 8080))?
    .run()
    .await
}
