output "mwaa_environment_name" {
  description = "Pass to `airloom deploy --environment`."
  value       = local.provisioned_mwaa ? module.mwaa[0].environment_name : null
}

output "mwaa_bucket" {
  description = "Pass to `airloom deploy --bucket`."
  value       = local.provisioned_mwaa ? module.mwaa[0].bucket_name : null
}

output "airflow_webserver_url" {
  description = "Airflow UI and REST API (private)."
  value       = local.provisioned_mwaa ? module.mwaa[0].webserver_url : null
}

output "api_url" {
  description = "Public API: /builder/graphql, /marketplace/api/v1 and /insights/api/v1."
  value       = module.services.api_url
}

output "insights_url" {
  description = "Insights for Studio's Dashboard (people, Cognito); programs use <api_url>/insights with an API key."
  value       = module.services.insights_url
}

output "studio_url" {
  description = "Airloom Studio for people (they sign in with Cognito)."
  value       = module.services.studio_url
}

output "user_pool_id" {
  description = "Cognito user pool: add people with custom:tenant and an airloom-<role> group."
  value       = module.services.user_pool_id
}

output "studio_client_id" {
  description = "Studio's Cognito app client id."
  value       = module.services.studio_client_id
}

output "sign_in_domain" {
  description = "Host of the Cognito hosted sign-in pages."
  value       = module.services.sign_in_domain
}

output "usage_plan_ids" {
  description = "Tier => usage plan id, for customers' API keys."
  value       = module.services.usage_plan_ids
}

output "ecr_repositories" {
  description = "Where to push each image built from containers/."
  value = merge(module.services.ecr_repository_urls, {
    mlflow        = module.mlflow.ecr_repository_url
    mlflow-pyfunc = module.serving.pyfunc_repository_url
    # The image SageMaker training jobs run (train and train_embedder nodes on MWAA Serverless).
    sagemaker-training = module.serving.training_repository_url
  })
}

output "mlflow_tracking_uri" {
  description = "MLflow inside the VPC."
  value       = module.mlflow.tracking_uri
}

output "lake_buckets" {
  description = "Dataset and model buckets."
  value       = { data = module.lake.data_bucket, models = module.lake.models_bucket }
}

output "sagemaker_execution_role_arn" {
  description = "Role for SageMaker deployments."
  value       = module.serving.sagemaker_execution_role_arn
}

output "alarm_topic_arn" {
  description = "Where alarms go."
  value       = module.observability.alarm_topic_arn
}

output "tenant_aws_roles" {
  description = "Tenant => the role its workflows' AWS nodes act as."
  value       = { for tenant, access in module.tenant_aws_access : tenant => access.role_arn }
}

output "tenant_aws_connections" {
  description = "Tenant => the Airflow connection to grant it in the builder (kind connection)."
  value       = { for tenant, access in module.tenant_aws_access : tenant => access.connection_id }
}

output "tenant_workflow_roles" {
  description = "Tenant => its MWAA Serverless execution role (CreateWorkflow's RoleArn)."
  value       = { for tenant, role in module.tenant_workflow_role : tenant => role.role_arn }
}

output "tenant_workflow_role_arn_pattern" {
  description = "The builder's MWAA Serverless role setting: the role ARN with {tenant} for the tenant."
  value       = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/${local.name}-{tenant}-workflows"
}

output "tenant_training_roles" {
  description = "Tenant => the role its SageMaker training jobs run as (train and train_embedder nodes on MWAA Serverless)."
  value       = { for tenant, role in module.tenant_workflow_role : tenant => role.training_role_arn }
}

output "tenant_glue_streaming_roles" {
  description = "Tenant => the role its Glue streaming jobs run as (spark_stream nodes on MWAA Serverless)."
  value       = { for tenant, role in module.tenant_workflow_role : tenant => role.glue_streaming_role_arn }
}

output "serverless_sagemaker_role_arn_pattern" {
  description = "The builder's SERVERLESS_SAGEMAKER_ROLE_ARN_PATTERN: the training role ARN with {tenant} for the tenant (only that tenant's workflow role may pass it)."
  value       = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/${local.name}-{tenant}-training"
}

output "serverless_glue_role_arn_pattern" {
  description = "The builder's SERVERLESS_GLUE_ROLE_ARN_PATTERN: the Glue streaming role ARN with {tenant} for the tenant (only that tenant's workflow role may pass it)."
  value       = "arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:role/${local.name}-{tenant}-glue-streaming"
}

output "tenant_workflow_log_groups" {
  description = "Tenant => the log group for its workflows' LoggingConfiguration."
  value       = { for tenant, role in module.tenant_workflow_role : tenant => role.log_group_name }
}

output "tenant_workflow_log_group_pattern" {
  description = "The workflows' log group with {tenant} for the tenant (each role writes only its own)."
  value       = "/${local.name}/workflows/{tenant}"
}

output "serverless_definitions_s3_prefix" {
  description = "The builder's definitions setting: each tenant's role reads <prefix>/<tenant>/ only."
  value       = local.serverless_definitions_prefix
}

output "serverless_code_package_s3_uri" {
  description = "Where `airloom code-package --upload` puts the code package the workflow roles may read."
  value       = local.serverless_code_package_uri
}
