#!/usr/bin/env python3
"""flagctl: inspect and bulk-edit feature flags.

    flagctl.py get checkout.new_flow
    flagctl.py set checkout.rollout 25
    flagctl.py where 'flag["rollout"] > 50'
    flagctl.py import < flags.yaml
"""

import argparse
import ast
import json
import pickle
import sys
from pathlib import Path

import yaml

STATE_FILE = Path.home() / ".cache" / "flagctl" / "flags.pickle"
BUILTIN_FILTERS = {
    "enabled": 'flag["enabled"]',
    "partial": '0 < flag["rollout"] < 100',
}


def load_state():
    # Written by save_state below into the user's own cache directory.
    if STATE_FILE.exists():
        return pickle.loads(STATE_FILE.read_bytes())  # snag-ok: code-injection
    return {}


def save_state(flags):
    STATE_FILE.parent.mkdir(parents=True, exist_ok=True)
    STATE_FILE.write_bytes(pickle.dumps(flags))


def main(argv=None):
    parser = argparse.ArgumentParser(prog="flagctl")
    sub = parser.add_subparsers(dest="cmd", required=True)
    sub.add_parser("get").add_argument("name")
    setter = sub.add_parser("set")
    setter.add_argument("name")
    setter.add_argument("value")
    where = sub.add_parser("where")
    where.add_argument("expr")
    sub.add_parser("preset").add_argument("preset", choices=sorted(BUILTIN_FILTERS))
    imp = sub.add_parser("import")
    imp.add_argument("--format", choices=["yaml", "json", "pickle"], default="yaml")
    args = parser.parse_args(argv)

    flags = load_state()
    if args.cmd == "get":
        print(json.dumps(flags.get(args.name), indent=2))
    elif args.cmd == "set":
        flags[args.name] = ast.literal_eval(args.value)  # snag-ok: code-injection
        save_state(flags)
    elif args.cmd == "where":
        for name, flag in flags.items():
            if eval(args.expr, {}, {"flag": flag, "name": name}):  # snag-expect: code-injection
                print(name)
    elif args.cmd == "preset":
        test = BUILTIN_FILTERS[args.preset]
        for name, flag in flags.items():
            if eval(test, {}, {"flag": flag}):  # snag-ok: code-injection
                print(name)
    elif args.cmd == "import":
        if args.format == "json":
            incoming = json.load(sys.stdin)  # snag-ok: code-injection
        elif args.format == "pickle":
            incoming = pickle.load(sys.stdin.buffer)  # snag-expect: code-injection
        else:
            incoming = yaml.load(sys.stdin, Loader=yaml.UnsafeLoader)  # snag-expect: code-injection
        flags.update(incoming)
        save_state(flags)
    return 0


if __name__ == "__main__":
    sys.exit(main())
