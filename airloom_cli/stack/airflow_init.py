"""Airflow's steps before its components start, run by `airloom up` in one interpreter.

Migrate the metadata database (FAB's tables included), import Airloom's connections, then
set the tenants' roles and the logins (:mod:`airloom_cli.stack.airflow_access`). The first
two are Airflow's own CLI commands, called through its parser as ``airflow`` would call them:
one interpreter instead of one per command spares Airflow's start-up cost (several CPU
seconds each), which is most of this step's time.

    python -m airloom_cli.stack.airflow_init CONNECTIONS.json ACCESS_PLAN.json
"""

from __future__ import annotations

import sys

from airloom_cli.stack.airflow_access import apply_plan_file


def main(argv: list[str]) -> None:
    if len(argv) != 2:
        raise SystemExit("usage: python -m airloom_cli.stack.airflow_init CONNECTIONS PLAN")
    connections_file, plan_file = argv
    from airflow.cli.cli_parser import get_parser

    parser = get_parser()
    for command in (["db", "migrate"], ["connections", "import", "--overwrite", connections_file]):
        print(f"--- airflow {' '.join(command)}", flush=True)
        args = parser.parse_args(command)
        args.func(args)
    print("--- tenant roles and logins", flush=True)
    apply_plan_file(plan_file)


if __name__ == "__main__":
    main(sys.argv[1:])
