"""The workflow builder's ASGI app: `uvicorn workflow_builder_api.main:app`."""

from __future__ import annotations

from workflow_builder_api.app import create_app

app = create_app()
