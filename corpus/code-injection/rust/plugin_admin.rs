//! Admin API for gateway extensions (actix-web): native plugins and Lua filters.

use std::collections::HashMap;
use std::sync::Mutex;

use actix_web::{get, post, web, HttpResponse, Responder};
use libloading::{Library, Symbol};
use mlua::Lua;
use serde::Deserialize;

const PLUGIN_DIR: &str = "/opt/gateway/plugins";
const SCORE_CHUNK: &str = "return (hits * 2 + misses) / math.max(total, 1)";

pub struct Plugins {
    loaded: Mutex<HashMap<String, Library>>,
}

#[derive(Debug, Deserialize)]
pub struct LoadForm {
    pub path: String,
}

#[derive(Debug, Deserialize)]
pub struct NameQuery {
    pub name: String,
}

#[derive(Debug, Deserialize)]
pub struct LuaBody {
    pub code: String,
}

#[derive(Debug, Deserialize)]
pub struct ExprQuery {
    pub expr: String,
}

#[derive(Debug, Deserialize)]
pub struct Counters {
    pub hits: i64,
    pub misses: i64,
    pub total: i64,
}

pub fn configure(cfg: &mut web::ServiceConfig) {
    cfg.service(load_plugin)
        .service(load_named_plugin)
        .service(run_lua)
        .service(eval_lua)
        .service(score)
        .service(import_snapshot);
}

/// Loads every plugin shipped in the install directory; called once from main.
pub fn load_installed() -> anyhow::Result<Plugins> {
    let mut loaded = HashMap::new();
    for entry in std::fs::read_dir(PLUGIN_DIR)? {
        let path = entry?.path();
        if path.extension().is_some_and(|ext| ext == "so") {
            let lib = unsafe { Library::new(&path)? }; // snag-ok: code-injection
            loaded.insert(path.file_stem().unwrap().to_string_lossy().into_owned(), lib);
        }
    }
    Ok(Plugins { loaded: Mutex::new(loaded) })
}

fn init_plugin(lib: &Library) -> anyhow::Result<i32> {
    let init: Symbol<unsafe extern "C" fn() -> i32> = unsafe { lib.get(b"gateway_plugin_init\0")? };
    Ok(unsafe { init() })
}

fn new_lua() -> mlua::Result<Lua> {
    let lua = Lua::new();
    lua.load(include_str!("../lua/prelude.lua")).set_name("prelude").exec()?; // snag-ok: code-injection
    Ok(lua)
}

#[post("/admin/plugins/load")]
async fn load_plugin(plugins: web::Data<Plugins>, form: web::Json<LoadForm>) -> actix_web::Result<impl Responder> {
    let lib = unsafe { Library::new(&form.path) }.map_err(actix_web::error::ErrorBadRequest)?; // snag-expect: code-injection
    let code = init_plugin(&lib).map_err(actix_web::error::ErrorInternalServerError)?;
    plugins.loaded.lock().unwrap().insert(form.path.clone(), lib);
    Ok(HttpResponse::Ok().json(serde_json::json!({ "init": code })))
}

#[post("/admin/plugins/load-named")]
async fn load_named_plugin(plugins: web::Data<Plugins>, q: web::Query<NameQuery>) -> actix_web::Result<impl Responder> {
    let path = format!("{PLUGIN_DIR}/lib{}.so", q.name);
    let lib = unsafe { Library::new(&path) }.map_err(actix_web::error::ErrorBadRequest)?; // snag-expect: code-injection
    let code = init_plugin(&lib).map_err(actix_web::error::ErrorInternalServerError)?;
    plugins.loaded.lock().unwrap().insert(q.name.clone(), lib);
    Ok(HttpResponse::Ok().json(serde_json::json!({ "init": code })))
}

#[post("/admin/lua/run")]
async fn run_lua(body: web::Json<LuaBody>) -> actix_web::Result<impl Responder> {
    let lua = new_lua().map_err(actix_web::error::ErrorInternalServerError)?;
    lua.load(&body.code).set_name("admin-snippet").exec().map_err(actix_web::error::ErrorBadRequest)?; // snag-expect: code-injection
    Ok(HttpResponse::NoContent().finish())
}

#[get("/admin/lua/eval")]
async fn eval_lua(q: web::Query<ExprQuery>) -> actix_web::Result<impl Responder> {
    let lua = new_lua().map_err(actix_web::error::ErrorInternalServerError)?;
    let value: f64 = lua // snag-expect: code-injection
        .load(format!("return {}", q.expr))
        .eval()
        .map_err(actix_web::error::ErrorBadRequest)?;
    Ok(HttpResponse::Ok().json(serde_json::json!({ "value": value })))
}

#[post("/admin/lua/score")]
async fn score(counters: web::Json<Counters>) -> actix_web::Result<impl Responder> {
    let lua = new_lua().map_err(actix_web::error::ErrorInternalServerError)?;
    let globals = lua.globals();
    globals.set("hits", counters.hits).map_err(actix_web::error::ErrorInternalServerError)?;
    globals.set("misses", counters.misses).map_err(actix_web::error::ErrorInternalServerError)?;
    globals.set("total", counters.total).map_err(actix_web::error::ErrorInternalServerError)?;
    let value: f64 = lua.load(SCORE_CHUNK).eval().map_err(actix_web::error::ErrorInternalServerError)?; // snag-ok: code-injection
    Ok(HttpResponse::Ok().json(serde_json::json!({ "score": value })))
}

#[post("/admin/snapshot/import")]
async fn import_snapshot(body: web::Bytes) -> actix_web::Result<impl Responder> {
    let snapshot: HashMap<String, u64> = bincode::deserialize(&body).map_err(actix_web::error::ErrorBadRequest)?; // snag-ok: code-injection
    Ok(HttpResponse::Ok().json(serde_json::json!({ "entries": snapshot.len() })))
}
