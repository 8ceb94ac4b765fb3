#!/usr/bin/env python3
"""Build, tag and roll out a storefront release.

Run by CI on merge to main and by hand for hotfixes:

    ./scripts/deploy_release.py --env staging --ref main
    ./scripts/deploy_release.py --env production --ref v2024.11.3 --replicas 6
"""

import argparse
import datetime as dt
import os
import shlex
import subprocess
import sys

REGISTRY = "registry.internal.example.com/storefront"
DEPLOYMENT = "storefront-web"
NAMESPACES = {"staging": "store-staging", "production": "store-prod"}


def sh(cmd: str) -> str:
    print(f"+ {cmd}", flush=True)
    return subprocess.run(cmd, shell=True, check=True, capture_output=True, text=True).stdout.strip()  # snag-ok: command-injection


def checkout(ref: str) -> None:
    subprocess.run(f"git fetch --tags origin {ref} && git checkout --force {ref}", shell=True, check=True)  # snag-expect: command-injection


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--env", choices=sorted(NAMESPACES), required=True)
    parser.add_argument("--ref", default="main")
    parser.add_argument("--tag")
    parser.add_argument("--chart", default="./deploy/chart")
    parser.add_argument("--allow-custom-chart", action="store_true")
    parser.add_argument("--replicas", default="3")
    parser.add_argument("--notes-from-stdin", action="store_true")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    namespace = NAMESPACES[args.env]

    checkout(args.ref)
    os.system("git submodule update --init --recursive")  # snag-ok: command-injection

    sha = sh("git rev-parse --short HEAD")
    tag = args.tag or f"{dt.date.today():%Y.%m.%d}-{sha}"
    image = f"{REGISTRY}:{tag}"

    rc = os.system(f"docker build --pull -t {image} --build-arg GIT_SHA={sha} .")  # snag-expect: command-injection
    if rc != 0:
        return 1
    subprocess.run(shlex.join(["docker", "push", image]), shell=True, check=True)  # snag-ok: command-injection
    subprocess.run(["git", "tag", "-a", tag, "-m", f"release {tag} ({args.env})"], check=True)  # snag-ok: command-injection

    chart = args.chart
    if not args.allow_custom_chart:
        chart = "./deploy/chart"
    subprocess.run(f"helm lint {chart} --strict", shell=True, check=True)  # snag-expect: command-injection

    replicas = int(args.replicas)
    sh(f"helm upgrade --install storefront ./deploy/chart -n {namespace} --set image.tag={shlex.quote(tag)} --set replicas={replicas} --wait")
    sh(f"kubectl -n {namespace} rollout status deploy/{DEPLOYMENT} --timeout=300s")

    branch = os.environ.get("CI_COMMIT_REF_NAME", "manual")
    webhook = os.environ["DEPLOY_SLACK_WEBHOOK"]
    os.system(f"curl -fsS -X POST -d 'text=Deployed {branch} ({tag}) to {args.env}' {webhook}")  # snag-expect: command-injection

    if args.notes_from_stdin:
        notes = sys.stdin.read()
        subprocess.run(f'gh release create {tag} --title "{tag}" --notes "{notes}"', shell=True, check=True)  # snag-expect: command-injection
    return 0


if __name__ == "__main__":
    sys.exit(main())
