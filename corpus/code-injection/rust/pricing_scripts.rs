//! Pricing scripts (axum + rhai): merchants preview and register Rhai rules that adjust prices.

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::{Arc, RwLock};

use axum::{
    extract::{Path, Query, State},
    http::StatusCode,
    routing::{get, post},
    Json, Router,
};
use rhai::{Dynamic, Engine, Scope, AST};
use serde::{Deserialize, Serialize};

const PRICING_SCRIPT: &str = r#"
    let price = base * (1.0 - discount);
    if quantity >= 10 { price * 0.95 } else { price }
"#;

#[derive(Clone)]
pub struct AppState {
    engine: Arc<Engine>,
    rules: Arc<RwLock<HashMap<String, AST>>>,
    house_rules: Arc<AST>,
}

#[derive(Debug, Deserialize)]
pub struct ScriptBody {
    pub script: String,
}

#[derive(Debug, Deserialize)]
pub struct ExprQuery {
    pub expr: String,
}

#[derive(Debug, Deserialize)]
pub struct RuleBody {
    pub name: String,
    pub source: String,
}

#[derive(Debug, Deserialize)]
pub struct PriceInput {
    pub base: f64,
    pub discount: f64,
    pub quantity: i64,
}

#[derive(Debug, Serialize)]
pub struct Evaluated {
    pub value: String,
}

type ApiError = (StatusCode, String);

fn bad_request(err: impl ToString) -> ApiError {
    (StatusCode::BAD_REQUEST, err.to_string())
}

pub fn build_state() -> anyhow::Result<AppState> {
    let mut engine = Engine::new();
    engine.set_max_operations(50_000);
    let house_rules = engine.compile_file(PathBuf::from("/etc/pricing/house_rules.rhai"))?; // snag-ok: code-injection
    Ok(AppState { engine: Arc::new(engine), rules: Arc::default(), house_rules: Arc::new(house_rules) })
}

pub fn routes(state: AppState) -> Router {
    Router::new()
        .route("/scripts/eval", post(eval_script))
        .route("/scripts/expr", get(eval_expr))
        .route("/scripts/calc", get(calc))
        .route("/scripts/dry-run", post(dry_run))
        .route("/prices/quote", post(quote))
        .route("/prices/house", post(house_price))
        .route("/rules", post(register_rule))
        .route("/rules/:name/run", post(run_rule))
        .route("/rules/import", post(import_rules))
        .with_state(state)
}

fn run_user_rule(engine: &Engine, source: &str) -> Result<Dynamic, ApiError> {
    engine.eval::<Dynamic>(source).map_err(bad_request) // snag-expect: code-injection
}

async fn eval_script(State(state): State<AppState>, Json(body): Json<ScriptBody>) -> Result<Json<Evaluated>, ApiError> {
    let value = state.engine.eval::<Dynamic>(&body.script).map_err(bad_request)?; // snag-expect: code-injection
    Ok(Json(Evaluated { value: value.to_string() }))
}

async fn eval_expr(State(state): State<AppState>, Query(q): Query<ExprQuery>) -> Result<Json<Evaluated>, ApiError> {
    let value = state.engine.eval_expression::<f64>(&q.expr).map_err(bad_request)?; // snag-expect: code-injection
    Ok(Json(Evaluated { value: value.to_string() }))
}

async fn calc(Query(q): Query<ExprQuery>) -> Result<Json<Evaluated>, ApiError> {
    let value = evalexpr::eval(&q.expr).map_err(bad_request)?; // snag-ok: code-injection
    Ok(Json(Evaluated { value: value.to_string() }))
}

async fn dry_run(State(state): State<AppState>, Json(body): Json<ScriptBody>) -> Result<Json<Evaluated>, ApiError> {
    let value = run_user_rule(&state.engine, &body.script)?;
    Ok(Json(Evaluated { value: value.to_string() }))
}

async fn quote(State(state): State<AppState>, Json(input): Json<PriceInput>) -> Result<Json<Evaluated>, ApiError> {
    let mut scope = Scope::new();
    scope.push("base", input.base).push("discount", input.discount).push("quantity", input.quantity);
    let price = state.engine.eval_with_scope::<f64>(&mut scope, PRICING_SCRIPT).map_err(bad_request)?; // snag-ok: code-injection
    Ok(Json(Evaluated { value: format!("{price:.2}") }))
}

async fn house_price(State(state): State<AppState>, Json(input): Json<PriceInput>) -> Result<Json<Evaluated>, ApiError> {
    let mut scope = Scope::new();
    scope.push("base", input.base).push("quantity", input.quantity);
    let price = state.engine.eval_ast_with_scope::<f64>(&mut scope, &state.house_rules).map_err(bad_request)?; // snag-ok: code-injection
    Ok(Json(Evaluated { value: format!("{price:.2}") }))
}

async fn register_rule(State(state): State<AppState>, Json(body): Json<RuleBody>) -> Result<StatusCode, ApiError> {
    let ast = state.engine.compile(&body.source).map_err(bad_request)?; // snag-expect: code-injection
    state.rules.write().unwrap().insert(body.name, ast);
    Ok(StatusCode::CREATED)
}

async fn run_rule(State(state): State<AppState>, Path(name): Path<String>, Json(input): Json<PriceInput>) -> Result<Json<Evaluated>, ApiError> {
    let rules = state.rules.read().unwrap();
    let ast = rules.get(&name).ok_or((StatusCode::NOT_FOUND, format!("no rule {name}")))?;
    let mut scope = Scope::new();
    scope.push("base", input.base).push("discount", input.discount).push("quantity", input.quantity);
    let value = state.engine.eval_ast_with_scope::<Dynamic>(&mut scope, ast).map_err(bad_request)?; // snag-ok: code-injection
    Ok(Json(Evaluated { value: value.to_string() }))
}

async fn import_rules(State(state): State<AppState>, body: String) -> Result<StatusCode, ApiError> {
    let incoming: HashMap<String, String> = serde_json::from_str(&body).map_err(bad_request)?; // snag-ok: code-injection
    let mut rules = state.rules.write().unwrap();
    for (name, source) in incoming {
        let ast = state.engine.compile(&format!("// rule {name}\n{source}")).map_err(bad_request)?; // snag-expect: code-injection
        rules.insert(name, ast);
    }
    Ok(StatusCode::NO_CONTENT)
}
