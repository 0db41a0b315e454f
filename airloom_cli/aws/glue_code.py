"""``airloom glue-code``: the code of the ``spark_stream`` node's AWS Glue streaming job.

On MWAA Serverless a ``spark_stream`` node runs as a Glue streaming job
(:mod:`airloom.workflow.serverless.glue_streaming`): its script is Airloom's
``glue_stream_entrypoint.py``, and its ``--extra-py-files`` a zip of the ``airloom`` package.
Both are written here, beside each other, and optionally uploaded under one S3 prefix (the
stack's ``<serverless prefix>/glue/``), in a versioned bucket as the code package is.

The zip holds the ``airloom`` package alone: Glue provides PySpark, and the streaming path
imports nothing else beyond the standard library (:func:`third_party_imports` says what it
imports, and the command prints it). It is deterministic, as the code package is.
"""

from __future__ import annotations

import ast
import hashlib
import os
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

import click

from airloom_cli.aws.code_package import parse_s3_uri, upload_code_package, write_zip
from airloom_cli.aws.project import Project, find_project

SCRIPT_NAME = "glue_stream_entrypoint.py"
ZIP_NAME = "airloom-glue.zip"
#: The job's script inside the package; the modules the streaming path starts from.
ENTRY_POINT = Path("airloom") / "spark" / SCRIPT_NAME
#: What Glue's Spark runtime provides to every job's Python.
PROVIDED_BY_GLUE = frozenset({"pyspark", "py4j"})
#: Airloom's own Kafka reader: :mod:`airloom.spark.streams` uses it only where Spark's ``kafka``
#: format is missing, and Glue's streaming runtime has that format.
KAFKA_FALLBACK = "airloom/spark/kafka_source.py"


@dataclass(frozen=True)
class GlueCode:
    """The job's script and python files, built."""

    script: Path
    python_files: Path
    sha256: str
    entries: int


def build_glue_code(project: Project, out_dir: Path) -> GlueCode:
    """Write the script and the zip into ``out_dir``, each replaced only once complete."""
    source = project.plugins / ENTRY_POINT
    if not source.is_file():
        raise click.ClickException(f"{source} is missing: is {project.root} an Airloom checkout?")
    out_dir = out_dir.resolve()
    out_dir.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".airloom-glue-", dir=out_dir) as scratch:
        work = Path(scratch)
        (work / "site").mkdir()  # no requirements: Glue provides PySpark
        entries = write_zip(project.plugins, work / "site", work / ZIP_NAME)
        (work / SCRIPT_NAME).write_bytes(source.read_bytes())
        os.replace(work / ZIP_NAME, out_dir / ZIP_NAME)
        os.replace(work / SCRIPT_NAME, out_dir / SCRIPT_NAME)
    digest = hashlib.sha256((out_dir / ZIP_NAME).read_bytes()).hexdigest()
    return GlueCode(out_dir / SCRIPT_NAME, out_dir / ZIP_NAME, digest, entries)


def third_party_imports(plugins: Path) -> dict[str, list[str]]:
    """Top-level modules outside the standard library and ``airloom`` that the entry point
    imports, directly or through Airloom's modules, anywhere in them (inside functions too):
    module -> the Airloom files importing it."""
    found: dict[str, set[str]] = {}
    pending, seen = [ENTRY_POINT], set()
    while pending:
        relative = pending.pop()
        if relative in seen or not (plugins / relative).is_file():
            continue
        seen.add(relative)
        tree = ast.parse((plugins / relative).read_text(), str(relative))
        for node in ast.walk(tree):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                top = name.split(".")[0]
                if top == "airloom":
                    module = Path(*name.split("."))
                    pending += [module.with_suffix(".py"), module / "__init__.py"]
                elif top not in sys.stdlib_module_names and top != "__future__":
                    found.setdefault(top, set()).add(relative.as_posix())
    return {module: sorted(files) for module, files in sorted(found.items())}


def prefix_uris(prefix: str) -> dict[str, str]:
    """``s3://bucket/prefix/`` -> the two objects' URIs under it (a clear error otherwise)."""
    base = prefix.rstrip("/") + "/"
    uris = {name: f"{base}{name}" for name in (SCRIPT_NAME, ZIP_NAME)}
    for uri in uris.values():
        try:
            parse_s3_uri(uri)
        except click.BadParameter:
            raise click.BadParameter(f"{prefix!r} is not s3://bucket/prefix/.") from None
    return uris


def upload_glue_code(
    code: GlueCode, prefix: str, endpoint_url: str | None = None
) -> dict[str, str]:
    """Upload both objects under ``prefix`` (a versioned bucket): URI -> S3 VersionId."""
    uris = prefix_uris(prefix)
    return {
        uris[SCRIPT_NAME]: upload_code_package(code.script, uris[SCRIPT_NAME], endpoint_url),
        uris[ZIP_NAME]: upload_code_package(code.python_files, uris[ZIP_NAME], endpoint_url),
    }


@click.command("glue-code")
@click.option(
    "--out",
    "out_dir",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help=f"Folder to write {SCRIPT_NAME} and {ZIP_NAME} into.",
)
@click.option(
    "--upload", "prefix", default=None, help="s3://bucket/prefix/ to upload both objects under."
)
@click.option(
    "--endpoint-url", default=None, help="S3 endpoint (default: AWS's, or $AWS_ENDPOINT_URL_S3)."
)
@click.option(
    "--project",
    "project_dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Airloom checkout (default: the one around the current directory).",
)
def glue_code(
    out_dir: Path, prefix: str | None, endpoint_url: str | None, project_dir: Path | None
) -> None:
    """Write the Glue streaming job's script and airloom zip; optionally upload them."""
    if prefix is not None:
        prefix_uris(prefix)  # refuse a bad prefix before writing anything
    project = find_project(project_dir)
    code = build_glue_code(project, out_dir)
    click.echo(f"{code.script}")
    click.echo(f"{code.python_files} ({code.entries} files, sha256 {code.sha256})")
    for module, files in third_party_imports(project.plugins).items():
        if module in PROVIDED_BY_GLUE:
            click.echo(f"uses {module} (Glue provides it)")
        elif files == [KAFKA_FALLBACK]:
            click.echo(
                f"not bundled: {module}, imported only by {KAFKA_FALLBACK}, the reader used "
                "where Spark's kafka format is missing (Glue has it)"
            )
        else:
            click.echo(
                f"needs {module}, which Glue does not provide and the zip does not hold "
                f"(imported by {', '.join(files)})"
            )
    if prefix is not None:
        for uri, version in upload_glue_code(code, prefix, endpoint_url).items():
            click.echo(f"uploaded {uri} version {version}")
