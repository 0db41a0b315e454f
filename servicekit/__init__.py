"""What every Airloom service shares: health and metrics endpoints, structured logs, the
credential hash, typed bootstrap secrets, settings loading, the engine and the migration runner."""

from servicekit.app import create_service_app

__all__ = ["create_service_app"]
