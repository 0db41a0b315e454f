# The execution role: what MWAA itself needs (its bucket, logs, metrics, Celery queues, secrets)
# plus what Airloom's tasks do (lake, Kafka with IAM auth, SageMaker deploys), nothing more.

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["airflow.amazonaws.com", "airflow-env.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "execution" {
  name               = "${var.name}-mwaa-execution"
  assume_role_policy = data.aws_iam_policy_document.assume.json
}

locals {
  msk_parts        = split("/", var.msk_cluster_arn)
  msk_cluster_name = try(local.msk_parts[1], "*")
  msk_cluster_uuid = try(local.msk_parts[2], "*")
  msk_scope        = "${local.arn_prefix}:kafka:${local.region}:${local.account_id}"
}

data "aws_iam_policy_document" "execution" {
  statement {
    sid       = "PublishMetrics"
    actions   = ["airflow:PublishMetrics"]
    resources = ["${local.arn_prefix}:airflow:${local.region}:${local.account_id}:environment/${var.name}"]
  }

  statement {
    sid       = "ReadBundle"
    actions   = ["s3:GetObject*", "s3:GetBucket*", "s3:ListBucket"]
    resources = [module.bucket.arn, "${module.bucket.arn}/*"]
  }

  statement {
    sid       = "CheckBucketIsPrivate"
    actions   = ["s3:GetAccountPublicAccessBlock"]
    resources = ["*"]
  }

  statement {
    sid = "WriteAirflowLogs"
    actions = [
      "logs:CreateLogStream", "logs:CreateLogGroup", "logs:PutLogEvents", "logs:GetLogEvents",
      "logs:GetLogRecord", "logs:GetLogGroupFields", "logs:GetQueryResults",
    ]
    resources = ["${local.arn_prefix}:logs:${local.region}:${local.account_id}:log-group:airflow-${var.name}-*"]
  }

  statement {
    sid       = "DescribeLogGroupsAndPutMetrics"
    actions   = ["logs:DescribeLogGroups", "cloudwatch:PutMetricData"]
    resources = ["*"]
  }

  statement {
    sid = "CeleryQueues"
    actions = [
      "sqs:ChangeMessageVisibility", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
      "sqs:GetQueueUrl", "sqs:ReceiveMessage", "sqs:SendMessage",
    ]
    resources = ["${local.arn_prefix}:sqs:${local.region}:*:airflow-celery-*"]
  }

  statement {
    sid       = "UseEnvironmentKey"
    actions   = ["kms:Decrypt", "kms:DescribeKey", "kms:GenerateDataKey*", "kms:Encrypt"]
    resources = [var.kms_key_arn]
  }

  statement {
    sid     = "ReadAirflowSecrets"
    actions = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources = [
      "${local.arn_prefix}:secretsmanager:${local.region}:${local.account_id}:secret:airflow/connections/*",
      "${local.arn_prefix}:secretsmanager:${local.region}:${local.account_id}:secret:airflow/variables/*",
    ]
  }

  statement {
    sid       = "LakeReadWrite"
    actions   = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket", "s3:GetBucketLocation"]
    resources = flatten([for arn in var.lake_bucket_arns : [arn, "${arn}/*"]])
  }

  statement {
    sid       = "KafkaCluster"
    actions   = ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"]
    resources = [var.msk_cluster_arn]
  }

  statement {
    sid = "KafkaTopicsAndGroups"
    actions = [
      "kafka-cluster:CreateTopic", "kafka-cluster:DescribeTopic", "kafka-cluster:ReadData",
      "kafka-cluster:WriteData", "kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup",
    ]
    resources = [
      "${local.msk_scope}:topic/${local.msk_cluster_name}/${local.msk_cluster_uuid}/*",
      "${local.msk_scope}:group/${local.msk_cluster_name}/${local.msk_cluster_uuid}/*",
    ]
  }

  statement {
    sid = "SageMakerDeploys"
    actions = [
      "sagemaker:CreateModel", "sagemaker:DescribeModel", "sagemaker:DeleteModel",
      "sagemaker:CreateEndpointConfig", "sagemaker:DescribeEndpointConfig", "sagemaker:DeleteEndpointConfig",
      "sagemaker:CreateEndpoint", "sagemaker:UpdateEndpoint", "sagemaker:DescribeEndpoint",
      "sagemaker:DeleteEndpoint", "sagemaker:InvokeEndpoint", "sagemaker:AddTags",
    ]
    resources = [
      "${local.arn_prefix}:sagemaker:${local.region}:${local.account_id}:model/airloom-*",
      "${local.arn_prefix}:sagemaker:${local.region}:${local.account_id}:endpoint-config/airloom-*",
      "${local.arn_prefix}:sagemaker:${local.region}:${local.account_id}:endpoint/airloom-*",
    ]
  }

  statement {
    sid       = "PassSageMakerRole"
    actions   = ["iam:PassRole"]
    resources = [var.sagemaker_execution_role_arn]
    condition {
      test     = "StringEquals"
      variable = "iam:PassedToService"
      values   = ["sagemaker.amazonaws.com"]
    }
  }

  # Tenants' AWS nodes act as their tenant's role (tenant_aws_access), never as this one: the
  # execution role holds none of their AI, Kinesis or S3 permissions, only the right to assume
  # exactly these roles, whose trust policies name it.
  dynamic "statement" {
    for_each = length(var.tenant_role_names) > 0 ? ["tenants"] : []
    content {
      sid       = "AssumeTenantRoles"
      actions   = ["sts:AssumeRole"]
      resources = [for role in var.tenant_role_names : "${local.arn_prefix}:iam::${local.account_id}:role/${role}"]
    }
  }
}

resource "aws_iam_role_policy" "execution" {
  name   = "mwaa-execution"
  role   = aws_iam_role.execution.id
  policy = data.aws_iam_policy_document.execution.json
}
