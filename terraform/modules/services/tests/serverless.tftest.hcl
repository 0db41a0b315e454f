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
  mock_data "aws_subnet" {
    defaults = { availability_zone = "eu-west-1a" }
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

# The groups the workflows are placed in, with ids known at plan.
override_resource {
  target          = aws_security_group.serverless_workflows
  override_during = plan
  values          = { id = "sg-0workflows" }
}

override_resource {
  target          = aws_security_group.kafka_clients
  override_during = plan
  values          = { id = "sg-0kafkaclients" }
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

run "publishing_to_mwaa_serverless_the_builder_gets_every_setting_it_needs" {
  command = plan

  variables {
    publish_target                        = "mwaa_serverless"
    serverless_definitions_s3_prefix      = "s3://airloom-test-serverless-123456789012/serverless/definitions"
    serverless_code_package_s3_uri        = "s3://airloom-test-serverless-123456789012/serverless/airloom-code.zip"
    serverless_role_arn_pattern           = "arn:aws:iam::123456789012:role/airloom-test-{tenant}-workflows"
    serverless_log_group_pattern          = "/airloom-test/workflows/{tenant}"
    serverless_sagemaker_image_uri        = "123456789012.dkr.ecr.eu-west-1.amazonaws.com/airloom-test/sagemaker-training:1.4.0"
    serverless_sagemaker_role_arn_pattern = "arn:aws:iam::123456789012:role/airloom-test-{tenant}-training"
    serverless_sagemaker_mlflow_secret_id = "airflow/connections/airloom_mlflow"
    serverless_glue_role_arn_pattern      = "arn:aws:iam::123456789012:role/airloom-test-{tenant}-glue-streaming"
    serverless_glue_stream_script_s3_uri  = "s3://airloom-test-serverless-123456789012/serverless/glue/glue_stream_entrypoint.py"
    serverless_glue_python_files_s3_uri   = "s3://airloom-test-serverless-123456789012/serverless/glue/airloom-glue.zip"
  }

  assert {
    condition = (
      local.environment["workflow-builder"].AIRLOOM_BUILDER_PUBLISH_TARGET == "mwaa_serverless" &&
      local.environment["workflow-builder"].AIRLOOM_BUILDER_SERVERLESS_DEFINITIONS == "s3://airloom-test-serverless-123456789012/serverless/definitions" &&
      local.environment["workflow-builder"].AIRLOOM_BUILDER_SERVERLESS_CODE_PACKAGE == "s3://airloom-test-serverless-123456789012/serverless/airloom-code.zip" &&
      local.environment["workflow-builder"].AIRLOOM_BUILDER_SERVERLESS_ROLE_ARN_PATTERN == "arn:aws:iam::123456789012:role/airloom-test-{tenant}-workflows" &&
      local.environment["workflow-builder"].AIRLOOM_BUILDER_SERVERLESS_LOG_GROUP == "/airloom-test/workflows/{tenant}" &&
      local.environment["workflow-builder"].AIRLOOM_BUILDER_SERVERLESS_SUBNET_IDS == "[\"subnet-0123456789abcdef0\",\"subnet-0123456789abcdef1\"]" &&
      local.environment["workflow-builder"].AIRLOOM_BUILDER_SERVERLESS_SECURITY_GROUP_IDS == "[\"sg-0workflows\",\"sg-0kafkaclients\"]" &&
      local.environment["workflow-builder"].AIRLOOM_BUILDER_SERVERLESS_PRIVATE_NETWORK == "true" &&
      local.environment["workflow-builder"].AIRLOOM_BUILDER_SERVERLESS_INTERNET == "true" &&
      local.environment["workflow-builder"].AIRLOOM_BUILDER_SERVERLESS_KAFKA_IS_MSK == "true" &&
      local.environment["workflow-builder"].AIRLOOM_BUILDER_SERVERLESS_SPARK_ON_EMR_SERVERLESS == "false" &&
      local.environment["workflow-builder"].AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_TRAINING == "true" &&
      local.environment["workflow-builder"].AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_IMAGE_URI == "123456789012.dkr.ecr.eu-west-1.amazonaws.com/airloom-test/sagemaker-training:1.4.0" &&
      local.environment["workflow-builder"].AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_ROLE_ARN_PATTERN == "arn:aws:iam::123456789012:role/airloom-test-{tenant}-training" &&
      local.environment["workflow-builder"].AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_MLFLOW_SECRET_ID == "airflow/connections/airloom_mlflow" &&
      local.environment["workflow-builder"].AIRLOOM_BUILDER_SERVERLESS_SPARK_STREAM_ON_GLUE == "true" &&
      local.environment["workflow-builder"].AIRLOOM_BUILDER_SERVERLESS_GLUE_ROLE_ARN_PATTERN == "arn:aws:iam::123456789012:role/airloom-test-{tenant}-glue-streaming" &&
      local.environment["workflow-builder"].AIRLOOM_BUILDER_SERVERLESS_GLUE_STREAM_SCRIPT == "s3://airloom-test-serverless-123456789012/serverless/glue/glue_stream_entrypoint.py" &&
      local.environment["workflow-builder"].AIRLOOM_BUILDER_SERVERLESS_GLUE_PYTHON_FILES == "s3://airloom-test-serverless-123456789012/serverless/glue/airloom-glue.zip" &&
      local.environment["workflow-builder"].AIRLOOM_BUILDER_SERVERLESS_GLUE_CONNECTION == "airloom-test-streaming"
    )
    error_message = "The builder's task is given the MWAA Serverless target and every setting publishing there takes, lists as JSON."
  }
  assert {
    condition = length([
      for name in keys(local.environment["workflow-builder"]) : name
      if startswith(name, "AIRLOOM_BUILDER_PUBLISH_") || startswith(name, "AIRLOOM_BUILDER_SERVERLESS_")
    ]) == 20
    error_message = "The builder is given those 20 settings and no other of MWAA Serverless."
  }
  assert {
    condition     = aws_glue_connection.streaming[0].connection_type == "NETWORK" && aws_glue_connection.streaming[0].physical_connection_requirements[0].subnet_id == "subnet-0123456789abcdef0"
    error_message = "Glue streaming jobs reach MSK through a NETWORK connection in a private subnet."
  }
  assert {
    condition     = !contains(keys(local.environment["marketplace"]), "AIRLOOM_BUILDER_PUBLISH_TARGET") && !contains(keys(local.environment["insights"]), "AIRLOOM_BUILDER_SERVERLESS_DEFINITIONS")
    error_message = "Only the builder publishes: the other services get none of its settings."
  }
}

run "a_stack_without_provisioned_mwaa_gives_no_dag_file_or_airflow_settings" {
  command = plan

  variables {
    publish_target                   = "mwaa_serverless"
    mwaa_environment_name            = null
    mwaa_environment_arn             = null
    mwaa_bucket                      = null
    mwaa_bucket_arn                  = null
    airflow_webserver_url            = null
    serverless_definitions_s3_prefix = "s3://airloom-test-serverless-123456789012/serverless/definitions"
    serverless_code_package_s3_uri   = "s3://airloom-test-serverless-123456789012/serverless/airloom-code.zip"
    serverless_role_arn_pattern      = "arn:aws:iam::123456789012:role/airloom-test-{tenant}-workflows"
    serverless_log_group_pattern     = "/airloom-test/workflows/{tenant}"
  }

  assert {
    condition = alltrue([
      for name in ["AIRLOOM_BUILDER_DAGS_FOLDER", "AIRLOOM_BUILDER_AIRFLOW_PUBLIC_URL", "AIRLOOM_MWAA_ENVIRONMENT"] :
      !contains(keys(local.environment["workflow-builder"]), name)
    ]) && !contains(keys(local.environment["marketplace"]), "AIRLOOM_MWAA_ENVIRONMENT")
    error_message = "Without a provisioned environment no service is told of one."
  }
  assert {
    condition = (
      local.environment["workflow-builder"].AIRLOOM_BUILDER_SERVERLESS_SAGEMAKER_TRAINING == "false" &&
      local.environment["workflow-builder"].AIRLOOM_BUILDER_SERVERLESS_SPARK_STREAM_ON_GLUE == "false" &&
      !contains(keys(local.environment["workflow-builder"]), "AIRLOOM_BUILDER_SERVERLESS_GLUE_CONNECTION") &&
      length(aws_glue_connection.streaming) == 0
    )
    error_message = "Without a training image or Glue role those redirects are off, and no Glue connection is made."
  }
  assert {
    condition = !anytrue([
      for statement in data.aws_iam_policy_document.builder.statement : contains(statement.actions, "airflow:InvokeRestApi")
    ])
    error_message = "The builder may call no MWAA environment when there is none."
  }
}

run "a_dag_file_deployment_gives_the_builder_no_serverless_setting" {
  command = plan

  variables {
    serverless_definitions_s3_prefix = "s3://airflow-test-123456789012/serverless/definitions"
    serverless_code_package_s3_uri   = "s3://airflow-test-123456789012/serverless/airloom-code.zip"
  }

  assert {
    condition = length([
      for name in keys(local.environment["workflow-builder"]) : name
      if startswith(name, "AIRLOOM_BUILDER_PUBLISH_") || startswith(name, "AIRLOOM_BUILDER_SERVERLESS_")
    ]) == 0 && local.environment["workflow-builder"].AIRLOOM_BUILDER_DAGS_FOLDER == "s3://airflow-test-123456789012/dags"
    error_message = "On the dag_file path the builder publishes DAG files and is given no MWAA Serverless setting."
  }
  assert {
    condition     = length(aws_security_group.serverless_workflows) == 0 && length(aws_glue_connection.streaming) == 0
    error_message = "No workflow network is made for a deployment that does not publish there."
  }
}

run "mwaa_serverless_without_its_role_pattern_is_refused" {
  command = plan

  variables {
    publish_target                   = "mwaa_serverless"
    serverless_definitions_s3_prefix = "s3://airflow-test-123456789012/serverless/definitions"
    serverless_code_package_s3_uri   = "s3://airflow-test-123456789012/serverless/airloom-code.zip"
  }

  expect_failures = [data.aws_iam_policy_document.builder]
}

run "a_role_pattern_without_its_tenant_placeholder_is_refused" {
  command = plan

  variables {
    serverless_role_arn_pattern = "arn:aws:iam::123456789012:role/airloom-test-acme-workflows"
    publish_target              = "airflow"
  }

  expect_failures = [var.serverless_role_arn_pattern, var.publish_target]
}
