"""Publishing to Amazon MWAA Serverless and running workflows there (docs/mwaa_serverless.md).

:mod:`.locations` and :mod:`.roles` check the deployment's settings, :mod:`.publisher` uploads a
version's definition and creates or updates the service's workflow under the tenant's role,
:mod:`.states` maps the service's states onto Airflow's, and :mod:`.client` answers the
builder's run operations through the service's API behind the AirflowClient interface.
"""
