"""Pricing-rule playground for merchandisers (Flask).

Merchandisers write small discount formulas and row filters, preview them against
the catalogue, and import/export rule sets between environments.
"""

import ast
import json
import math
import pickle
import re

import yaml
from flask import Blueprint, abort, jsonify, request

from .catalogue import load_products

bp = Blueprint("pricing_rules", __name__, url_prefix="/pricing")

SAFE_GLOBALS = {"__builtins__": {}, "math": math, "min": min, "max": max, "round": round}


@bp.post("/preview")
def preview_formula():
    payload = request.get_json(force=True)
    price = float(payload.get("price", 0))
    result = eval(payload["expression"], SAFE_GLOBALS, {"price": price})  # snag-expect: code-injection
    return jsonify(result=result)


@bp.post("/parse-value")
def parse_value():
    try:
        value = ast.literal_eval(request.form["value"])  # snag-ok: code-injection
    except (ValueError, SyntaxError):
        abort(400, description="not a literal")
    return jsonify(value=value, type=type(value).__name__)


@bp.get("/products")
def filtered_products():
    where = request.args.get("where", "True")
    predicate = eval("lambda p: " + where)  # snag-expect: code-injection
    return jsonify([p for p in load_products() if predicate(p)])


@bp.get("/products/search")
def search_products():
    pattern = re.compile(request.args.get("name", ".*"), re.IGNORECASE)  # snag-ok: code-injection
    return jsonify([p for p in load_products() if pattern.search(p["name"])])


@bp.post("/hooks/test")
def test_hook():
    source = request.form["hook"]
    namespace = {"products": load_products()}
    exec(compile(source, "<pricing-hook>", "exec"), namespace)  # snag-expect: code-injection
    return jsonify(result=repr(namespace.get("result")))


@bp.post("/rulesets/import")
def import_ruleset():
    upload = request.files["ruleset"]
    if upload.filename.endswith(".json"):
        rules = json.loads(upload.read())  # snag-ok: code-injection
    else:
        rules = pickle.loads(upload.read())  # snag-expect: code-injection
    return jsonify(imported=len(rules))


@bp.post("/rulesets/import-yaml")
def import_ruleset_yaml():
    rules = yaml.load(request.get_data(), Loader=yaml.Loader)  # snag-expect: code-injection
    return jsonify(imported=len(rules))


@bp.post("/rulesets/validate")
def validate_ruleset():
    rules = yaml.safe_load(request.get_data())  # snag-ok: code-injection
    errors = [name for name, rule in (rules or {}).items() if "expression" not in rule]
    return jsonify(valid=not errors, errors=errors)


@bp.post("/rulesets/lint")
def lint_ruleset():
    rules = yaml.load(request.get_data(as_text=True), Loader=yaml.SafeLoader)  # snag-ok: code-injection
    bad = []
    for name, rule in (rules or {}).items():
        try:
            ast.parse(rule.get("expression", ""), mode="eval")  # snag-ok: code-injection
        except SyntaxError:
            bad.append(name)
    return jsonify(bad=bad)
