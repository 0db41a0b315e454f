# The tenant's SageMaker training role: what a training job of the tenant's train and
# train_embedder nodes runs as (CreateTrainingJob's RoleArn, passed by the workflow role only).
# It reads the job's channels and writes its model output in the tenant's area, pulls the
# training image, writes the job's logs, reads MLflow's connection secret and places the job's
# network interfaces in Airloom's VPC; nothing else.

locals {
  training_role_name = "${var.name_prefix}-${var.tenant}-training"
  training_role_arn  = "${local.arn_prefix}:iam::${local.account_id}:role/${local.training_role_name}"
  # SageMaker's job names take no "_": the job is airloom-<tenant with - for _>-<16 hex>
  # (airloom.ml.sagemaker_training.training_job_name).
  training_job_prefix = "airloom-${replace(var.tenant, "_", "-")}-"
  training_log_group  = "${local.arn_prefix}:logs:${local.region}:${local.account_id}:log-group:/aws/sagemaker/TrainingJobs"

  # Network interfaces in Airloom's VPC only: subnets, security groups and the interfaces
  # themselves all carry ec2:Vpc.
  vpc_arn = var.vpc_id == null ? "" : "${local.arn_prefix}:ec2:${local.region}:${local.account_id}:vpc/${var.vpc_id}"
  vpc_condition = [{
    test     = "ArnEquals"
    variable = "ec2:Vpc"
    values   = [local.vpc_arn]
  }]
  vpc_resources = [
    for type in ["network-interface", "subnet", "security-group"] :
    "${local.arn_prefix}:ec2:${local.region}:${local.account_id}:${type}/*"
  ]

  training_statements = concat(
    [for statement in local.storage_statements : merge(statement, { sid = "Training${statement.sid}" })],
    [
      {
        sid        = "PullTrainingImage"
        actions    = ["ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer", "ecr:BatchCheckLayerAvailability"]
        resources  = [var.training_image_repository_arn]
        conditions = local.no_conditions
      },
      {
        # GetAuthorizationToken has no resource: it is "*" for everyone.
        sid        = "EcrLogin"
        actions    = ["ecr:GetAuthorizationToken"]
        resources  = ["*"]
        conditions = local.no_conditions
      },
      {
        sid        = "TrainingLogGroup"
        actions    = ["logs:CreateLogGroup", "logs:DescribeLogStreams"]
        resources  = ["${local.training_log_group}:*"]
        conditions = local.no_conditions
      },
      {
        # The job's streams are <job name>/algo-…: the tenant's jobs' names.
        sid        = "WriteOwnTrainingLogs"
        actions    = ["logs:CreateLogStream", "logs:PutLogEvents"]
        resources  = ["${local.training_log_group}:log-stream:${local.training_job_prefix}*"]
        conditions = local.no_conditions
      },
      {
        sid       = "TrainingMetrics"
        actions   = ["cloudwatch:PutMetricData"]
        resources = ["*"]
        conditions = [{
          test     = "StringEquals"
          variable = "cloudwatch:namespace"
          values   = ["/aws/sagemaker/TrainingJobs"]
        }]
      },
      {
        # The job reads MLflow's credentials from this secret (an environment variable names
        # it), so no password travels in CreateTrainingJob's request.
        sid        = "ReadMlflowSecret"
        actions    = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
        resources  = [var.mlflow_secret_arn]
        conditions = local.no_conditions
      },
    ],
    local.eni_statements,
    [merge(local.key_statements[0], { sid = "TrainingEnvironmentKeyThroughS3AndSecrets" })],
  )

  # SageMaker places a VpcConfig job's interfaces with its execution role and lets its own
  # account attach them (…NetworkInterfacePermission).
  eni_statements = var.vpc_id == null ? [] : [
    {
      sid        = "JobInterfacesInAirloomVpc"
      actions    = ["ec2:CreateNetworkInterface", "ec2:CreateNetworkInterfacePermission", "ec2:DeleteNetworkInterface"]
      resources  = local.vpc_resources
      conditions = local.vpc_condition
    },
    {
      # Describe* and DeleteNetworkInterfacePermission take no resource ARN in IAM.
      sid = "DescribeNetwork"
      actions = [
        "ec2:DeleteNetworkInterfacePermission", "ec2:DescribeNetworkInterfaces", "ec2:DescribeVpcs",
        "ec2:DescribeDhcpOptions", "ec2:DescribeSubnets", "ec2:DescribeSecurityGroups",
      ]
      resources  = ["*"]
      conditions = local.no_conditions
    },
  ]
}

data "aws_iam_policy_document" "training_trust" {
  statement {
    sid     = "OnlySageMakerInThisAccount"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["sagemaker.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "training" {
  name                 = local.training_role_name
  description          = "Airloom tenant ${var.tenant}: what its SageMaker training jobs may do"
  assume_role_policy   = data.aws_iam_policy_document.training_trust.json
  max_session_duration = 3600
  tags                 = { AirloomTenant = var.tenant }

  lifecycle {
    precondition {
      condition     = length(local.training_role_name) <= 64
      error_message = "The training role's name ${local.training_role_name} is longer than IAM's 64 characters: shorten name_prefix."
    }
  }
}

data "aws_iam_policy_document" "training" {
  dynamic "statement" {
    for_each = local.training_statements
    content {
      sid       = statement.value.sid
      actions   = statement.value.actions
      resources = statement.value.resources
      dynamic "condition" {
        for_each = statement.value.conditions
        content {
          test     = condition.value.test
          variable = condition.value.variable
          values   = condition.value.values
        }
      }
    }
  }
}

resource "aws_iam_role_policy" "training" {
  name   = "airloom-tenant-training"
  role   = aws_iam_role.training.id
  policy = data.aws_iam_policy_document.training.json
}
