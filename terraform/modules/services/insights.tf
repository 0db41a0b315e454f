# The insights service (insights/, docs/insights.md): it consumes airloom.activity from MSK
# into the lake (<lake>/_airloom/activity/…), answers KPIs, ROI, questions and insights from
# DuckDB over that Parquet, prices usage with the AWS rates (insights/rates/aws.yaml) and lists
# the weekly reports MWAA's report DAG writes (<lake>/_airloom/reports/…). Programs reach it at
# /insights/{proxy+} with an API key, people at /app/insights/{proxy+} from Studio's Dashboard.

locals {
  # The marketplace's image holds the same project environment; insights builds its app with
  # a factory so the activity consumer starts with the app, not at import (as `airloom up`).
  commands = {
    insights = [
      "/opt/airloom/bin/uvicorn", "insights.app:create_app", "--factory",
      "--host", "0.0.0.0", "--port", tostring(local.services["insights"].port),
      "--proxy-headers", "--forwarded-allow-ips", "*",
    ]
  }

  lake_root = "s3://${var.lake_bucket}"
  # Questions read by a model on Amazon Bedrock when a model id is given (docs/insights.md,
  # "Bedrock translator"); otherwise by the offline translator, the service's default.
  bedrock_model_id = var.insights_bedrock_model_id
  bedrock_environment = local.bedrock_model_id == "" ? {} : {
    AIRLOOM_INSIGHTS_TRANSLATOR       = "bedrock"
    AIRLOOM_INSIGHTS_BEDROCK_MODEL_ID = local.bedrock_model_id
  }
  # A cross-region inference profile (eu.anthropic.…) is invoked through the profile, which
  # sends the call to its foundation model in any of its regions.
  bedrock_profile          = can(regex("^(us|eu|apac|us-gov|jp|au|ca|global)\\.", local.bedrock_model_id))
  bedrock_foundation_model = local.bedrock_profile ? join(".", slice(split(".", local.bedrock_model_id), 1, length(split(".", local.bedrock_model_id)))) : local.bedrock_model_id
  bedrock_model_arns = local.bedrock_model_id == "" ? [] : (
    local.bedrock_profile ? [
      "arn:aws:bedrock:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:inference-profile/${local.bedrock_model_id}",
      "arn:aws:bedrock:*::foundation-model/${local.bedrock_foundation_model}",
    ] : ["arn:aws:bedrock:${data.aws_region.current.name}::foundation-model/${local.bedrock_model_id}"]
  )
  insights_environment = merge(local.bedrock_environment, {
    AIRLOOM_INSIGHTS_LAKE_URI          = local.lake_root
    AIRLOOM_INSIGHTS_RATES_ENVIRONMENT = "aws"
    AIRLOOM_INSIGHTS_ACTIVITY_TOPIC    = local.activity_topic
    AIRLOOM_INSIGHTS_CONSUMER_GROUP    = local.insights_consumer_group
    # Champion and challenger metrics for the automated insights.
    AIRLOOM_INSIGHTS_MLFLOW_TRACKING_URI = var.mlflow_tracking_uri
  })

  # What people's browsers (Studio's Dashboard) use, and what MWAA's DAGs use inside the VPC.
  insights_public_url   = "${local.invoke_url}/app/insights"
  insights_internal_url = "http://${aws_lb.services.dns_name}:${local.services["insights"].port}"
}

# Its own database: its tables (api_tokens among them) and Alembic history would collide with
# the builder's in the shared one.
module "insights_database" {
  source                    = "../postgres"
  name                      = "${var.name}-insights"
  database_name             = "insights"
  username                  = "airloom"
  instance_class            = var.db_instance_class
  multi_az                  = var.db_multi_az
  deletion_protection       = var.deletion_protection
  vpc_id                    = var.vpc_id
  private_subnet_ids        = var.private_subnet_ids
  client_security_group_ids = [module.service["insights"].security_group_id]
  kms_key_arn               = var.kms_key_arn
}

data "aws_iam_policy_document" "insights" {
  # The lake: only the platform's activity area (events, quarantine, the ingestion's
  # bookkeeping under it) read and written, and the reports read; no tenant's datasets.
  statement {
    sid       = "ListActivityAndReports"
    actions   = ["s3:ListBucket"]
    resources = [var.lake_bucket_arn]
    condition {
      test     = "StringLike"
      variable = "s3:prefix"
      # _airloom and _airloom/: pyarrow looks for the parent folder before it writes.
      values = ["_airloom", "_airloom/", "_airloom/activity*", "_airloom/reports", "_airloom/reports/*"]
    }
  }
  statement {
    sid       = "ReadWriteActivity"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
    resources = ["${var.lake_bucket_arn}/_airloom/activity*"]
  }
  statement {
    sid       = "ReadReports"
    actions   = ["s3:GetObject"]
    resources = ["${var.lake_bucket_arn}/_airloom/reports/*"]
  }
  statement {
    sid       = "PlatformFolderMarker"
    actions   = ["s3:GetObject", "s3:PutObject"]
    resources = ["${var.lake_bucket_arn}/_airloom/"]
  }
  statement {
    sid       = "LakeEncryption"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey"]
    resources = [var.kms_key_arn]
  }

  # Kafka: consume airloom.activity in its own group; events that do not fit the contract go to
  # airloom.activity.dead_letters, which the ingestion reads back after a crash.
  statement {
    sid       = "KafkaConnect"
    actions   = ["kafka-cluster:Connect", "kafka-cluster:WriteDataIdempotently"]
    resources = [var.msk_cluster_arn]
  }
  statement {
    sid       = "ConsumeActivity"
    actions   = ["kafka-cluster:CreateTopic", "kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"]
    resources = [local.activity_topic_arn]
  }
  statement {
    sid = "ActivityDeadLetters"
    actions = [
      "kafka-cluster:CreateTopic", "kafka-cluster:DescribeTopic", "kafka-cluster:WriteData",
      "kafka-cluster:ReadData",
    ]
    resources = [local.activity_dead_letters_arn]
  }
  statement {
    sid       = "ConsumerGroup"
    actions   = ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"]
    resources = [local.insights_group_arn]
  }

  # Converse needs InvokeModel on the one model (or profile) questions are read by.
  dynamic "statement" {
    for_each = local.bedrock_model_id == "" ? [] : ["bedrock"]
    content {
      sid       = "ReadQuestionsWithBedrock"
      actions   = ["bedrock:InvokeModel"]
      resources = local.bedrock_model_arns
    }
  }
}
