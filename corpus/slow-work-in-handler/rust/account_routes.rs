//! Account endpoints (axum): sign-up, password reset, e-mail change and the
//! support contact form.
//!
//! Mail goes through the SMTP relay configured in `Config::smtp`. The welcome
//! mail is a job on the `email` apalis queue (see `jobs::email`); the audit
//! outbox is an in-process channel drained by `outbox::run`.

use apalis::prelude::*;
use apalis_redis::RedisStorage;
use axum::{extract::State, http::StatusCode, routing::post, Json, Router};
use lettre::message::{header::ContentType, Mailbox};
use lettre::{AsyncSmtpTransport, AsyncTransport, Message, SmtpTransport, Tokio1Executor, Transport};
use serde::Deserialize;
use sqlx::PgPool;
use tokio::sync::mpsc;
use uuid::Uuid;

use crate::error::AppError;
use crate::jobs::email::EmailJob;
use crate::outbox::OutboxEvent;

#[derive(Clone)]
pub struct AppState {
    pub db: PgPool,
    pub mailer: AsyncSmtpTransport<Tokio1Executor>,
    pub legacy_relay: SmtpTransport,
    pub email_jobs: RedisStorage<EmailJob>,
    pub outbox: mpsc::Sender<OutboxEvent>,
    pub from: Mailbox,
    pub app_url: String,
}

#[derive(Deserialize)]
pub struct SignupForm {
    email: String,
    name: String,
}

#[derive(Deserialize)]
pub struct EmailForm {
    email: String,
}

#[derive(Deserialize)]
pub struct ContactForm {
    email: String,
    subject: String,
    message: String,
}

fn plain(from: &Mailbox, to: &str, subject: &str, body: String) -> Result<Message, AppError> {
    Ok(Message::builder() // snag-ok: slow-work-in-handler
        .from(from.clone())
        .to(to.parse()?)
        .subject(subject)
        .header(ContentType::TEXT_PLAIN)
        .body(body)?)
}

async fn signup(State(state): State<AppState>, Json(form): Json<SignupForm>) -> Result<(StatusCode, Json<Uuid>), AppError> {
    let id: Uuid = sqlx::query_scalar("INSERT INTO users (email, name) VALUES ($1, $2) RETURNING id")
        .bind(&form.email)
        .bind(&form.name)
        .fetch_one(&state.db)
        .await?;
    let mut jobs = state.email_jobs.clone();
    jobs.push(EmailJob::Welcome { user_id: id }).await?; // snag-ok: slow-work-in-handler
    state.outbox.send(OutboxEvent::UserCreated(id)).await?; // snag-ok: slow-work-in-handler
    Ok((StatusCode::CREATED, Json(id)))
}

async fn forgot_password(State(state): State<AppState>, Json(form): Json<EmailForm>) -> Result<StatusCode, AppError> {
    let token: Option<String> = sqlx::query_scalar(
        "UPDATE users SET reset_token = encode(gen_random_bytes(24), 'hex'), reset_expires = now() + interval '1 hour' WHERE email = $1 RETURNING reset_token",
    )
    .bind(&form.email)
    .fetch_optional(&state.db)
    .await?;
    if let Some(token) = token {
        let body = format!("Reset your password: {}/reset/{token}\nThe link is valid for one hour.", state.app_url); // snag-ok: slow-work-in-handler
        let email = plain(&state.from, &form.email, "Reset your password", body)?;
        state.mailer.send(email).await?; // snag-expect: slow-work-in-handler
    }
    Ok(StatusCode::ACCEPTED)
}

async fn resend_verification(State(state): State<AppState>, Json(form): Json<EmailForm>) -> Result<StatusCode, AppError> {
    let token: Option<String> = sqlx::query_scalar("SELECT verify_token FROM users WHERE email = $1 AND NOT verified")
        .bind(&form.email)
        .fetch_optional(&state.db)
        .await?;
    if let Some(token) = token {
        let email = plain(&state.from, &form.email, "Verify your e-mail", format!("{}/verify/{token}", state.app_url))?;
        let mailer = state.mailer.clone();
        // Detached: the response does not wait for the relay.
        tokio::spawn(async move {
            if let Err(err) = mailer.send(email).await { // snag-ok: slow-work-in-handler
                tracing::warn!(%err, "verification mail failed");
            }
        });
    }
    Ok(StatusCode::ACCEPTED)
}

async fn change_email(State(state): State<AppState>, user: crate::auth::User, Json(form): Json<EmailForm>) -> Result<StatusCode, AppError> {
    sqlx::query("UPDATE users SET email = $1, verified = false WHERE id = $2")
        .bind(&form.email)
        .bind(user.id)
        .execute(&state.db)
        .await?;
    let notice = plain(&state.from, &user.email, "Your e-mail address was changed", format!("It is now {}.", form.email))?;
    let relay = state.legacy_relay.clone();
    // snag-ok: blocking-in-async
    tokio::task::spawn_blocking(move || relay.send(&notice)).await??; // snag-expect: slow-work-in-handler
    Ok(StatusCode::NO_CONTENT)
}

async fn contact_support(State(state): State<AppState>, Json(form): Json<ContactForm>) -> Result<StatusCode, AppError> {
    let email = Message::builder()
        .from(state.from.clone())
        .reply_to(form.email.parse()?)
        .to("support@parcelnest.io".parse()?)
        .subject(format!("[contact] {}", form.subject.chars().take(120).collect::<String>()))
        .header(ContentType::TEXT_PLAIN)
        .body(form.message)?;
    state.mailer.send(email).await?; // snag-expect: slow-work-in-handler
    Ok(StatusCode::ACCEPTED)
}

pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/signup", post(signup))
        .route("/password/forgot", post(forgot_password))
        .route("/email/verify/resend", post(resend_verification))
        .route("/email/change", post(change_email))
        .route("/contact", post(contact_support))
        .with_state(state)
}
