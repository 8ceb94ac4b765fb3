"""Shipping quotes and label tracking for the storefront (Flask)."""

import http.client
import json
import urllib.parse
import urllib.request

import requests
from flask import Blueprint, abort, current_app, jsonify, request

shipping = Blueprint("shipping", __name__, url_prefix="/shipping")

CARRIER_HOST = "api.parcelcarrier.example"
RATES_URL = "https://rates.freightquote.example/v2/quote"


def _carrier_headers() -> dict:
    return {
        "Authorization": f"Bearer {current_app.config['CARRIER_TOKEN']}",
        "Accept": "application/json",
    }


@shipping.get("/rates")
def rates():
    postcode = request.args.get("postcode", "")
    weight = request.args.get("weight_grams", type=int)
    if not postcode or not weight:
        abort(400)
    query = urllib.parse.urlencode({"to": postcode, "weight": weight})
    req = urllib.request.Request(f"{RATES_URL}?{query}", headers=_carrier_headers())
    with urllib.request.urlopen(req) as resp:  # snag-expect: missing-timeout
        quote = json.load(resp)
    return jsonify(quote)


@shipping.get("/rates/express")
def express_rates():
    postcode = request.args.get("postcode", "")
    query = urllib.parse.urlencode({"to": postcode, "service": "express"})
    req = urllib.request.Request(f"{RATES_URL}?{query}", headers=_carrier_headers())
    with urllib.request.urlopen(req, timeout=8) as resp:  # snag-ok: missing-timeout
        return jsonify(json.load(resp))


@shipping.get("/rates/freight")
def freight_rates():
    pallets = request.args.get("pallets", type=int) or 1
    payload = json.dumps({"pallets": pallets}).encode()
    req = urllib.request.Request(RATES_URL, data=payload, headers=_carrier_headers(), method="POST")
    with urllib.request.urlopen(req, None, 15) as resp:  # snag-ok: missing-timeout
        return jsonify(json.load(resp))


@shipping.get("/track/<tracking_number>")
def track(tracking_number: str):
    conn = http.client.HTTPSConnection(CARRIER_HOST)  # snag-expect: missing-timeout
    try:
        conn.request("GET", f"/v1/track/{urllib.parse.quote(tracking_number)}", headers=_carrier_headers())
        resp = conn.getresponse()
        if resp.status == 404:
            abort(404)
        return jsonify(json.loads(resp.read()))
    finally:
        conn.close()


@shipping.post("/labels")
def create_label():
    conn = http.client.HTTPSConnection(CARRIER_HOST, 443, timeout=12)  # snag-ok: missing-timeout
    try:
        conn.request("POST", "/v1/labels", body=json.dumps(request.get_json()), headers=_carrier_headers())
        resp = conn.getresponse()
        return jsonify(json.loads(resp.read())), resp.status
    finally:
        conn.close()


@shipping.get("/pickup-points")
def pickup_points():
    response = requests.get(  # snag-expect: missing-timeout
        "https://pickup.parcelcarrier.example/v1/points",
        params={"lat": request.args["lat"], "lng": request.args["lng"], "radius": 3000},
        headers=_carrier_headers(),
    )
    response.raise_for_status()
    return jsonify(response.json()["points"][:20])


@shipping.get("/address/validate")
def validate_address():
    response = requests.post(  # snag-ok: missing-timeout
        "https://addresses.example/v1/validate",
        json=request.get_json(),
        timeout=current_app.config.get("ADDRESS_API_TIMEOUT", 4),
    )
    return jsonify(response.json()), response.status_code


@shipping.get("/customs/<country>")
def customs_rules(country: str):
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler())
    with opener.open(f"https://customs.example/v1/rules/{urllib.parse.quote(country)}") as resp:  # snag-expect: missing-timeout
        return jsonify(json.load(resp))
