"""Airloom's Airflow plugin entry: Airflow imports this file from the plugins folder (airloom/
itself is in .airflowignore) and registers the AirflowPlugin classes it finds here."""

from airloom.activity.listener import AirloomActivityPlugin
from airloom.studio_link import AirloomStudioPlugin

__all__ = ["AirloomActivityPlugin", "AirloomStudioPlugin"]
