from workflow_builder_api.cli import cli

cli()
