//! Signing-room documents (actix-web): upload, conversion to PDF, page
//! previews, scan rotation, and mailing the signed copy.
//!
//! Files live under `DocStore::root/<document>/`. The signing workflow's
//! state changes are published on `DocStore::events` and picked up by the
//! notifier task started in `main`.

use std::path::PathBuf;

use actix_web::{error, get, post, web, HttpResponse, Result};
use lettre::message::{header::ContentType, Attachment, MultiPart, SinglePart};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, SmtpTransport, Tokio1Executor, Transport};
use serde::Deserialize;
use tokio::sync::mpsc;

use crate::events::DocumentEvent;

pub struct DocStore {
    pub root: PathBuf,
    pub soffice: PathBuf,
    pub events: mpsc::Sender<DocumentEvent>,
    pub mailer: AsyncSmtpTransport<Tokio1Executor>,
    pub relay: SmtpTransport,
}

#[derive(Deserialize)]
pub struct Recipient {
    email: String,
}

fn doc_dir(store: &DocStore, id: &str) -> PathBuf {
    store.root.join(id)
}

#[post("/documents/{id}/convert")]
async fn convert_to_pdf(store: web::Data<DocStore>, id: web::Path<String>) -> Result<HttpResponse> {
    let dir = doc_dir(&store, &id);
    let output = tokio::process::Command::new(&store.soffice) // snag-expect: slow-work-in-handler
        .args(["--headless", "--convert-to", "pdf", "--outdir"])
        .arg(&dir)
        .arg(dir.join("original.docx"))
        .output()
        .await?;
    if !output.status.success() {
        return Err(error::ErrorUnprocessableEntity(String::from_utf8_lossy(&output.stderr).into_owned()));
    }
    store.events.send(DocumentEvent::Converted(id.into_inner())).await.ok(); // snag-ok: slow-work-in-handler
    Ok(HttpResponse::Ok().finish())
}

#[post("/documents/{id}/previews")]
async fn page_previews(store: web::Data<DocStore>, id: web::Path<String>) -> Result<HttpResponse> {
    let dir = doc_dir(&store, &id);
    // snag-ok: blocking-in-async
    let status = web::block(move || std::process::Command::new("pdftoppm").args(["-png", "-r", "72"]).arg(dir.join("original.pdf")).arg(dir.join("page")).status()) // snag-expect: slow-work-in-handler
        .await??;
    if !status.success() {
        return Err(error::ErrorInternalServerError("pdftoppm failed"));
    }
    Ok(HttpResponse::Ok().finish())
}

#[post("/documents/{id}/scan/rotate")]
async fn rotate_scan(store: web::Data<DocStore>, id: web::Path<String>) -> Result<HttpResponse> {
    let path = doc_dir(&store, &id).join("scan.png");
    web::block(move || -> image::ImageResult<()> {
        let rotated = image::open(&path)?.rotate90(); // snag-expect: slow-work-in-handler
        rotated.save(&path)
    })
    .await?
    .map_err(error::ErrorInternalServerError)?;
    Ok(HttpResponse::NoContent().finish())
}

#[get("/documents/{id}/original.pdf")]
async fn download_original(store: web::Data<DocStore>, id: web::Path<String>) -> Result<HttpResponse> {
    let path = doc_dir(&store, &id).join("original.pdf");
    let bytes = web::block(move || std::fs::read(path)).await?.map_err(error::ErrorNotFound)?; // snag-ok: slow-work-in-handler, blocking-in-async
    Ok(HttpResponse::Ok().content_type("application/pdf").body(bytes))
}

#[post("/documents/{id}/signed/send")]
async fn send_signed_copy(store: web::Data<DocStore>, id: web::Path<String>, to: web::Json<Recipient>) -> Result<HttpResponse> {
    let signed = tokio::fs::read(doc_dir(&store, &id).join("signed.pdf")).await?;
    let email = Message::builder()
        .from("Signing Room <noreply@signingroom.eu>".parse().map_err(error::ErrorInternalServerError)?)
        .to(to.email.parse().map_err(error::ErrorBadRequest)?)
        .subject("Your signed document")
        .multipart(
            MultiPart::mixed()
                .singlepart(SinglePart::plain(String::from("Your signed copy is attached.")))
                .singlepart(Attachment::new(String::from("signed.pdf")).body(signed, ContentType::parse("application/pdf").unwrap())),
        )
        .map_err(error::ErrorInternalServerError)?;
    let relay = store.relay.clone();
    web::block(move || relay.send(&email)).await?.map_err(error::ErrorBadGateway)?; // snag-expect: slow-work-in-handler
    Ok(HttpResponse::Accepted().finish())
}

#[post("/documents/{id}/remind")]
async fn remind_signer(store: web::Data<DocStore>, id: web::Path<String>, to: web::Json<Recipient>) -> Result<HttpResponse> {
    let email = Message::builder()
        .from("Signing Room <noreply@signingroom.eu>".parse().map_err(error::ErrorInternalServerError)?)
        .to(to.email.parse().map_err(error::ErrorBadRequest)?)
        .subject("A document is waiting for your signature")
        .header(ContentType::TEXT_PLAIN)
        .body(format!("Please review and sign: https://signingroom.eu/d/{id}"))
        .map_err(error::ErrorInternalServerError)?;
    store.mailer.send(email).await.map_err(error::ErrorBadGateway)?; // snag-expect: slow-work-in-handler
    Ok(HttpResponse::Accepted().finish())
}

#[post("/documents/{id}/cc")]
async fn cc_observer(store: web::Data<DocStore>, id: web::Path<String>, to: web::Json<Recipient>) -> Result<HttpResponse> {
    let email = Message::builder()
        .from("Signing Room <noreply@signingroom.eu>".parse().map_err(error::ErrorInternalServerError)?)
        .to(to.email.parse().map_err(error::ErrorBadRequest)?)
        .subject("You were added as an observer")
        .body(format!("You can follow document {id} at https://signingroom.eu/d/{id}"))
        .map_err(error::ErrorInternalServerError)?;
    let mailer = store.mailer.clone();
    actix_web::rt::spawn(async move {
        if let Err(err) = mailer.send(email).await { // snag-ok: slow-work-in-handler
            tracing::warn!(%err, "observer mail failed");
        }
    });
    Ok(HttpResponse::Accepted().finish())
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(convert_to_pdf)
        .service(page_previews)
        .service(rotate_scan)
        .service(download_original)
        .service(send_signed_copy)
        .service(remind_signer)
        .service(cc_observer);
}
