# The tenant's Glue streaming role: what the Glue job of a tenant's spark_stream node runs as
# (CreateJob's Role, passed by the workflow role only). It reads the tenant's <tenant>.*
# topics as <tenant>.* consumer groups, reads and writes the tenant's area of the lake (the
# output, the checkpoint, the run's result), reads the job's script and python files, writes
# Glue's logs and places the job's network interfaces in Airloom's VPC; nothing else.

locals {
  glue_role_name = "${var.name_prefix}-${var.tenant}-glue-streaming"
  glue_role_arn  = "${local.arn_prefix}:iam::${local.account_id}:role/${local.glue_role_name}"

  # s3://bucket/key -> arn:aws:s3:::bucket/key
  glue_code_arns = [for uri in distinct(var.glue_code_s3_uris) : "${local.arn_prefix}:s3:::${trimprefix(uri, "s3://")}"]

  glue_statements = concat(
    [
      {
        sid        = "StreamTenantObjects"
        actions    = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
        resources  = ["${var.lake_bucket_arn}/${local.tenant_prefix}/*"]
        conditions = local.no_conditions
      },
      {
        # Spark lists a checkpoint's and an output's folders: below the tenant's prefix only.
        sid       = "StreamListTenantArea"
        actions   = ["s3:ListBucket"]
        resources = [var.lake_bucket_arn]
        conditions = [{
          test     = "StringLike"
          variable = "s3:prefix"
          values   = ["${local.tenant_prefix}/", "${local.tenant_prefix}/*"]
        }]
      },
      {
        # Glue's S3 client asks for the bucket's region before it reads or writes.
        sid        = "StreamLakeLocation"
        actions    = ["s3:GetBucketLocation"]
        resources  = [var.lake_bucket_arn]
        conditions = local.no_conditions
      },
    ],
    [for arns in [local.glue_code_arns] : {
      sid        = "ReadStreamCode"
      actions    = ["s3:GetObject"]
      resources  = arns
      conditions = local.no_conditions
    } if length(arns) > 0],
    var.msk_cluster_arn == null ? [] : [
      {
        sid        = "StreamKafkaConnect"
        actions    = ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster"]
        resources  = [var.msk_cluster_arn]
        conditions = local.no_conditions
      },
      {
        # The stream reads: no write, no topic creation.
        sid        = "StreamReadTenantTopics"
        actions    = ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData"]
        resources  = ["${local.msk_scope}:topic/${local.msk_path}/${var.tenant}.*"]
        conditions = local.no_conditions
      },
      {
        sid        = "StreamTenantGroups"
        actions    = ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"]
        resources  = ["${local.msk_scope}:group/${local.msk_path}/${var.tenant}.*"]
        conditions = local.no_conditions
      },
    ],
    [
      {
        # Glue names its groups (/aws-glue/jobs/output, …/error, …/logs-v2) and streams (run
        # ids) itself: write-only there, never read.
        sid        = "WriteGlueLogs"
        actions    = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
        resources  = ["${local.arn_prefix}:logs:${local.region}:${local.account_id}:log-group:/aws-glue/*"]
        conditions = local.no_conditions
      },
    ],
    var.glue_connection_name == null ? [] : [{
      sid     = "ReadNetworkConnection"
      actions = ["glue:GetConnection"]
      resources = [
        "${local.arn_prefix}:glue:${local.region}:${local.account_id}:catalog",
        "${local.arn_prefix}:glue:${local.region}:${local.account_id}:connection/${var.glue_connection_name}",
      ]
      conditions = local.no_conditions
    }],
    var.vpc_id == null ? [] : [
      {
        sid        = "StreamInterfacesInAirloomVpc"
        actions    = ["ec2:CreateNetworkInterface", "ec2:DeleteNetworkInterface"]
        resources  = local.vpc_resources
        conditions = local.vpc_condition
      },
      {
        # As AWSGlueServiceRole: Glue marks the interfaces it made with this one tag key.
        sid       = "TagStreamInterfaces"
        actions   = ["ec2:CreateTags", "ec2:DeleteTags"]
        resources = ["${local.arn_prefix}:ec2:${local.region}:${local.account_id}:network-interface/*"]
        conditions = [{
          test     = "ForAllValues:StringEquals"
          variable = "aws:TagKeys"
          values   = ["aws-glue-service-resource"]
        }]
      },
      {
        sid = "DescribeStreamNetwork"
        actions = [
          "ec2:DescribeNetworkInterfaces", "ec2:DescribeSecurityGroups", "ec2:DescribeSubnets",
          "ec2:DescribeVpcAttribute", "ec2:DescribeVpcEndpoints", "ec2:DescribeRouteTables",
        ]
        resources  = ["*"]
        conditions = local.no_conditions
      },
    ],
    [{
      sid       = "StreamEnvironmentKeyThroughS3"
      actions   = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
      resources = [var.kms_key_arn]
      conditions = [{
        test     = "StringEquals"
        variable = "kms:ViaService"
        values   = ["s3.${local.region}.amazonaws.com"]
      }]
    }],
  )
}

data "aws_iam_policy_document" "glue_trust" {
  statement {
    sid     = "OnlyGlueInThisAccount"
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["glue.amazonaws.com"]
    }
    condition {
      test     = "StringEquals"
      variable = "aws:SourceAccount"
      values   = [local.account_id]
    }
  }
}

resource "aws_iam_role" "glue_streaming" {
  name                 = local.glue_role_name
  description          = "Airloom tenant ${var.tenant}: what its Glue streaming jobs may do"
  assume_role_policy   = data.aws_iam_policy_document.glue_trust.json
  max_session_duration = 3600
  tags                 = { AirloomTenant = var.tenant }

  lifecycle {
    precondition {
      condition     = length(local.glue_role_name) <= 64
      error_message = "The Glue streaming role's name ${local.glue_role_name} is longer than IAM's 64 characters: shorten name_prefix."
    }
  }
}

data "aws_iam_policy_document" "glue_streaming" {
  dynamic "statement" {
    for_each = local.glue_statements
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

resource "aws_iam_role_policy" "glue_streaming" {
  name   = "airloom-tenant-glue-streaming"
  role   = aws_iam_role.glue_streaming.id
  policy = data.aws_iam_policy_document.glue_streaming.json
}
