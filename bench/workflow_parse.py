"""Parse time per DAG of 200 published workflows, against the same 200 as dag-factory YAML.

Both folders hold one file per workflow (dag-factory: one YAML file and the small Python file
that loads it, as its docs show) and are imported by Airflow's DagBag in a fresh interpreter
that has Airflow imported, as the DAG processor's parsing process has it. Both build the same
Airloom operators with the same parameters; dag-factory cannot wire one task's output into
the next one's input, so its tasks get the dataset URIs as literals and explicit dependencies.
Target: Airloom at least 2x faster per DAG.

    .venv/bin/python bench/workflow_parse.py [--workflows 200]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _workflow_designs import design

from airloom.catalog import node_types
from airloom.tenancy import TenantScope
from airloom.workflow.compiler import compile_workflow
from airloom.workflow.spec import Edge

DAG_FACTORY_LOADER = """# Airflow DAGs from the YAML file beside this one (dag-factory).
from pathlib import Path

from dagfactory import load_yaml_dags

load_yaml_dags(globals_dict=globals(), config_filepath=str(Path(__file__).with_suffix(".yaml")))
"""
MEASURE = """
import json, sys, time
from pathlib import Path
from airflow.dag_processing.dagbag import DagBag
import airflow.sdk
folder = Path(sys.argv[1])
start = time.perf_counter()
bag = DagBag(dag_folder=folder, bundle_path=folder)
took = time.perf_counter() - start
if bag.import_errors:
    raise SystemExit(f"import errors: {list(bag.import_errors.items())[:2]}")
print(json.dumps({"seconds": took, "dags": len(bag.dags)}))
"""

SCOPE = TenantScope("bench")  # a tenant with no grants: what a new tenant gets


def airloom_files(folder: Path, count: int) -> None:
    for index in range(count):
        compiled = compile_workflow(
            design(f"w{index:03d}", 5), workflow_id=f"w{index}", version=1, scope=SCOPE
        )
        (folder / compiled.file_name).write_text(compiled.source)


def dag_factory_files(folder: Path, count: int) -> None:
    catalog = node_types()
    for index in range(count):
        spec = design(f"w{index:03d}", 5)
        upstream: dict[str, list[str]] = {}
        for edge in spec["edges"]:
            upstream.setdefault(Edge.split(edge["target"])[0], []).append(
                Edge.split(edge["source"])[0]
            )
        tasks = {}
        for node in spec["nodes"]:
            operator = catalog[node["type"]].operator
            task = {"operator": f"{operator.__module__}.{operator.__name__}", **node["params"]}
            inputs = {
                port.name: f"file:///lake/{node['id']}" for port in catalog[node["type"]].inputs
            }
            if inputs:
                task["inputs"] = {
                    name: [uri] if catalog[node["type"]].input(name).many else uri
                    for name, uri in inputs.items()
                }
            if node["id"] in upstream:
                task["dependencies"] = upstream[node["id"]]
            tasks[node["id"]] = task
        config = {
            f"df_bench__w{index:03d}": {
                "default_args": {"start_date": "2024-01-01", "retries": 1},
                "schedule": "@daily",
                "catchup": False,
                "tasks": tasks,
            }
        }
        (folder / f"df_w{index:03d}.yaml").write_text(yaml.safe_dump(config))
        (folder / f"df_w{index:03d}.py").write_text(DAG_FACTORY_LOADER)


def per_dag(folder: Path, rounds: int) -> float:
    best = []
    for _ in range(rounds):
        output = subprocess.run(
            [sys.executable, "-c", MEASURE, str(folder)], capture_output=True, text=True
        )
        if output.returncode:
            raise SystemExit(output.stderr[-2000:] or output.stdout[-2000:])
        result = json.loads(output.stdout.strip().splitlines()[-1])
        best.append(result["seconds"] / result["dags"])
    return sorted(best)[len(best) // 2]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workflows", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as airloom_dir, tempfile.TemporaryDirectory() as df_dir:
        airloom_files(Path(airloom_dir), args.workflows)
        dag_factory_files(Path(df_dir), args.workflows)
        airloom = per_dag(Path(airloom_dir), args.rounds)
        factory = per_dag(Path(df_dir), args.rounds)
    print(f"{args.workflows} workflows of 5 nodes, parsed by DagBag")
    print(f"  Airloom compiled files: {airloom * 1000:7.2f} ms per DAG")
    print(f"  dag-factory YAML:       {factory * 1000:7.2f} ms per DAG")
    print(f"  Airloom is {factory / airloom:.2f}x faster per DAG (target: at least 2x)")


if __name__ == "__main__":
    main()
