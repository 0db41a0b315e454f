# What the tenant's workflow role may do. Every resource is the tenant's own: objects under
# tenants/<tenant>/ (a / after the name, so tenant acme never reaches acme_corp), topics and
# consumer groups <tenant>.* (a . after the name; tenant names hold no dot), its definitions
# prefix, the one code package object, the listed secrets and its log group.

locals {
  no_conditions = []
  tenant_prefix = "tenants/${var.tenant}"

  # s3://bucket/some/prefix -> bucket, key
  definitions_parts = split("/", trimsuffix(trimprefix(var.definitions_s3_prefix, "s3://"), "/"))
  definitions_arn   = "${local.arn_prefix}:s3:::${local.definitions_parts[0]}/${join("/", slice(local.definitions_parts, 1, length(local.definitions_parts)))}/${var.tenant}/*"
  code_parts        = split("/", trimprefix(var.code_package_s3_uri, "s3://"))
  code_package_arn  = "${local.arn_prefix}:s3:::${local.code_parts[0]}/${join("/", slice(local.code_parts, 1, length(local.code_parts)))}"

  # arn:aws:kafka:<region>:<account>:cluster/<name>/<uuid> -> topic/<name>/<uuid>/<topic>
  msk_parts = var.msk_cluster_arn == null ? [] : split("/", var.msk_cluster_arn)
  msk_scope = var.msk_cluster_arn == null ? "" : "${local.arn_prefix}:kafka:${local.region}:${local.account_id}"
  msk_path  = var.msk_cluster_arn == null ? "" : "${local.msk_parts[1]}/${local.msk_parts[2]}"

  storage_statements = flatten([
    for bucket in [
      { sid = "Lake", arn = var.lake_bucket_arn },
      { sid = "Models", arn = var.models_bucket_arn },
      ] : [
      {
        sid        = "${bucket.sid}TenantObjects"
        actions    = ["s3:GetObject", "s3:PutObject", "s3:DeleteObject"]
        resources  = ["${bucket.arn}/${local.tenant_prefix}/*"]
        conditions = local.no_conditions
      },
      # Listing is a bucket action: only below the tenant's own prefix.
      {
        sid       = "${bucket.sid}ListTenantArea"
        actions   = ["s3:ListBucket"]
        resources = [bucket.arn]
        conditions = [{
          test     = "StringLike"
          variable = "s3:prefix"
          values   = ["${local.tenant_prefix}/", "${local.tenant_prefix}/*"]
        }]
      },
    ]
  ])

  code_statements = [
    # The service snapshots a definition at CreateWorkflow/UpdateWorkflow; a run reads the
    # version it was created with, hence GetObjectVersion.
    {
      sid        = "ReadOwnDefinitions"
      actions    = ["s3:GetObject", "s3:GetObjectVersion"]
      resources  = [local.definitions_arn]
      conditions = local.no_conditions
    },
    {
      sid        = "ReadCodePackage"
      actions    = ["s3:GetObject", "s3:GetObjectVersion"]
      resources  = [local.code_package_arn]
      conditions = local.no_conditions
    },
  ]

  kafka_statements = var.msk_cluster_arn == null ? [] : concat(
    [
      {
        sid = "KafkaConnect"
        # An idempotent producer needs WriteDataIdempotently on the cluster when WriteData is
        # granted on single topics.
        actions    = ["kafka-cluster:Connect", "kafka-cluster:DescribeCluster", "kafka-cluster:WriteDataIdempotently"]
        resources  = [var.msk_cluster_arn]
        conditions = local.no_conditions
      },
      {
        sid = "KafkaTenantTopics"
        actions = [
          "kafka-cluster:CreateTopic", "kafka-cluster:DescribeTopic",
          "kafka-cluster:ReadData", "kafka-cluster:WriteData",
        ]
        resources  = ["${local.msk_scope}:topic/${local.msk_path}/${var.tenant}.*"]
        conditions = local.no_conditions
      },
      {
        sid        = "KafkaTenantGroups"
        actions    = ["kafka-cluster:DescribeGroup", "kafka-cluster:AlterGroup"]
        resources  = ["${local.msk_scope}:group/${local.msk_path}/${var.tenant}.*"]
        conditions = local.no_conditions
      },
    ],
    [for topics in [var.granted_topics] : {
      sid        = "KafkaGrantedTopics"
      actions    = ["kafka-cluster:DescribeTopic", "kafka-cluster:ReadData", "kafka-cluster:WriteData"]
      resources  = [for topic in distinct(topics) : "${local.msk_scope}:topic/${local.msk_path}/${topic}"]
      conditions = local.no_conditions
    } if length(topics) > 0],
  )

  secret_statements = [for arns in [var.secret_arns] : {
    sid        = "ReadGrantedSecrets"
    actions    = ["secretsmanager:GetSecretValue", "secretsmanager:DescribeSecret"]
    resources  = distinct(arns)
    conditions = local.no_conditions
  } if length(arns) > 0]

  # The tenant's aws_<tenant> connection assumes its AWS-services role (granted AI services,
  # S3 locations, streams): that role, and no other.
  assume_statements = var.tenant_aws_role_arn == null ? [] : [{
    sid        = "AssumeTenantAwsRole"
    actions    = ["sts:AssumeRole"]
    resources  = [var.tenant_aws_role_arn]
    conditions = local.no_conditions
  }]

  log_statements = [{
    sid        = "WriteOwnLogGroup"
    actions    = ["logs:CreateLogStream", "logs:PutLogEvents", "logs:DescribeLogStreams"]
    resources  = ["${local.arn_prefix}:logs:${local.region}:${local.account_id}:log-group:${local.log_group_name}:*"]
    conditions = local.no_conditions
  }]

  # The environment's key encrypts the buckets and the secrets: usable through those services only.
  key_statements = [{
    sid       = "EnvironmentKeyThroughS3AndSecrets"
    actions   = ["kms:Decrypt", "kms:GenerateDataKey", "kms:DescribeKey"]
    resources = [var.kms_key_arn]
    conditions = [{
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["s3.${local.region}.amazonaws.com", "secretsmanager.${local.region}.amazonaws.com"]
    }]
  }]

  # The redirects' jobs (docs/mwaa_serverless.md): the tenant's SageMaker training jobs and
  # the Glue jobs of its spark_stream nodes, each run under the tenant's own role.
  training_job_arn = "${local.arn_prefix}:sagemaker:${local.region}:${local.account_id}:training-job/${local.training_job_prefix}*"
  # Glue job names keep the tenant as it is (airloom-stream.wf-<tenant>-<name>.<node>), and a
  # tenant name holds no "-": the prefix is the tenant's alone.
  glue_job_arn = "${local.arn_prefix}:glue:${local.region}:${local.account_id}:job/airloom-stream.wf-${var.tenant}-*"
  tenant_tag   = "airloom.tenant"

  job_statements = [
    # acme's prefix airloom-acme-* also names acme_corp's jobs (airloom-acme-corp-…): a job is
    # the tenant's only with its tag, which it must carry from its creation (CreateTrainingJob
    # with Tags needs AddTags too) and which no other tenant may set on it afterwards.
    {
      sid       = "CreateOwnTrainingJobs"
      actions   = ["sagemaker:CreateTrainingJob", "sagemaker:AddTags"]
      resources = [local.training_job_arn]
      conditions = [
        { test = "StringEquals", variable = "aws:RequestTag/${local.tenant_tag}", values = [var.tenant] },
        { test = "ForAllValues:StringEquals", variable = "aws:TagKeys", values = [local.tenant_tag] },
        { test = "StringEqualsIfExists", variable = "aws:ResourceTag/${local.tenant_tag}", values = [var.tenant] },
      ]
    },
    {
      sid        = "WatchAndStopOwnTrainingJobs"
      actions    = ["sagemaker:DescribeTrainingJob", "sagemaker:StopTrainingJob"]
      resources  = [local.training_job_arn]
      conditions = [{ test = "StringEquals", variable = "aws:ResourceTag/${local.tenant_tag}", values = [var.tenant] }]
    },
    {
      # GlueStreamingOperator creates or updates the node's job, then starts, watches and
      # (on kill or a wait that gave up) stops its runs.
      sid = "RunOwnGlueStreamJobs"
      actions = [
        "glue:GetJob", "glue:CreateJob", "glue:UpdateJob",
        "glue:StartJobRun", "glue:GetJobRun", "glue:BatchStopJobRun",
      ]
      resources  = [local.glue_job_arn]
      conditions = local.no_conditions
    },
    {
      sid        = "PassOwnTrainingRole"
      actions    = ["iam:PassRole"]
      resources  = [local.training_role_arn]
      conditions = [{ test = "StringEquals", variable = "iam:PassedToService", values = ["sagemaker.amazonaws.com"] }]
    },
    {
      sid        = "PassOwnGlueStreamingRole"
      actions    = ["iam:PassRole"]
      resources  = [local.glue_role_arn]
      conditions = [{ test = "StringEquals", variable = "iam:PassedToService", values = ["glue.amazonaws.com"] }]
    },
  ]

  statements = concat(
    local.code_statements,
    local.storage_statements,
    local.kafka_statements,
    local.secret_statements,
    local.assume_statements,
    local.log_statements,
    local.key_statements,
    local.job_statements,
  )
}
