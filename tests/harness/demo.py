"""Demo data for tests: the `airloom demo-data` loaders, aimed at the session's broker and lake."""

from __future__ import annotations

from pathlib import Path

from airloom_cli.demo.publish import Destination
from airloom_cli.stack.settings import StackSettings


def demo_destination(broker_port: int, lake: Path, tenant: str | None = None) -> Destination:
    """Where the loaders write for the built-in DAGs, or for ``tenant``'s workflows."""
    return Destination(demo_settings(broker_port, lake), tenant)


def demo_settings(broker_port: int, lake: Path) -> StackSettings:
    """Loaders write under <home>/lake and to the stack's broker: point both at the fixtures."""
    home = lake.parent / "demo-home"
    home.mkdir(exist_ok=True)
    if not (home / "lake").exists():
        (home / "lake").symlink_to(lake)
    return StackSettings(home=home, kafka_port=broker_port)
