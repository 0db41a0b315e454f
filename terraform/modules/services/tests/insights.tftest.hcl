# Offline plan of the services module's insights parts (no AWS account): its routes, what it
# and the other services are told, and what their roles may do with the lake and the activity
# topic. Run by tests/integration/terraform.

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

run "programs_and_people_reach_insights" {
  command = plan

  assert {
    condition = (
      aws_api_gateway_resource.service["insights"].path_part == "insights" &&
      aws_api_gateway_method.proxy["insights"].api_key_required &&
      aws_api_gateway_method.proxy["insights"].authorization == "NONE"
    )
    error_message = "Programs call /insights/{proxy+} with an API key (their usage plan's quota and rate)."
  }
  assert {
    condition     = aws_api_gateway_integration.proxy["insights"].uri == "http://${aws_lb.services.dns_name}:8004/{proxy}"
    error_message = "/insights/{proxy} must reach the insights service's /{proxy} on port 8004."
  }
  assert {
    condition = (
      aws_api_gateway_resource.app_service["insights"].path_part == "insights" &&
      aws_api_gateway_resource.app_service["insights"].parent_id == "app1" &&
      aws_api_gateway_method.app_proxy["insights"].authorization == "COGNITO_USER_POOLS" &&
      aws_api_gateway_method.app_proxy["insights"].authorizer_id == "people1" &&
      !aws_api_gateway_method.app_proxy["insights"].api_key_required
    )
    error_message = "People reach /app/insights/{proxy+} with their Cognito ID token, no key."
  }
  assert {
    condition     = aws_api_gateway_integration.app_proxy["insights"].uri == "http://${aws_lb.services.dns_name}:8004/{proxy}"
    error_message = "/app/insights/{proxy} must reach the insights service's /{proxy}."
  }
  assert {
    condition = (
      aws_lb_listener.service["insights"].port == 8004 &&
      aws_lb_target_group.service["insights"].port == 8004 &&
      aws_lb_target_group.service["insights"].health_check[0].path == "/healthz"
    )
    error_message = "The load balancer forwards 8004 to insights tasks that answer /healthz."
  }
  assert {
    condition = alltrue([
      for rule in aws_security_group.load_balancer.ingress : rule.from_port <= 8004 && rule.to_port >= 8004
    ])
    error_message = "The load balancer accepts the insights port from the VPC (VPC link, MWAA's DAGs)."
  }
  assert {
    condition     = output.insights_url == "https://abc123.execute-api.eu-west-1.amazonaws.com/v1/app/insights"
    error_message = "insights_url is <invoke_url>/app/insights."
  }
  assert {
    condition     = local.environment["workflow-builder"].AIRLOOM_BUILDER_INSIGHTS_URL == output.insights_url
    error_message = "Studio's Dashboard (config.json's insightsUrl) reads insights through the people's route."
  }
  assert {
    condition     = output.insights_internal_url == "http://internal-services.elb.eu-west-1.amazonaws.com:8004"
    error_message = "MWAA's DAGs reach insights on the internal load balancer's port 8004."
  }
}

run "insights_is_configured_for_aws" {
  command = plan

  assert {
    condition = (
      local.environment["insights"].AIRLOOM_INSIGHTS_LAKE_URI == "s3://airloom-test-lake-data-123456789012" &&
      local.environment["insights"].AIRLOOM_INSIGHTS_RATES_ENVIRONMENT == "aws" &&
      local.environment["insights"].AIRLOOM_INSIGHTS_ACTIVITY_TOPIC == "airloom.activity" &&
      local.environment["insights"].AIRLOOM_INSIGHTS_CONSUMER_GROUP == "airloom-insights" &&
      local.environment["insights"].AIRLOOM_INSIGHTS_MLFLOW_TRACKING_URI == "http://mlflow.internal"
    )
    error_message = "Insights lands activity in the lake bucket, prices with the AWS rates and reads MLflow."
  }
  assert {
    condition = (
      local.environment["insights"].AIRLOOM_DB_URL_VARIABLE == "AIRLOOM_INSIGHTS_DATABASE_URL" &&
      local.environment["insights"].AIRLOOM_DB_NAME == "insights" &&
      local.environment["insights"].AIRLOOM_DB_HOST == "insights-db.internal" &&
      local.environment["marketplace"].AIRLOOM_DB_HOST == "services-db.internal" &&
      local.environment["workflow-builder"].AIRLOOM_DB_HOST == "services-db.internal"
    )
    error_message = "Insights keeps its tables in its own database; the builder and marketplace share theirs."
  }
  assert {
    condition = alltrue([
      for key in ["workflow-builder", "marketplace", "insights"] :
      local.environment[key].AIRLOOM_KAFKA_BOOTSTRAP_SERVERS == var.kafka_bootstrap_servers
    ])
    error_message = "Every service sends activity to MSK's IAM listener (AIRLOOM_KAFKA_BOOTSTRAP_SERVERS)."
  }
  assert {
    condition = (
      local.services["insights"].image == "marketplace" &&
      length(aws_ecr_repository.service) == 2 &&
      contains(local.commands["insights"], "insights.app:create_app") &&
      contains(local.commands["insights"], "--factory") &&
      contains(local.commands["insights"], "8004")
    )
    error_message = "Insights runs the marketplace's image with its own command: the app factory on 8004."
  }
  assert {
    condition = alltrue([
      for rule in aws_security_group.kafka_clients.egress : rule.from_port == 9098 && rule.to_port == 9098 && tolist(rule.cidr_blocks) == tolist([var.vpc_cidr_block])
    ])
    error_message = "The services' Kafka group only lets them out to MSK's IAM listener."
  }
}

run "producers_may_only_write_activity" {
  command = plan

  assert {
    condition = alltrue(flatten([
      for statement in data.aws_iam_policy_document.activity_producer.statement : [
        for resource in statement.resources : contains([
          var.msk_cluster_arn,
          "arn:aws:kafka:eu-west-1:123456789012:topic/airloom-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2/airloom.activity",
        ], resource)
      ]
    ]))
    error_message = "A producer's policy names the cluster and the airloom.activity topic only."
  }
  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.activity_producer.statement :
      contains(statement.actions, "kafka-cluster:WriteData") && contains(statement.resources, "arn:aws:kafka:eu-west-1:123456789012:topic/airloom-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2/airloom.activity")
    ])
    error_message = "The builder and marketplace may write to airloom.activity."
  }
  assert {
    condition = !anytrue([
      for statement in data.aws_iam_policy_document.activity_producer.statement :
      contains(statement.actions, "kafka-cluster:ReadData") || contains(statement.actions, "kafka-cluster:AlterGroup")
    ])
    error_message = "Producers never read activity (only insights does)."
  }
  assert {
    condition = (
      contains(data.aws_iam_policy_document.builder.source_policy_documents, data.aws_iam_policy_document.activity_producer.json) &&
      contains(data.aws_iam_policy_document.marketplace.source_policy_documents, data.aws_iam_policy_document.activity_producer.json)
    )
    error_message = "The builder's and the marketplace's task policies include the producer's."
  }
}

run "insights_reads_only_its_topic_group_and_lake_areas" {
  command = plan

  assert {
    condition = alltrue(flatten([
      for statement in data.aws_iam_policy_document.insights.statement : [
        for resource in statement.resources : contains([
          var.lake_bucket_arn,
          "${var.lake_bucket_arn}/_airloom/activity*",
          "${var.lake_bucket_arn}/_airloom/reports/*",
          "${var.lake_bucket_arn}/_airloom/",
          var.kms_key_arn,
          var.msk_cluster_arn,
          "arn:aws:kafka:eu-west-1:123456789012:topic/airloom-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2/airloom.activity",
          "arn:aws:kafka:eu-west-1:123456789012:topic/airloom-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2/airloom.activity.dead_letters",
          "arn:aws:kafka:eu-west-1:123456789012:group/airloom-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2/airloom-insights",
        ], resource)
      ]
    ]))
    error_message = "Insights may touch only the lake's activity and report areas, its topics and its group: never a tenant's dataset or another topic."
  }
  assert {
    condition = alltrue([
      for statement in data.aws_iam_policy_document.insights.statement :
      !contains(statement.actions, "s3:PutObject") || !contains(statement.resources, "${var.lake_bucket_arn}/_airloom/reports/*")
    ])
    error_message = "Reports are MWAA's to write: insights only reads them."
  }
  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.insights.statement :
      contains(statement.actions, "kafka-cluster:ReadData") && contains(statement.resources, "arn:aws:kafka:eu-west-1:123456789012:topic/airloom-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2/airloom.activity")
    ])
    error_message = "Insights consumes airloom.activity."
  }
  assert {
    condition = alltrue([
      for statement in data.aws_iam_policy_document.insights.statement :
      !contains(statement.actions, "kafka-cluster:WriteData") || statement.resources == toset(["arn:aws:kafka:eu-west-1:123456789012:topic/airloom-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2/airloom.activity.dead_letters"])
    ])
    error_message = "Insights writes only dead letters, never activity itself."
  }
  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.insights.statement :
      contains(statement.actions, "kafka-cluster:AlterGroup") && contains(statement.resources, "arn:aws:kafka:eu-west-1:123456789012:group/airloom-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2/airloom-insights")
    ])
    error_message = "Insights commits offsets in its own consumer group."
  }
  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.insights.statement :
      contains(statement.actions, "s3:ListBucket") && length(statement.condition) == 1 && alltrue([
        for condition in statement.condition : condition.variable == "s3:prefix" && !contains(condition.values, "*")
      ])
    ])
    error_message = "Insights lists the lake bucket only under its own prefixes."
  }
}

run "questions_stay_offline_unless_a_bedrock_model_is_given" {
  command = plan

  assert {
    condition     = !contains(keys(local.environment["insights"]), "AIRLOOM_INSIGHTS_TRANSLATOR")
    error_message = "Without a model id, insights keeps its offline translator."
  }
  assert {
    condition = !anytrue([
      for statement in data.aws_iam_policy_document.insights.statement : contains(statement.actions, "bedrock:InvokeModel")
    ])
    error_message = "Without a model id, insights may call no Bedrock model."
  }
}

run "questions_read_by_a_bedrock_inference_profile" {
  command = plan

  variables {
    insights_bedrock_model_id = "eu.anthropic.claude-3-haiku-20240307-v1:0"
  }

  assert {
    condition = (
      local.environment["insights"].AIRLOOM_INSIGHTS_TRANSLATOR == "bedrock" &&
      local.environment["insights"].AIRLOOM_INSIGHTS_BEDROCK_MODEL_ID == "eu.anthropic.claude-3-haiku-20240307-v1:0"
    )
    error_message = "A model id turns on the Bedrock translator with that model."
  }
  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.insights.statement :
      statement.actions == toset(["bedrock:InvokeModel"]) && statement.resources == toset([
        "arn:aws:bedrock:eu-west-1:123456789012:inference-profile/eu.anthropic.claude-3-haiku-20240307-v1:0",
        "arn:aws:bedrock:*::foundation-model/anthropic.claude-3-haiku-20240307-v1:0",
      ])
    ])
    error_message = "Insights may invoke the profile and its foundation model only."
  }
}

run "questions_read_by_a_bedrock_model_in_the_region" {
  command = plan

  variables {
    insights_bedrock_model_id = "amazon.nova-lite-v1:0"
  }

  assert {
    condition = anytrue([
      for statement in data.aws_iam_policy_document.insights.statement :
      statement.resources == toset(["arn:aws:bedrock:eu-west-1::foundation-model/amazon.nova-lite-v1:0"])
    ])
    error_message = "A model id without a profile prefix is the region's foundation model."
  }
}

run "a_bad_bedrock_model_id_is_refused" {
  command = plan

  variables {
    insights_bedrock_model_id = "claude haiku"
  }

  expect_failures = [var.insights_bedrock_model_id]
}

run "a_bad_msk_cluster_arn_is_refused" {
  command = plan

  variables {
    msk_cluster_arn = "airloom-test"
  }

  expect_failures = [var.msk_cluster_arn]
}
