# The workflow builder (GraphQL, port 8001) and the marketplace (REST, port 8002) on Fargate,
# sharing one PostgreSQL database, behind an internal load balancer that API Gateway reaches
# through a VPC link.

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  services = {
    workflow-builder = { port = 8001, path = "builder", url_variable = "AIRLOOM_BUILDER_DATABASE_URL" }
    marketplace      = { port = 8002, path = "marketplace", url_variable = "AIRLOOM_MARKETPLACE_DATABASE_URL" }
  }
  sagemaker_scope = "arn:aws:sagemaker:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}"
}

resource "aws_ecr_repository" "service" {
  for_each             = local.services
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
  statement {
    sid       = "PublishDagFiles"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${var.mwaa_bucket_arn}/dags/*"]
  }
  statement {
    sid       = "ListDagFiles"
    actions   = ["s3:ListBucket"]
    resources = [var.mwaa_bucket_arn]
  }
  statement {
    sid       = "TriggerAndWatchRuns"
    actions   = ["airflow:InvokeRestApi"]
    resources = [var.mwaa_environment_arn]
  }
  statement {
    sid       = "BucketEncryption"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }
}

data "aws_iam_policy_document" "marketplace" {
  statement {
    sid       = "RunDeployValidateBenchmarkDags"
    actions   = ["airflow:InvokeRestApi"]
    resources = [var.mwaa_environment_arn]
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
  }
  service_environment = {
    workflow-builder = {
      AIRLOOM_BUILDER_DAGS_FOLDER = "s3://${var.mwaa_bucket}/dags"
      AIRLOOM_BUILDER_GRAPHIQL    = "false"
      # Validation tells a designer a model name is another tenant's (see docs/security.md).
      AIRLOOM_MLFLOW_TRACKING_URI = var.mlflow_tracking_uri
      # Studio as people's browsers reach it: the builder behind /<stage>/app/builder, the
      # marketplace beside it, Airflow on MWAA's own web server.
      AIRLOOM_BUILDER_PUBLIC_PATH        = "/${aws_api_gateway_stage.v1.stage_name}/app/builder"
      AIRLOOM_BUILDER_MARKETPLACE_URL    = local.marketplace_public_url
      AIRLOOM_BUILDER_AIRFLOW_PUBLIC_URL = "https://${var.airflow_webserver_url}"
    }
    marketplace = {
      AIRLOOM_MLFLOW_TRACKING_URI = var.mlflow_tracking_uri
    }
  }
  # Both services accept the Cognito ID tokens Studio sends (servicekit.identity).
  sign_in_environment = {
    AIRLOOM_AUTH_OIDC_ISSUER      = "https://cognito-idp.${data.aws_region.current.name}.amazonaws.com/${aws_cognito_user_pool.people.id}"
    AIRLOOM_AUTH_OIDC_AUDIENCE    = aws_cognito_user_pool_client.studio.id
    AIRLOOM_AUTH_OIDC_ROLE_PREFIX = local.role_prefix
  }
  environment = {
    for key, service in local.services : key => merge(local.service_environment[key], local.sign_in_environment, {
      AIRLOOM_MWAA_ENVIRONMENT = var.mwaa_environment_name
      AIRLOOM_DB_DRIVER        = "postgresql+psycopg"
      AIRLOOM_DB_HOST          = module.database.address
      AIRLOOM_DB_PORT          = tostring(module.database.port)
      AIRLOOM_DB_NAME          = module.database.database_name
      AIRLOOM_DB_USER          = module.database.username
      AIRLOOM_DB_URL_VARIABLE  = service.url_variable
    })
  }
}

module "service" {
  for_each       = local.services
  source         = "../ecs_service"
  name           = "${var.name}-${each.key}"
  cluster_arn    = aws_ecs_cluster.this.arn
  image          = "${aws_ecr_repository.service[each.key].repository_url}:${var.image_tag}"
  container_port = each.value.port
  cpu            = var.cpu
  memory         = var.memory
  desired_count  = var.desired_count
  subnet_ids     = var.private_subnet_ids
  vpc_id         = var.vpc_id
  vpc_cidr_block = var.vpc_cidr_block

  load_balancer_security_group_id = aws_security_group.load_balancer.id
  target_group_arn                = aws_lb_target_group.service[each.key].arn
  kms_key_arn                     = var.kms_key_arn
  task_policy_json                = local.task_policies[each.key]
  environment                     = local.environment[each.key]
  secrets = {
    AIRLOOM_DB_PASSWORD = "${module.database.password_secret_arn}:password::"
  }
  secret_arns = [module.database.password_secret_arn]
}
