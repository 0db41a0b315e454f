"""Airloom Studio in Airflow's navigation (the Airflow 3.1+ plugin interface, ``external_views``).

Studio is served by the workflow builder, on another origin than Airflow's UI, so the link is
the absolute URL the deployment gives: ``AIRLOOM_STUDIO_URL`` (the local stack sets it) or
Airflow's ``[airloom] studio_url`` option (``AIRFLOW__AIRLOOM__STUDIO_URL``, or an MWAA
configuration option ``airloom.studio_url``). Without one, Airflow shows no link rather than a
broken one.
"""

from __future__ import annotations

import os

from airflow.configuration import conf
from airflow.plugins_manager import AirflowPlugin

STUDIO_URL_ENV = "AIRLOOM_STUDIO_URL"
VIEW_NAME = "Airloom Studio"


def studio_url() -> str | None:
    url = os.environ.get(STUDIO_URL_ENV) or conf.get("airloom", "studio_url", fallback=None)
    if not url:
        return None
    if not url.startswith(("http://", "https://")):
        raise ValueError(
            f"{STUDIO_URL_ENV} / [airloom] studio_url must be an absolute http(s) URL (Studio is "
            f"on the workflow builder's origin, not Airflow's); got {url!r}"
        )
    return url


def studio_views() -> list[dict[str, object]]:
    url = studio_url()
    if url is None:
        return []
    # A top-level entry that opens Studio itself (no url_route: not framed inside Airflow).
    return [{"name": VIEW_NAME, "href": url, "destination": "nav", "nav_top_level": True}]


class AirloomStudioPlugin(AirflowPlugin):
    name = "airloom_studio"
    external_views = studio_views()
