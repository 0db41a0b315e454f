# An Airflow 3 environment on MWAA: its bucket (dags/, plugins.zip, requirements.txt), a least-
# privilege execution role, and every Airflow component logging to CloudWatch. `airloom deploy`
# uploads the bundle and moves plugins and requirements to their new object versions, so
# Terraform leaves those attributes alone after creation.

data "aws_caller_identity" "current" {}
data "aws_region" "current" {}
data "aws_partition" "current" {}

locals {
  account_id = data.aws_caller_identity.current.account_id
  region     = data.aws_region.current.name
  partition  = data.aws_partition.current.partition
  arn_prefix = "arn:${local.partition}"
}

# MWAA only accepts source buckets whose names start with "airflow-".
module "bucket" {
  source            = "../s3_bucket"
  bucket_name       = "airflow-${var.name}-${local.account_id}"
  kms_key_arn       = var.kms_key_arn
  access_log_bucket = var.access_log_bucket
  force_destroy     = var.force_destroy
}

resource "aws_s3_object" "dags_folder" {
  bucket  = module.bucket.name
  key     = "dags/"
  content = ""
}

resource "aws_security_group" "mwaa" {
  name        = "${var.name}-mwaa"
  description = "MWAA workers, schedulers and web servers"
  vpc_id      = var.vpc_id

  ingress {
    description = "MWAA components talk to each other"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    self        = true
  }

  egress {
    description = "AWS APIs through endpoints and NAT, Kafka, MLflow"
    from_port   = 0
    to_port     = 0
    protocol    = "-1"
    cidr_blocks = ["0.0.0.0/0"]
  }
}

resource "aws_mwaa_environment" "this" {
  name               = var.name
  airflow_version    = var.airflow_version
  environment_class  = var.environment_class
  min_workers        = var.min_workers
  max_workers        = var.max_workers
  schedulers         = var.schedulers
  min_webservers     = var.min_webservers
  max_webservers     = var.max_webservers
  execution_role_arn = aws_iam_role.execution.arn
  kms_key            = var.kms_key_arn
  source_bucket_arn  = module.bucket.arn
  dag_s3_path        = "dags/"

  webserver_access_mode = "PRIVATE_ONLY"

  # Airloom's connections (airloom_kafka, airloom_mlflow, airloom_lake) come from Secrets Manager.
  # airloom.studio_url is the Airloom Studio link in Airflow's navigation (plugins.zip's plugin).
  airflow_configuration_options = merge(
    {
      "secrets.backend"        = "airflow.providers.amazon.aws.secrets.secrets_manager.SecretsManagerBackend"
      "secrets.backend_kwargs" = jsonencode({ connections_prefix = "airflow/connections", variables_prefix = "airflow/variables" })
    },
    var.studio_url == "" ? {} : { "airloom.studio_url" = var.studio_url },
  )

  network_configuration {
    security_group_ids = [aws_security_group.mwaa.id]
    subnet_ids         = var.private_subnet_ids
  }

  logging_configuration {
    dag_processing_logs {
      enabled   = true
      log_level = var.log_level
    }
    scheduler_logs {
      enabled   = true
      log_level = var.log_level
    }
    task_logs {
      enabled   = true
      log_level = var.log_level
    }
    webserver_logs {
      enabled   = true
      log_level = var.log_level
    }
    worker_logs {
      enabled   = true
      log_level = var.log_level
    }
  }

  lifecycle {
    # Set by `airloom deploy` for each bundle it ships.
    ignore_changes = [
      plugins_s3_path,
      plugins_s3_object_version,
      requirements_s3_path,
      requirements_s3_object_version,
    ]
  }

  depends_on = [aws_s3_object.dags_folder, aws_iam_role_policy.execution]
}
