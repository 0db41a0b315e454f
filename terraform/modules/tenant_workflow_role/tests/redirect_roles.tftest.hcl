# Offline plan of the roles MWAA Serverless's redirects run under (no AWS account): the
# tenant's SageMaker training role and Glue streaming role — who may assume them, that what
# they reach is the tenant's own — and what the tenant's workflow role may do with them: run,
# watch and stop only its own jobs and pass only its own two roles. With acme and acme_corp
# side by side (acme's job prefix airloom-acme-* also names acme_corp's SageMaker jobs), neither
# reaches the other's. Run by tests/integration/terraform.

mock_provider "aws" {
  override_during = plan

  mock_data "aws_region" {
    defaults = { name = "eu-west-1" }
  }
  mock_data "aws_caller_identity" {
    defaults = { account_id = "123456789012" }
  }
  mock_data "aws_partition" {
    defaults = { partition = "aws" }
  }
  mock_data "aws_iam_policy_document" {
    defaults = { json = "{\"Version\":\"2012-10-17\",\"Statement\":[]}" }
  }
}

variables {
  name_prefix                   = "airloom-test"
  tenant                        = "acme"
  kms_key_arn                   = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  lake_bucket_arn               = "arn:aws:s3:::airloom-test-lake-data"
  models_bucket_arn             = "arn:aws:s3:::airloom-test-lake-models"
  msk_cluster_arn               = "arn:aws:kafka:eu-west-1:123456789012:cluster/airloom-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2"
  definitions_s3_prefix         = "s3://airflow-airloom-test/serverless/definitions"
  code_package_s3_uri           = "s3://airflow-airloom-test/serverless/airloom-code.zip"
  training_image_repository_arn = "arn:aws:ecr:eu-west-1:123456789012:repository/airloom-test/sagemaker-training"
  mlflow_secret_arn             = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:airflow/connections/airloom_mlflow-MlFlOw"
  vpc_id                        = "vpc-0a1b2c3d4e5f67890"
  glue_code_s3_uris = [
    "s3://airflow-airloom-test/serverless/glue/glue_stream_entrypoint.py",
    "s3://airflow-airloom-test/serverless/glue/airloom.zip",
  ]
  glue_connection_name = "airloom-test-vpc"
}

run "the_training_role_is_sagemakers_and_reaches_the_tenants_things" {
  command = plan

  assert {
    condition = (
      aws_iam_role.training.name == "airloom-test-acme-training" &&
      alltrue([
        for statement in data.aws_iam_policy_document.training_trust.statement :
        statement.actions == toset(["sts:AssumeRole"]) &&
        alltrue([for principal in statement.principals : principal.type == "Service" && principal.identifiers == toset(["sagemaker.amazonaws.com"])]) &&
        jsonencode(statement.condition) == jsonencode(toset([{ test = "StringEquals", variable = "aws:SourceAccount", values = ["123456789012"] }]))
      ]) && length(data.aws_iam_policy_document.training_trust.statement) == 1
    )
    error_message = "The training role is <name_prefix>-<tenant>-training, assumable by SageMaker for this account only."
  }
  assert {
    condition = toset(flatten([
      for statement in local.training_statements : statement.resources if contains(statement.actions, "s3:PutObject")
      ])) == toset([
      "arn:aws:s3:::airloom-test-lake-data/tenants/acme/*",
      "arn:aws:s3:::airloom-test-lake-models/tenants/acme/*",
      ]) && alltrue([
      for statement in local.training_statements :
      jsonencode(statement.conditions) == jsonencode([{ test = "StringLike", variable = "s3:prefix", values = ["tenants/acme/", "tenants/acme/*"] }])
      if contains(statement.actions, "s3:ListBucket")
    ])
    error_message = "Training jobs read their channels and write their output under tenants/acme/ only, as the workflow role does."
  }
  assert {
    condition = (
      toset(flatten([for statement in local.training_statements : statement.resources if contains(statement.actions, "ecr:BatchGetImage")])) == toset([var.training_image_repository_arn]) &&
      toset(flatten([for statement in local.training_statements : statement.resources if contains(statement.actions, "secretsmanager:GetSecretValue")])) == toset([var.mlflow_secret_arn]) &&
      toset(flatten([for statement in local.training_statements : statement.resources if contains(statement.actions, "logs:PutLogEvents")])) == toset(["arn:aws:logs:eu-west-1:123456789012:log-group:/aws/sagemaker/TrainingJobs:log-stream:airloom-acme-*"])
    )
    error_message = "The training role pulls only the training image, reads only MLflow's secret and writes only its jobs' streams under /aws/sagemaker/TrainingJobs."
  }
  assert {
    # "*" only where IAM takes no resource: ECR's login, metrics in SageMaker's namespace, and
    # EC2's Describe* (and DeleteNetworkInterfacePermission).
    condition = alltrue([
      for statement in local.training_statements : alltrue([
        for action in statement.actions :
        contains(["ecr:GetAuthorizationToken", "cloudwatch:PutMetricData", "ec2:DeleteNetworkInterfacePermission"], action) || startswith(action, "ec2:Describe")
      ]) if contains(statement.resources, "*")
      ]) && alltrue([
      for statement in local.training_statements :
      jsonencode(statement.conditions) == jsonencode([{ test = "StringEquals", variable = "cloudwatch:namespace", values = ["/aws/sagemaker/TrainingJobs"] }])
      if contains(statement.actions, "cloudwatch:PutMetricData")
    ])
    error_message = "No training statement on every resource beyond ECR's login, SageMaker's metrics and EC2's descriptions."
  }
}

run "network_interfaces_only_in_airloom_vpc" {
  command = plan

  assert {
    condition = alltrue(flatten([
      for statements in [local.training_statements, local.glue_statements] : [
        for statement in statements :
        jsonencode(statement.conditions) == jsonencode([{ test = "ArnEquals", variable = "ec2:Vpc", values = ["arn:aws:ec2:eu-west-1:123456789012:vpc/vpc-0a1b2c3d4e5f67890"] }])
        if contains(statement.actions, "ec2:CreateNetworkInterface") || contains(statement.actions, "ec2:DeleteNetworkInterface")
      ]
      ])) && length(flatten([
      for statements in [local.training_statements, local.glue_statements] : [
        for statement in statements : statement if contains(statement.actions, "ec2:CreateNetworkInterface")
      ]
    ])) == 2
    error_message = "Both roles create and delete network interfaces in Airloom's VPC alone."
  }
}

run "without_a_vpc_no_network_interfaces" {
  command = plan

  variables {
    vpc_id = null
  }

  assert {
    condition     = !anytrue(flatten([for statement in concat(local.training_statements, local.glue_statements) : [for action in statement.actions : startswith(action, "ec2:")]]))
    error_message = "Without vpc_id neither role has an EC2 action."
  }
}

run "the_glue_role_is_glues_and_reaches_the_tenants_things" {
  command = plan

  assert {
    condition = (
      aws_iam_role.glue_streaming.name == "airloom-test-acme-glue-streaming" &&
      alltrue([
        for statement in data.aws_iam_policy_document.glue_trust.statement :
        alltrue([for principal in statement.principals : principal.type == "Service" && principal.identifiers == toset(["glue.amazonaws.com"])]) &&
        jsonencode(statement.condition) == jsonencode(toset([{ test = "StringEquals", variable = "aws:SourceAccount", values = ["123456789012"] }]))
      ]) && length(data.aws_iam_policy_document.glue_trust.statement) == 1
    )
    error_message = "The Glue role is <name_prefix>-<tenant>-glue-streaming, assumable by Glue for this account only."
  }
  assert {
    condition = (
      toset(flatten([for statement in local.glue_statements : statement.resources if contains(statement.actions, "s3:PutObject")])) == toset(["arn:aws:s3:::airloom-test-lake-data/tenants/acme/*"]) &&
      toset(flatten([for statement in local.glue_statements : statement.resources if contains(statement.actions, "s3:GetObject")])) == toset([
        "arn:aws:s3:::airloom-test-lake-data/tenants/acme/*",
        "arn:aws:s3:::airflow-airloom-test/serverless/glue/glue_stream_entrypoint.py",
        "arn:aws:s3:::airflow-airloom-test/serverless/glue/airloom.zip",
      ])
    )
    error_message = "The Glue role writes only under tenants/acme/ of the lake (output, checkpoint, result) and reads besides only the job's script and python files."
  }
  assert {
    condition = toset(flatten([
      for statement in local.glue_statements : statement.resources if anytrue([for action in statement.actions : startswith(action, "kafka-cluster:")])
      ])) == toset([
      var.msk_cluster_arn,
      "arn:aws:kafka:eu-west-1:123456789012:topic/airloom-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2/acme.*",
      "arn:aws:kafka:eu-west-1:123456789012:group/airloom-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2/acme.*",
      ]) && !anytrue(flatten([
        for statement in local.glue_statements : [for action in statement.actions : contains(["kafka-cluster:WriteData", "kafka-cluster:CreateTopic", "kafka-cluster:DeleteTopic"], action)]
    ]))
    error_message = "The Glue role reads acme.* topics as acme.* groups, and writes or creates no topic."
  }
  assert {
    condition = (
      toset(flatten([for statement in local.glue_statements : statement.resources if contains(statement.actions, "logs:PutLogEvents")])) == toset(["arn:aws:logs:eu-west-1:123456789012:log-group:/aws-glue/*"]) &&
      !anytrue(flatten([for statement in local.glue_statements : [for action in statement.actions : startswith(action, "logs:Get") || startswith(action, "logs:Filter")]])) &&
      toset(flatten([for statement in local.glue_statements : statement.resources if contains(statement.actions, "glue:GetConnection")])) == toset([
        "arn:aws:glue:eu-west-1:123456789012:catalog",
        "arn:aws:glue:eu-west-1:123456789012:connection/airloom-test-vpc",
      ])
    )
    error_message = "The Glue role writes (never reads) Glue's logs and reads only its network connection."
  }
  assert {
    condition = alltrue(flatten([
      for statement in local.glue_statements : [for action in statement.actions : startswith(action, "ec2:Describe")] if contains(statement.resources, "*")
    ]))
    error_message = "The Glue role's only statement on every resource is EC2's descriptions."
  }
}

run "the_workflow_role_runs_only_its_own_jobs_and_passes_only_its_own_roles" {
  command = plan

  assert {
    condition = toset(flatten([
      for statement in local.statements : [
        for resource in statement.resources : {
          resource = resource
          service  = one([for condition in statement.conditions : condition.values if condition.variable == "iam:PassedToService"])
        }
      ] if contains(statement.actions, "iam:PassRole")
      ])) == toset([
      { resource = "arn:aws:iam::123456789012:role/airloom-test-acme-training", service = ["sagemaker.amazonaws.com"] },
      { resource = "arn:aws:iam::123456789012:role/airloom-test-acme-glue-streaming", service = ["glue.amazonaws.com"] },
    ])
    error_message = "The workflow role passes its own training role to SageMaker and its own Glue role to Glue, nothing else."
  }
  assert {
    condition = alltrue([
      for statement in local.statements :
      statement.resources == ["arn:aws:sagemaker:eu-west-1:123456789012:training-job/airloom-acme-*"] && (
        contains(statement.actions, "sagemaker:CreateTrainingJob") ? (
          contains(statement.actions, "sagemaker:AddTags") &&
          contains(statement.conditions, { test = "StringEquals", variable = "aws:RequestTag/airloom.tenant", values = ["acme"] }) &&
          contains(statement.conditions, { test = "ForAllValues:StringEquals", variable = "aws:TagKeys", values = ["airloom.tenant"] }) &&
          contains(statement.conditions, { test = "StringEqualsIfExists", variable = "aws:ResourceTag/airloom.tenant", values = ["acme"] })
        ) : statement.conditions == [{ test = "StringEquals", variable = "aws:ResourceTag/airloom.tenant", values = ["acme"] }]
      )
      if anytrue([for action in statement.actions : startswith(action, "sagemaker:")])
      ]) && toset(flatten([
        for statement in local.statements : statement.actions if anytrue([for action in statement.actions : startswith(action, "sagemaker:")])
    ])) == toset(["sagemaker:CreateTrainingJob", "sagemaker:AddTags", "sagemaker:DescribeTrainingJob", "sagemaker:StopTrainingJob"])
    error_message = "SageMaker: create acme's jobs only tagged airloom.tenant=acme, describe and stop only jobs so tagged, under airloom-acme-*."
  }
  assert {
    condition = toset(flatten([
      for statement in local.statements : statement.resources if anytrue([for action in statement.actions : startswith(action, "glue:")])
      ])) == toset(["arn:aws:glue:eu-west-1:123456789012:job/airloom-stream.wf-acme-*"]) && toset(flatten([
      for statement in local.statements : statement.actions if anytrue([for action in statement.actions : startswith(action, "glue:")])
    ])) == toset(["glue:GetJob", "glue:CreateJob", "glue:UpdateJob", "glue:StartJobRun", "glue:GetJobRun", "glue:BatchStopJobRun"])
    error_message = "Glue: create, update, run, watch and stop only the jobs of acme's workflows (airloom-stream.wf-acme-*)."
  }
}

run "a_tenant_reaches_none_of_anothers_jobs_roles_objects_or_topics" {
  command = plan

  module {
    source = "./tests/two_tenants"
  }
  providers = {
    aws = aws
  }

  # A resource as IAM reads it (* any run, ? one character) against what each tenant's jobs
  # touch: the other tenant's must not match any statement of either redirect role. Only
  # actions IAM cannot scope ("*": ECR's login, EC2's Describe*, metrics) are left out;
  # the single-tenant runs assert which those are.
  assert {
    condition = alltrue(flatten([
      for tenant, other in { acme = "acme_corp", acme_corp = "acme" } : [
        for sample in [
          "arn:aws:s3:::airloom-test-lake-data/tenants/${other}/_airloom/sagemaker/airloom-x/request/request.json",
          "arn:aws:s3:::airloom-test-lake-data/tenants/${other}/_checkpoints/orders/offsets/0",
          "arn:aws:s3:::airloom-test-lake-models/tenants/${other}/churn/model.pkl",
          "arn:aws:kafka:eu-west-1:123456789012:topic/airloom-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2/${other}.orders",
          "arn:aws:kafka:eu-west-1:123456789012:group/airloom-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2/${other}.stream",
          ] : [
          for statement in concat(output.training_statements[tenant], output.glue_streaming_statements[tenant]) : [
            # "*" is only ever on actions that take no resource (asserted above).
            for resource in statement.resources :
            !can(regex("^${replace(replace(replace(resource, ".", "\\."), "?", "."), "*", ".*")}$", sample)) if resource != "*"
          ]
        ]
      ]
    ]))
    error_message = "A training or Glue role of one tenant reaches the other tenant's objects, topics or groups."
  }
  assert {
    condition = alltrue(flatten([
      for tenant in ["acme", "acme_corp"] : [
        for sample in [
          "arn:aws:s3:::airloom-test-lake-data/tenants/${tenant}/_checkpoints/orders/offsets/0",
          "arn:aws:kafka:eu-west-1:123456789012:topic/airloom-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2/${tenant}.orders",
          "arn:aws:kafka:eu-west-1:123456789012:group/airloom-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2/${tenant}.stream",
          ] : anytrue(flatten([
            for statement in output.glue_streaming_statements[tenant] : [
              for resource in statement.resources : can(regex("^${replace(replace(replace(resource, ".", "\\."), "?", "."), "*", ".*")}$", sample))
            ]
        ]))
      ]
    ]))
    error_message = "Each tenant's Glue role reaches its own area, topics and groups (so the check above is not vacuous)."
  }
  assert {
    condition = alltrue([
      for tenant, other in { acme = "acme_corp", acme_corp = "acme" } :
      toset(flatten([for statement in output.statements[tenant] : statement.resources if contains(statement.actions, "iam:PassRole")])) == toset([
        "arn:aws:iam::123456789012:role/airloom-test-${tenant}-training",
        "arn:aws:iam::123456789012:role/airloom-test-${tenant}-glue-streaming",
      ])
    ])
    error_message = "Each tenant's workflow role passes exactly its own two roles."
  }
  # acme_corp's training job is airloom-acme-corp-<hex>: acme's name prefix matches it, so
  # every statement of acme's that does must hold acme's tag, which acme_corp's jobs never carry.
  assert {
    condition = alltrue(flatten([
      for tenant, other in { acme = "acme_corp", acme_corp = "acme" } : [
        for statement in output.statements[tenant] :
        anytrue([for condition in statement.conditions : endswith(condition.variable, "/airloom.tenant") && condition.values == [tenant]]) &&
        !anytrue([for condition in statement.conditions : contains(condition.values, other)])
        if anytrue([
          for resource in statement.resources :
          can(regex("^${replace(replace(replace(resource, ".", "\\."), "?", "."), "*", ".*")}$", "arn:aws:sagemaker:eu-west-1:123456789012:training-job/airloom-${replace(other, "_", "-")}-0123456789abcdef"))
        ])
      ]
      ])) && anytrue([
      for statement in output.statements["acme"] : contains(statement.resources, "arn:aws:sagemaker:eu-west-1:123456789012:training-job/airloom-acme-*")
    ])
    error_message = "A statement whose job prefix matches the other tenant's training job lets it through only with the tenant's own airloom.tenant tag."
  }
  assert {
    condition = alltrue(flatten([
      for tenant, other in { acme = "acme_corp", acme_corp = "acme" } : [
        for statement in output.statements[tenant] : [
          for resource in statement.resources :
          !can(regex("^${replace(replace(replace(resource, ".", "\\."), "?", "."), "*", ".*")}$", "arn:aws:glue:eu-west-1:123456789012:job/airloom-stream.wf-${other}-orders.stream"))
        ]
      ]
    ]))
    error_message = "Neither workflow role reaches the other tenant's Glue streaming jobs."
  }
}

run "a_wildcard_glue_code_location_is_refused" {
  command = plan

  variables {
    glue_code_s3_uris = ["s3://airflow-airloom-test/serverless/*"]
  }

  expect_failures = [var.glue_code_s3_uris]
}

run "a_role_name_over_64_characters_is_refused_by_name" {
  command = plan

  # 30 + 1 + 19 + 15 = 65 characters for the Glue role; the other two still fit.
  variables {
    name_prefix = "airloom-a-very-long-prefix-xyz"
    tenant      = "a_tenant_of_19_char"
  }

  expect_failures = [aws_iam_role.glue_streaming]
}
