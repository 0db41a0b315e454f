"""What every Airloom service shares: health and metrics endpoints and structured logs."""

from servicekit.app import create_service_app

__all__ = ["create_service_app"]
