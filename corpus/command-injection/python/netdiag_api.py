"""Network diagnostics for the support team (FastAPI, internal network only)."""

import asyncio
import shlex
import subprocess
from asyncio.subprocess import PIPE

from fastapi import FastAPI, HTTPException, Query
from pydantic import BaseModel, Field

app = FastAPI(title="netdiag")

RECORD_TYPES = {"A", "AAAA", "CNAME", "MX", "TXT", "NS"}


class TraceRequest(BaseModel):
    host: str = Field(..., max_length=253)
    max_hops: int = 15


async def _collect(proc) -> str:
    out, err = await asyncio.wait_for(proc.communicate(), timeout=30)
    if proc.returncode != 0:
        raise HTTPException(status_code=502, detail=err.decode(errors="replace"))
    return out.decode(errors="replace")


@app.post("/diag/traceroute")
async def traceroute(body: TraceRequest):
    proc = await asyncio.create_subprocess_shell(  # snag-expect: slow-work-in-handler, command-injection
        f"traceroute -m {body.max_hops} {body.host}",
        stdout=PIPE,
        stderr=PIPE,
    )
    return {"hops": (await _collect(proc)).splitlines()}


@app.post("/diag/mtr")
async def mtr_report(body: TraceRequest):
    proc = await asyncio.create_subprocess_exec("bash", "-c", f"mtr --report -c 5 {body.host} | tail -n +2", stdout=PIPE, stderr=PIPE)  # snag-expect: slow-work-in-handler, command-injection
    return {"report": await _collect(proc)}


@app.post("/diag/nslookup")
async def nslookup(body: TraceRequest):
    proc = await asyncio.create_subprocess_exec(  # snag-expect: slow-work-in-handler; snag-ok: command-injection
        "sh", "-c", 'nslookup "$1" | tail -n +4', "sh", body.host,
        stdout=PIPE,
        stderr=PIPE,
    )
    return {"answer": await _collect(proc)}


@app.get("/diag/ping")
async def ping(host: str = Query(..., max_length=253), count: int = 3):
    proc = await asyncio.create_subprocess_exec("ping", "-c", str(count), host, stdout=PIPE, stderr=PIPE)  # snag-expect: slow-work-in-handler; snag-ok: command-injection
    return {"output": await _collect(proc)}


@app.get("/diag/dig")
async def dig(name: str, rtype: str = "A"):
    rtype = rtype.upper()
    if rtype not in RECORD_TYPES:
        raise HTTPException(status_code=400, detail="unsupported record type")
    proc = await asyncio.create_subprocess_shell(f"dig +short {shlex.quote(name)} {rtype}", stdout=PIPE, stderr=PIPE)  # snag-expect: slow-work-in-handler; snag-ok: command-injection
    return {"records": (await _collect(proc)).split()}


@app.get("/diag/listening")
async def listening(port: int):
    proc = await asyncio.create_subprocess_shell(f"ss -ltnp 'sport = :{port}'", stdout=PIPE, stderr=PIPE)  # snag-expect: slow-work-in-handler; snag-ok: command-injection
    return {"sockets": (await _collect(proc)).splitlines()[1:]}


@app.get("/diag/whois")
def whois(domain: str):
    out = subprocess.check_output("whois " + domain, shell=True, text=True, timeout=15)  # snag-expect: slow-work-in-handler, command-injection
    return {"whois": out}


@app.get("/diag/cert")
async def certificate_dates(host: str, port: int = 443):
    cmd = f"echo | openssl s_client -connect {host}:{port} -servername {host} 2>/dev/null | openssl x509 -noout -dates"
    result = subprocess.run(cmd, shell=True, capture_output=True, text=True, timeout=15)  # snag-expect: slow-work-in-handler, command-injection, blocking-in-async
    return dict(line.split("=", 1) for line in result.stdout.splitlines() if "=" in line)
