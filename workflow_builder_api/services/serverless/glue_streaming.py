"""The deployment's Glue streaming setup for spark_stream nodes, from the builder's settings."""

from __future__ import annotations

from airloom.workflow.serverless.glue_streaming import GlueStreaming
from workflow_builder_api.core.config import Settings


def glue_streaming_setup(settings: Settings) -> GlueStreaming | None:
    """The setup when the deployment declares Glue streaming, else None.

    :raises ValueError: naming the settings that are missing or wrong.
    """
    if not settings.serverless_spark_stream_on_glue:
        return None
    pattern = settings.serverless_glue_role_arn_pattern
    script = settings.serverless_glue_stream_script
    if not (pattern and script):
        raise ValueError(
            "AIRLOOM_BUILDER_SERVERLESS_SPARK_STREAM_ON_GLUE needs "
            "AIRLOOM_BUILDER_SERVERLESS_GLUE_ROLE_ARN_PATTERN and "
            "AIRLOOM_BUILDER_SERVERLESS_GLUE_STREAM_SCRIPT"
        )
    return GlueStreaming(
        role_arn_pattern=pattern,
        script_location=script,
        python_files=settings.serverless_glue_python_files or "",
        glue_version=settings.serverless_glue_version,
        worker_type=settings.serverless_glue_worker_type,
        number_of_workers=settings.serverless_glue_workers,
        network_connection=settings.serverless_glue_connection or "",
        region_name=settings.aws_region,
    )
