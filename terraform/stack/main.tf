# One Airloom environment: every module, wired in the order they must exist.

locals {
  name = "airloom-${var.environment}"

  # airflow_target: a provisioned MWAA environment, or none and MWAA Serverless.
  provisioned_mwaa = var.airflow_target == "mwaa"

  # MWAA Serverless: where the builder uploads each tenant's definitions (<prefix>/<tenant>/…)
  # and `airloom code-package --upload` puts the code package: the MWAA bucket, or without
  # the environment a bucket of their own; both are versioned.
  serverless_bucket             = local.provisioned_mwaa ? module.mwaa[0].bucket_name : module.serverless_bucket[0].name
  serverless_definitions_prefix = "s3://${local.serverless_bucket}/serverless/definitions"
  serverless_code_package_uri   = "s3://${local.serverless_bucket}/serverless/airloom-code.zip"
  # Platform connections a workflow's nodes read; airloom_insights holds every tenant's
  # insights tokens and is left out.
  serverless_platform_connections = ["airloom_kafka", "airloom_lake", "airloom_mlflow"]
}

data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

module "baseline" {
  source        = "../modules/baseline"
  name          = local.name
  force_destroy = !var.protect_from_deletion
}

module "network" {
  source             = "../modules/network"
  name               = local.name
  cidr_block         = var.vpc_cidr_block
  availability_zones = var.availability_zones
  single_nat_gateway = var.single_nat_gateway
  kms_key_arn        = module.baseline.kms_key_arn
  interface_endpoints = var.interface_endpoints != null ? var.interface_endpoints : (
    local.provisioned_mwaa ? null : ["logs", "monitoring", "kms", "secretsmanager", "sts", "ecr.api", "ecr.dkr"]
  )
}

module "lake" {
  source            = "../modules/lake"
  name              = local.name
  kms_key_arn       = module.baseline.kms_key_arn
  access_log_bucket = module.baseline.access_log_bucket
  force_destroy     = !var.protect_from_deletion
}

module "serving" {
  source            = "../modules/serving"
  name              = local.name
  models_bucket_arn = module.lake.models_bucket_arn
  kms_key_arn       = module.baseline.kms_key_arn
}

module "msk" {
  source               = "../modules/msk"
  name                 = local.name
  broker_instance_type = var.kafka_broker_instance_type
  brokers_per_zone     = var.kafka_brokers_per_zone
  vpc_id               = module.network.vpc_id
  private_subnet_ids   = module.network.private_subnet_ids
  kms_key_arn          = module.baseline.kms_key_arn
  # MWAA's workers produce and consume; the services send activity and insights consumes it;
  # MWAA Serverless workflows and Glue streaming jobs are in the services' Kafka client group.
  client_security_group_ids = concat(local.provisioned_mwaa ? [module.mwaa[0].security_group_id] : [], [module.services.kafka_client_security_group_id])
}

module "mwaa" {
  source                       = "../modules/mwaa"
  count                        = local.provisioned_mwaa ? 1 : 0
  name                         = local.name
  airflow_version              = var.airflow_version
  environment_class            = var.mwaa_environment_class
  min_workers                  = var.mwaa_min_workers
  max_workers                  = var.mwaa_max_workers
  schedulers                   = var.mwaa_schedulers
  vpc_id                       = module.network.vpc_id
  private_subnet_ids           = module.network.private_subnet_ids
  kms_key_arn                  = module.baseline.kms_key_arn
  access_log_bucket            = module.baseline.access_log_bucket
  lake_bucket_arns             = module.lake.bucket_arns
  msk_cluster_arn              = module.msk.cluster_arn
  sagemaker_execution_role_arn = module.serving.sagemaker_execution_role_arn
  force_destroy                = !var.protect_from_deletion
  studio_url                   = var.studio_url
  # The names tenant_aws_access gives its roles: its outputs cannot be used, they depend on this role.
  tenant_role_names = [for tenant in keys(var.tenants) : "${local.name}-tenant-${tenant}"]
}

# Without a provisioned environment, the versioned bucket of MWAA Serverless's definitions and
# code package (and the Glue streaming job's code beside it).
module "serverless_bucket" {
  source            = "../modules/s3_bucket"
  count             = local.provisioned_mwaa ? 0 : 1
  bucket_name       = "${local.name}-serverless-${data.aws_caller_identity.current.account_id}"
  kms_key_arn       = module.baseline.kms_key_arn
  access_log_bucket = module.baseline.access_log_bucket
  force_destroy     = !var.protect_from_deletion
}

module "mlflow" {
  source              = "../modules/mlflow"
  name                = local.name
  image_tag           = var.image_tag
  desired_count       = var.service_desired_count
  db_instance_class   = var.db_instance_class
  db_multi_az         = var.db_multi_az
  deletion_protection = var.protect_from_deletion
  vpc_id              = module.network.vpc_id
  vpc_cidr_block      = module.network.vpc_cidr_block
  private_subnet_ids  = module.network.private_subnet_ids
  artifact_bucket     = module.lake.models_bucket
  artifact_bucket_arn = module.lake.models_bucket_arn
  kms_key_arn         = module.baseline.kms_key_arn
  access_log_bucket   = module.baseline.access_log_bucket
}

module "services" {
  source                          = "../modules/services"
  name                            = local.name
  image_tag                       = var.image_tag
  desired_count                   = var.service_desired_count
  db_instance_class               = var.db_instance_class
  db_multi_az                     = var.db_multi_az
  deletion_protection             = var.protect_from_deletion
  tiers                           = var.api_tiers
  vpc_id                          = module.network.vpc_id
  vpc_cidr_block                  = module.network.vpc_cidr_block
  private_subnet_ids              = module.network.private_subnet_ids
  mwaa_environment_name           = local.provisioned_mwaa ? module.mwaa[0].environment_name : null
  mwaa_environment_arn            = local.provisioned_mwaa ? module.mwaa[0].environment_arn : null
  mwaa_bucket                     = local.provisioned_mwaa ? module.mwaa[0].bucket_name : null
  mwaa_bucket_arn                 = local.provisioned_mwaa ? module.mwaa[0].bucket_arn : null
  airflow_webserver_url           = local.provisioned_mwaa ? module.mwaa[0].webserver_url : null
  mlflow_tracking_uri             = module.mlflow.tracking_uri
  msk_cluster_arn                 = module.msk.cluster_arn
  kafka_bootstrap_servers         = module.msk.bootstrap_brokers_iam
  lake_bucket                     = module.lake.data_bucket
  lake_bucket_arn                 = module.lake.data_bucket_arn
  insights_bedrock_model_id       = var.insights_bedrock_model_id
  kms_key_arn                     = module.baseline.kms_key_arn
  access_log_bucket               = module.baseline.access_log_bucket
  manage_api_gateway_logging_role = var.manage_api_gateway_logging_role
  # Publishing to MWAA Serverless: the builder may upload definitions and pass tenant roles;
  # with airflow_target mwaa_serverless it publishes there, with every setting that takes
  # (the role patterns are those tenant_workflow_role names its roles by).
  publish_target                        = local.provisioned_mwaa ? "dag_file" : "mwaa_serverless"
  serverless_definitions_s3_prefix      = local.serverless_definitions_prefix
  serverless_code_package_s3_uri        = local.serverless_code_package_uri
  serverless_role_arn_pattern           = "${local.tenant_role_arn_prefix}-{tenant}-workflows"
  serverless_log_group_pattern          = "/${local.name}/workflows/{tenant}"
  serverless_sagemaker_image_uri        = "${module.serving.training_repository_url}:${var.training_image_tag}"
  serverless_sagemaker_role_arn_pattern = "${local.tenant_role_arn_prefix}-{tenant}-training"
  serverless_sagemaker_mlflow_secret_id = "airflow/connections/airloom_mlflow"
  serverless_glue_role_arn_pattern      = "${local.tenant_role_arn_prefix}-{tenant}-glue-streaming"
  serverless_glue_stream_script_s3_uri  = local.serverless_glue_code["glue_stream_entrypoint.py"]
  serverless_glue_python_files_s3_uri   = local.serverless_glue_code["airloom-glue.zip"]
}

locals {
  # Tenants' roles are <name>-<tenant>-<purpose> (tenant_workflow_role).
  tenant_role_arn_prefix = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/${local.name}"
  # The Glue streaming job's script and the airloom zip Glue loads, beside the code package.
  serverless_glue_code = {
    for name in ["glue_stream_entrypoint.py", "airloom-glue.zip"] :
    name => "${trimsuffix(local.serverless_code_package_uri, "airloom-code.zip")}glue/${name}"
  }
}

module "secrets" {
  source                  = "../modules/secrets"
  name                    = local.name
  kms_key_arn             = module.baseline.kms_key_arn
  kafka_bootstrap_servers = module.msk.bootstrap_brokers_iam
  mlflow_tracking_uri     = module.mlflow.tracking_uri
  lake_root               = "s3://${module.lake.data_bucket}"
  insights_url            = module.services.insights_internal_url
}

# Each tenant's AWS role and its aws_<tenant> connection: its workflows' AWS nodes (Comprehend,
# Bedrock, Kinesis, Glue, ...) act with the tenant's permissions, never the execution role's.
module "tenant_aws_access" {
  source   = "../modules/tenant_aws_access"
  for_each = var.tenants
  name     = local.name
  tenant   = each.key
  # Without a provisioned environment, the tenant's workflow role is the one that may assume it.
  mwaa_execution_role_arn = local.provisioned_mwaa ? module.mwaa[0].execution_role_arn : null
  workflow_role_arn       = local.provisioned_mwaa ? null : "${local.tenant_role_arn_prefix}-${each.key}-workflows"
  kms_key_arn             = module.baseline.kms_key_arn
  ai_services             = each.value.ai_services
  s3_read_prefixes        = each.value.s3_read_prefixes
  s3_write_prefixes       = each.value.s3_write_prefixes
  bedrock_model_ids       = each.value.bedrock_model_ids
}

# Each tenant's MWAA Serverless execution role: its workflows run as it, reaching only its lake
# and model prefixes, topics, secrets, log group and the AWS services it was given.
module "tenant_workflow_role" {
  source                = "../modules/tenant_workflow_role"
  for_each              = var.tenants
  name_prefix           = local.name
  tenant                = each.key
  kms_key_arn           = module.baseline.kms_key_arn
  lake_bucket_arn       = module.lake.data_bucket_arn
  models_bucket_arn     = module.lake.models_bucket_arn
  msk_cluster_arn       = module.msk.cluster_arn
  granted_topics        = each.value.granted_topics
  definitions_s3_prefix = local.serverless_definitions_prefix
  code_package_s3_uri   = local.serverless_code_package_uri
  secret_arns = concat(
    [for id in local.serverless_platform_connections : module.secrets.connection_secret_arns[id]],
    each.value.secret_arns,
  )
  # Its aws_<tenant> connection assumes the tenant's AWS-services role.
  tenant_aws_role_arn = module.tenant_aws_access[each.key].role_arn
  # Keys known at plan: the tenant has a policy exactly when it was given a service or location.
  aws_service_policies = length(each.value.ai_services) + length(each.value.s3_read_prefixes) + length(each.value.s3_write_prefixes) > 0 ? {
    aws-services = module.tenant_aws_access[each.key].policy_json
  } : {}
  # The redirects' roles (<name>-<tenant>-training, -glue-streaming): training jobs pull the
  # training image and read MLflow's connection secret; both place their network interfaces
  # in Airloom's VPC only.
  training_image_repository_arn = module.serving.training_repository_arn
  mlflow_secret_arn             = module.secrets.connection_secret_arns["airloom_mlflow"]
  vpc_id                        = module.network.vpc_id
  # The Glue streaming job's script and python files: the objects the builder's settings name;
  # its way into the VPC: the connection the builder names.
  glue_code_s3_uris    = values(local.serverless_glue_code)
  glue_connection_name = module.services.glue_connection_name
}

module "observability" {
  source                          = "../modules/observability"
  name                            = local.name
  kms_key_arn                     = module.baseline.kms_key_arn
  alarm_emails                    = var.alarm_emails
  provisioned_mwaa                = local.provisioned_mwaa
  scheduler_log_group             = local.provisioned_mwaa ? module.mwaa[0].scheduler_log_group : null
  msk_cluster_name                = module.msk.cluster_name
  consumer_lag                    = var.consumer_lag
  api_name                        = module.services.api_name
  api_stage                       = module.services.api_stage
  mlflow_load_balancer_arn_suffix = module.mlflow.load_balancer_arn_suffix
}
