# The workflow builder (GraphQL, port 8001), the marketplace (REST, port 8002) and insights
# (REST, port 8004, insights.tf) on Fargate, behind an internal load balancer that API Gateway
# reaches through a VPC link. The builder and the marketplace share one PostgreSQL database;
# insights has its own (its tables and Alembic history are its own).

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  # image: the ECR repository the service runs from. Insights runs the marketplace's image (the
  # same project environment, which installs the insights package) with its own command.
  services = {
    workflow-builder = { port = 8001, path = "builder", url_variable = "AIRLOOM_BUILDER_DATABASE_URL", image = "workflow-builder" }
    marketplace      = { port = 8002, path = "marketplace", url_variable = "AIRLOOM_MARKETPLACE_DATABASE_URL", image = "marketplace" }
    insights         = { port = 8004, path = "insights", url_variable = "AIRLOOM_INSIGHTS_DATABASE_URL", image = "marketplace" }
  }
  images          = toset([for service in local.services : service.image])
  sagemaker_scope = "arn:aws:sagemaker:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}"
}

resource "aws_ecr_repository" "service" {
  for_each             = local.images
  name                 = "${var.name}/${each.key}"
  image_tag_mutability = "IMMUTABLE"
  image_scanning_configuration {
    scan_on_push = true
  }
  encryption_configuration {
    encryption_type = "KMS"
    kms_key         = var.kms_key_arn
  }
}

resource "aws_ecs_cluster" "this" {
  name = "${var.name}-services"
  setting {
    name  = "containerInsights"
    value = "enabled"
  }
}

module "database" {
  source                    = "../postgres"
  name                      = "${var.name}-services"
  database_name             = "airloom"
  username                  = "airloom"
  instance_class            = var.db_instance_class
  multi_az                  = var.db_multi_az
  deletion_protection       = var.deletion_protection
  vpc_id                    = var.vpc_id
  private_subnet_ids        = var.private_subnet_ids
  client_security_group_ids = [module.service["workflow-builder"].security_group_id, module.service["marketplace"].security_group_id]
  kms_key_arn               = var.kms_key_arn
}

data "aws_iam_policy_document" "builder" {
  # Its activity (workflow_published, api_call) goes to airloom.activity (activity.tf); with
  # MWAA Serverless, what publishing there takes (serverless.tf).
  source_policy_documents = concat(
    [data.aws_iam_policy_document.activity_producer.json],
    data.aws_iam_policy_document.builder_serverless[*].json,
  )
  # DAG files and their runs exist only with a provisioned MWAA environment.
  dynamic "statement" {
    for_each = local.provisioned_mwaa ? [1] : []
    content {
      sid       = "PublishDagFiles"
      actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
      resources = ["${var.mwaa_bucket_arn}/dags/*"]
    }
  }
  dynamic "statement" {
    for_each = local.provisioned_mwaa ? [1] : []
    content {
      sid       = "ListDagFiles"
      actions   = ["s3:ListBucket"]
      resources = [var.mwaa_bucket_arn]
    }
  }
  dynamic "statement" {
    for_each = local.provisioned_mwaa ? [1] : []
    content {
      sid       = "TriggerAndWatchRuns"
      actions   = ["airflow:InvokeRestApi"]
      resources = [var.mwaa_environment_arn]
    }
  }
  statement {
    sid       = "BucketEncryption"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }

  lifecycle {
    precondition {
      condition     = !local.provisioned_mwaa || alltrue([for value in [var.mwaa_environment_arn, var.mwaa_bucket, var.mwaa_bucket_arn, var.airflow_webserver_url] : value != null])
      error_message = "mwaa_environment_name needs mwaa_environment_arn, mwaa_bucket, mwaa_bucket_arn and airflow_webserver_url."
    }
    precondition {
      condition     = var.publish_target == "mwaa_serverless" || local.provisioned_mwaa
      error_message = "publish_target dag_file needs the MWAA environment (mwaa_environment_name, mwaa_environment_arn, mwaa_bucket, mwaa_bucket_arn, airflow_webserver_url)."
    }
    precondition {
      condition     = var.publish_target == "dag_file" || (local.serverless && var.serverless_role_arn_pattern != null && var.serverless_log_group_pattern != null)
      error_message = "publish_target mwaa_serverless needs serverless_definitions_s3_prefix, serverless_code_package_s3_uri, serverless_role_arn_pattern and serverless_log_group_pattern."
    }
    precondition {
      condition     = (var.serverless_sagemaker_image_uri == null) == (var.serverless_sagemaker_role_arn_pattern == null)
      error_message = "serverless_sagemaker_image_uri and serverless_sagemaker_role_arn_pattern go together: SageMaker training needs both."
    }
    precondition {
      condition     = (var.serverless_glue_role_arn_pattern == null) == (var.serverless_glue_stream_script_s3_uri == null) && (var.serverless_glue_python_files_s3_uri == null || var.serverless_glue_role_arn_pattern != null)
      error_message = "serverless_glue_role_arn_pattern and serverless_glue_stream_script_s3_uri go together (serverless_glue_python_files_s3_uri only with them): Glue streaming needs both."
    }
  }
}

data "aws_iam_policy_document" "marketplace" {
  # Its activity (deployment, invocation, api_call) goes to airloom.activity (activity.tf).
  source_policy_documents = [data.aws_iam_policy_document.activity_producer.json]
  dynamic "statement" {
    for_each = local.provisioned_mwaa ? [1] : []
    content {
      sid       = "RunDeployValidateBenchmarkDags"
      actions   = ["airflow:InvokeRestApi"]
      resources = [var.mwaa_environment_arn]
    }
  }
  statement {
    sid       = "ServeAndDescribeEndpoints"
    actions   = ["sagemaker:DescribeEndpoint", "sagemaker:InvokeEndpoint"]
    resources = ["${local.sagemaker_scope}:endpoint/airloom-*"]
  }
}

locals {
  task_policies = {
    workflow-builder = data.aws_iam_policy_document.builder.json
    marketplace      = data.aws_iam_policy_document.marketplace.json
    insights         = data.aws_iam_policy_document.insights.json
  }
  # Settings that name the provisioned environment are left out when there is none.
  mwaa_environment = local.provisioned_mwaa ? { AIRLOOM_MWAA_ENVIRONMENT = var.mwaa_environment_name } : {}
  service_environment = {
    workflow-builder = merge({
      AIRLOOM_BUILDER_GRAPHIQL = "false"
      # Validation tells a designer a model name is another tenant's (see docs/security.md).
      AIRLOOM_MLFLOW_TRACKING_URI = var.mlflow_tracking_uri
      # Studio as people's browsers reach it: the builder behind /<stage>/app/builder, the
      # marketplace beside it, Airflow on MWAA's own web server.
      AIRLOOM_BUILDER_PUBLIC_PATH     = "/${aws_api_gateway_stage.v1.stage_name}/app/builder"
      AIRLOOM_BUILDER_MARKETPLACE_URL = local.marketplace_public_url
      # Studio's Dashboard reads insights through its people's route (config.json's insightsUrl).
      AIRLOOM_BUILDER_INSIGHTS_URL = local.insights_public_url
      }, local.provisioned_mwaa ? {
      AIRLOOM_BUILDER_DAGS_FOLDER        = "s3://${var.mwaa_bucket}/dags"
      AIRLOOM_BUILDER_AIRFLOW_PUBLIC_URL = "https://${var.airflow_webserver_url}"
    } : {}, local.builder_publish_environment)
    marketplace = {
      AIRLOOM_MLFLOW_TRACKING_URI = var.mlflow_tracking_uri
    }
    insights = local.insights_environment
  }
  # Every service accepts the Cognito ID tokens Studio sends (servicekit.identity).
  sign_in_environment = {
    AIRLOOM_AUTH_OIDC_ISSUER      = "https://cognito-idp.${data.aws_region.current.name}.amazonaws.com/${aws_cognito_user_pool.people.id}"
    AIRLOOM_AUTH_OIDC_AUDIENCE    = aws_cognito_user_pool_client.studio.id
    AIRLOOM_AUTH_OIDC_ROLE_PREFIX = local.role_prefix
  }
  database = {
    workflow-builder = module.database
    marketplace      = module.database
    insights         = module.insights_database
  }
  environment = {
    for key, service in local.services : key => merge(local.service_environment[key], local.sign_in_environment, local.mwaa_environment, {
      # Activity events (docs/insights.md): an MSK IAM address, so the clients sign in with
      # the task role (airloom.kafka_clients.msk_iam_settings).
      AIRLOOM_KAFKA_BOOTSTRAP_SERVERS = var.kafka_bootstrap_servers
      AIRLOOM_DB_DRIVER               = "postgresql+psycopg"
      AIRLOOM_DB_HOST                 = local.database[key].address
      AIRLOOM_DB_PORT                 = tostring(local.database[key].port)
      AIRLOOM_DB_NAME                 = local.database[key].database_name
      AIRLOOM_DB_USER                 = local.database[key].username
      AIRLOOM_DB_URL_VARIABLE         = service.url_variable
    })
  }
}

module "service" {
  for_each       = local.services
  source         = "../ecs_service"
  name           = "${var.name}-${each.key}"
  cluster_arn    = aws_ecs_cluster.this.arn
  image          = "${aws_ecr_repository.service[each.value.image].repository_url}:${var.image_tag}"
  command        = lookup(local.commands, each.key, [])
  container_port = each.value.port
  cpu            = var.cpu
  memory         = var.memory
  desired_count  = var.desired_count
  subnet_ids     = var.private_subnet_ids
  vpc_id         = var.vpc_id
  vpc_cidr_block = var.vpc_cidr_block
  # MSK admits this group on its IAM listener (activity.tf).
  extra_security_group_ids = [aws_security_group.kafka_clients.id]

  load_balancer_security_group_id = aws_security_group.load_balancer.id
  target_group_arn                = aws_lb_target_group.service[each.key].arn
  kms_key_arn                     = var.kms_key_arn
  task_policy_json                = local.task_policies[each.key]
  environment                     = local.environment[each.key]
  secrets = {
    AIRLOOM_DB_PASSWORD = "${local.database[each.key].password_secret_arn}:password::"
  }
  secret_arns = [local.database[each.key].password_secret_arn]
}
