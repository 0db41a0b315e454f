"""The MWAA Serverless publish target: a workflow version as the service's YAML definition.

:mod:`.definition` compiles it, :mod:`.placement` decides which nodes the service's workers
can run, :mod:`.schema_rules` checks a definition against the service's published rules, all
of them declared in :mod:`.service_rules`.
"""
