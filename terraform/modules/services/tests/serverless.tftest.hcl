# Offline plan of the services module's MWAA Serverless part (no AWS account): what the
# builder's task role may do to publish there — its definitions prefix, the code package's
# version, Airloom's workflows, and passing tenants' workflow roles to the service alone.
# Run by tests/integration/terraform.


mock_provider "aws" {
  # Computed values (ids, invoke_url) are known in the plan, so assertions can compare them.
  override_during = plan

  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
  # Placeholder values where the provider checks a value's shape (ARNs).
  mock_resource "aws_api_gateway_stage" {
    defaults = {
      invoke_url = "https://abc123.execute-api.eu-west-1.amazonaws.com/v1"
      arn        = "arn:aws:apigateway:eu-west-1::/restapis/abc123/stages/v1"
    }
  }
  mock_resource "aws_lb" {
    defaults = {
      dns_name = "internal-services.elb.eu-west-1.amazonaws.com"
      arn      = "arn:aws:elasticloadbalancing:eu-west-1:123456789012:loadbalancer/net/airloom-test-services/0123456789abcdef"
    }
  }
  mock_resource "aws_api_gateway_authorizer" {
    defaults = { id = "people1" }
  }
  mock_resource "aws_cognito_user_pool" {
    defaults = {
      id  = "eu-west-1_People1"
      arn = "arn:aws:cognito-idp:eu-west-1:123456789012:userpool/eu-west-1_People1"
    }
  }
  mock_resource "aws_cognito_user_pool_client" {
    defaults = { id = "studioclient1" }
  }
}

override_resource {
  target          = aws_api_gateway_resource.app_service["workflow-builder"]
  override_during = plan
  values          = { id = "appbuilder" }
}

override_resource {
  target          = aws_api_gateway_resource.app_service["marketplace"]
  override_during = plan
  values          = { id = "appmarketplace" }
}

variables {
  name                  = "airloom-test"
  vpc_id                = "vpc-0123456789abcdef0"
  vpc_cidr_block        = "10.20.0.0/16"
  private_subnet_ids    = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  mwaa_environment_name = "airloom-test"
  mwaa_environment_arn  = "arn:aws:airflow:eu-west-1:123456789012:environment/airloom-test"
  mwaa_bucket           = "airflow-test-123456789012"
  mwaa_bucket_arn       = "arn:aws:s3:::airflow-test-123456789012"
  mlflow_tracking_uri   = "http://mlflow.internal"
  access_log_bucket     = "airloom-test-access-logs"
  kms_key_arn           = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  airflow_webserver_url = "0000-abcd.c2.airflow.eu-west-1.on.aws"
  msk_cluster_arn       = "arn:aws:kafka:eu-west-1:123456789012:cluster/airloom-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2"
  # The IAM listener's addresses, as MSK gives them (airloom.kafka_clients turns on IAM auth).
  kafka_bootstrap_servers = "b-1.airloomtest.abc123.c2.kafka.eu-west-1.amazonaws.com:9098,b-2.airloomtest.abc123.c2.kafka.eu-west-1.amazonaws.com:9098"
  lake_bucket             = "airloom-test-lake-data-123456789012"
  lake_bucket_arn         = "arn:aws:s3:::airloom-test-lake-data-123456789012"
}


override_resource {
  target          = aws_api_gateway_resource.app_service["insights"]
  override_during = plan
  values          = { id = "appinsights" }
}

override_resource {
  target          = aws_api_gateway_resource.app
  override_during = plan
  values          = { id = "app1" }
}

override_resource {
  target          = module.database.aws_db_instance.this
  override_during = plan
  values = {
    address            = "services-db.internal", port = 5432, db_name = "airloom", username = "airloom"
    master_user_secret = [{ secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-services-AbCdEf", kms_key_id = "", secret_status = "active" }]
  }
}

override_resource {
  target          = module.insights_database.aws_db_instance.this
  override_during = plan
  values = {
    address            = "insights-db.internal", port = 5432, db_name = "insights", username = "airloom"
    master_user_secret = [{ secret_arn = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:rds!db-insights-AbCdEf", kms_key_id = "", secret_status = "active" }]
  }
}

run "the_builder_publishes_and_passes_only_tenant_workflow_roles" {
  command = plan

  variables {
    serverless_definitions_s3_prefix = "s3://airflow-test-123456789012/serverless/definitions"
    serverless_code_package_s3_uri   = "s3://airflow-test-123456789012/serverless/airloom-code.zip"
  }

  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.builder_serverless[0].statement :
      statement.actions == toset(["iam:PassRole"]) &&
      statement.resources == toset(["arn:aws:iam::123456789012:role/airloom-test-*-workflows"]) &&
      jsonencode(statement.condition) == jsonencode(toset([{ test = "StringEquals", variable = "iam:PassedToService", values = ["airflow-serverless.amazonaws.com"] }]))
    ])
    error_message = "The builder may pass the tenants' workflow roles, to MWAA Serverless only."
  }
  assert {
    condition = length([
      for statement in data.aws_iam_policy_document.builder_serverless[0].statement : statement if contains(statement.actions, "iam:PassRole")
    ]) == 1
    error_message = "No other role may be passed."
  }
  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.builder_serverless[0].statement :
      contains(statement.actions, "s3:PutObject") && statement.resources == toset(["arn:aws:s3:::airflow-test-123456789012/serverless/definitions/*"])
      ]) && anytrue([
      for statement in data.aws_iam_policy_document.builder_serverless[0].statement :
      contains(statement.actions, "s3:GetObjectVersion") && !contains(statement.actions, "s3:PutObject") &&
      statement.resources == toset(["arn:aws:s3:::airflow-test-123456789012/serverless/airloom-code.zip"])
    ])
    error_message = "The builder writes definitions under its prefix and only reads the code package."
  }
  assert {
    condition = alltrue([
      for statement in data.aws_iam_policy_document.builder_serverless[0].statement :
      statement.resources == toset(["arn:aws:airflow-serverless:eu-west-1:123456789012:workflow/wf-*"])
      if contains(statement.actions, "airflow-serverless:CreateWorkflow")
    ])
    error_message = "The builder creates, runs and watches Airloom's workflows (wf-*) only."
  }
}

run "without_serverless_settings_the_builder_has_no_serverless_permission" {
  command = plan

  assert {
    condition     = length(data.aws_iam_policy_document.builder_serverless) == 0
    error_message = "A deployment publishing DAG files gives the builder nothing on MWAA Serverless."
  }
}
