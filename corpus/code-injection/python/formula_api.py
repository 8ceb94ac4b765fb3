"""Spreadsheet-style computed columns for the reporting API (FastAPI)."""

import pickle
from decimal import Decimal
from typing import Any

import yaml
from fastapi import Depends, FastAPI, File, HTTPException, UploadFile
from pydantic import BaseModel
from simpleeval import simple_eval
from sqlmodel import Field, Session, SQLModel, select

from .db import get_session

app = FastAPI()

FORMULAS = {
    "margin": "(revenue - cost) / revenue if revenue else 0",
    "markup": "(revenue - cost) / cost if cost else 0",
    "net": "revenue - cost - fees",
}
SCORE_EXPR = "0.6 * recency + 0.3 * frequency + 0.1 * monetary"
SAFE_GLOBALS = {"__builtins__": {}, "Decimal": Decimal, "abs": abs, "round": round}


class SavedFormula(SQLModel, table=True):
    id: int | None = Field(default=None, primary_key=True)
    owner: str = Field(index=True)
    name: str
    expression: str


class FormulaIn(BaseModel):
    formula: str
    variables: dict[str, float] = {}


class UdfIn(BaseModel):
    name: str
    source: str


class ScoreIn(BaseModel):
    weights: dict[str, float]


def _run_user_code(source: str, namespace: dict[str, Any]) -> None:
    exec(source, namespace)  # snag-expect: code-injection


def _weighted_score(values: dict[str, float]) -> float:
    # The expression is ours; the caller's numbers are only bound as variables.
    return eval(SCORE_EXPR, {"__builtins__": {}}, values)  # snag-ok: code-injection


@app.post("/formulas/evaluate")
async def evaluate_formula(body: FormulaIn):
    try:
        value = eval(body.formula, SAFE_GLOBALS, body.variables)  # snag-expect: code-injection
    except Exception as exc:
        raise HTTPException(status_code=422, detail=str(exc))
    return {"value": value}


@app.get("/formulas/saved")
def saved_formulas(owner: str, session: Session = Depends(get_session)):
    rows = session.exec(select(SavedFormula).where(SavedFormula.owner == owner)).all()  # snag-ok: code-injection
    return [{"name": row.name, "expression": row.expression} for row in rows]


@app.post("/formulas/evaluate-safe")
async def evaluate_formula_safe(body: FormulaIn):
    value = simple_eval(body.formula, names=body.variables)  # snag-ok: code-injection
    return {"value": value}


@app.get("/formulas/{name}")
async def named_formula(name: str, revenue: float, cost: float, fees: float = 0.0):
    if name not in FORMULAS:
        raise HTTPException(status_code=404)
    value = eval(FORMULAS[name], {"__builtins__": {}}, {"revenue": revenue, "cost": cost, "fees": fees})  # snag-ok: code-injection
    return {"name": name, "value": value}


@app.post("/udfs")
async def register_udf(body: UdfIn):
    namespace: dict[str, Any] = {}
    exec(compile(body.source, f"<udf:{body.name}>", "exec"), namespace)  # snag-expect: code-injection
    return {"name": body.name, "defines": sorted(k for k in namespace if not k.startswith("_"))}


@app.post("/udfs/dry-run")
async def dry_run_udf(body: UdfIn):
    namespace: dict[str, Any] = {"Decimal": Decimal}
    _run_user_code(body.source, namespace)
    return {"defines": sorted(k for k in namespace if not k.startswith("_"))}


@app.post("/scores")
async def score(body: ScoreIn):
    return {"score": _weighted_score(body.weights)}


@app.post("/bootstrap")
async def bootstrap_namespace():
    namespace: dict[str, Any] = {}
    exec("from decimal import Decimal, ROUND_HALF_UP", namespace)  # snag-ok: code-injection
    return {"ready": sorted(namespace)}


@app.post("/models/upload")
async def upload_model(file: UploadFile = File(...)):
    raw = await file.read()
    if file.filename.endswith((".yml", ".yaml")):
        model = yaml.safe_load(raw)  # snag-ok: code-injection
    else:
        model = pickle.loads(raw)  # snag-expect: code-injection
    return {"loaded": type(model).__name__}
