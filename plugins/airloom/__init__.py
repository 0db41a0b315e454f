"""Airloom's Airflow side: operators, hooks, Spark jobs, quality checks and the workflow spec.

This package lives in Airflow's plugins folder (as on MWAA, where it ships in ``plugins.zip``)
and is also installed as the ``airloom`` package so the services share the same code.
Keep imports here cheap: DAG files import it while Airflow parses them.
"""

__version__ = "0.1.0"
