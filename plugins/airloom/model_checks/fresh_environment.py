"""Load and predict a model in a clean interpreter, as a serving container would.

The child is ``python -I`` (no user site, no PYTHONPATH, no inherited MLflow settings) given
only the model's local folder: anything the model secretly needs from the parent process (a
class defined in a DAG file, a global, a tracking server) makes it fail. It uses the same
virtual environment as the worker; a per-model environment (``mlflow models`` with
virtualenv) would need network access to build it, which neither the local stack nor a
locked-down MWAA worker has.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from airloom.model_checks.validation import LOADS_IN_FRESH_ENVIRONMENT, CheckResult

_CHILD = """
import json, sys
import mlflow.pyfunc
from mlflow.models import Model
path = sys.argv[1]
example = Model.load(path).load_input_example(path)
model = mlflow.pyfunc.load_model(path)
if example is None:
    print(json.dumps({"loaded": True, "rows": None}))
else:
    prediction = model.predict(example)
    rows = len(prediction) if hasattr(prediction, "__len__") else 1
    print(json.dumps({"loaded": True, "rows": rows}))
"""


def check_fresh_environment(model_dir: Path, timeout: float = 300.0) -> CheckResult:
    with tempfile.TemporaryDirectory(prefix="airloom-fresh-") as home:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": home, "LANG": "C.UTF-8"}
        try:
            completed = subprocess.run(
                [sys.executable, "-I", "-c", _CHILD, str(model_dir)],
                capture_output=True,
                text=True,
                env=env,
                cwd=home,
                timeout=timeout,
                check=False,
            )
        except subprocess.TimeoutExpired:
            return CheckResult(
                LOADS_IN_FRESH_ENVIRONMENT, False, f"loading took longer than {timeout:.0f} s"
            )
    if completed.returncode != 0:
        tail = completed.stderr.strip().splitlines()[-3:]
        return CheckResult(
            LOADS_IN_FRESH_ENVIRONMENT,
            False,
            f"a clean interpreter could not load it (exit {completed.returncode}): "
            + " | ".join(tail),
        )
    result = json.loads(completed.stdout.strip().splitlines()[-1])
    rows = result["rows"]
    detail = "loaded" if rows is None else f"loaded and predicted {rows} row(s)"
    return CheckResult(LOADS_IN_FRESH_ENVIRONMENT, True, f"{detail} in a clean interpreter")
