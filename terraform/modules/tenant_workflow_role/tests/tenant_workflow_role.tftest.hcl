# Offline plan of one tenant's MWAA Serverless execution role (no AWS account): who may assume
# it, that every resource it reaches is the tenant's own, and that a second tenant — one whose
# name starts with the first's — is out of reach either way. Run by tests/integration/terraform.

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

override_resource {
  target          = aws_iam_role.workflows
  override_during = plan
  values          = { arn = "arn:aws:iam::123456789012:role/airloom-test-acme-workflows", id = "airloom-test-acme-workflows" }
}

variables {
  name_prefix           = "airloom-test"
  tenant                = "acme"
  kms_key_arn           = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  lake_bucket_arn       = "arn:aws:s3:::airloom-test-lake-data"
  models_bucket_arn     = "arn:aws:s3:::airloom-test-lake-models"
  msk_cluster_arn       = "arn:aws:kafka:eu-west-1:123456789012:cluster/airloom-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2"
  definitions_s3_prefix = "s3://airflow-airloom-test/serverless/definitions"
  code_package_s3_uri   = "s3://airflow-airloom-test/serverless/airloom-code.zip"
  secret_arns           = ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:airflow/connections/airloom_lake-AbCdEf"]

  # The redirects' roles (redirect_roles.tftest.hcl asserts them).
  training_image_repository_arn = "arn:aws:ecr:eu-west-1:123456789012:repository/airloom-test/sagemaker-training"
  mlflow_secret_arn             = "arn:aws:secretsmanager:eu-west-1:123456789012:secret:airflow/connections/airloom_mlflow-MlFlOw"
  vpc_id                        = "vpc-0a1b2c3d4e5f67890"
  glue_code_s3_uris             = ["s3://airflow-airloom-test/serverless/glue/glue_stream_entrypoint.py"]
  glue_connection_name          = "airloom-test-vpc"
}

run "only_mwaa_serverless_of_this_account_may_assume_the_role" {
  command = plan

  assert {
    condition     = aws_iam_role.workflows.name == "airloom-test-acme-workflows" && output.role_arn == "arn:aws:iam::123456789012:role/airloom-test-acme-workflows"
    error_message = "The role is <name_prefix>-<tenant>-workflows, the name the builder's role pattern expects."
  }
  assert {
    condition = (
      length(data.aws_iam_policy_document.trust.statement) == 1 &&
      alltrue([
        for statement in data.aws_iam_policy_document.trust.statement :
        statement.actions == toset(["sts:AssumeRole"]) &&
        length(statement.principals) == 1 &&
        alltrue([
          for principal in statement.principals :
          principal.type == "Service" && principal.identifiers == toset(["airflow-serverless.amazonaws.com"])
        ]) &&
        jsonencode(statement.condition) == jsonencode(toset([{ test = "StringEquals", variable = "aws:SourceAccount", values = ["123456789012"] }]))
      ])
    )
    error_message = "The trust policy names MWAA Serverless, for this account's workflows only, and no other principal."
  }
  assert {
    condition     = length(data.aws_iam_policy_document.workflows.statement) == length(local.statements) && length(aws_iam_role_policy.aws_services) == 0
    error_message = "The role's policy holds its statements; no AWS service policy unless one is passed."
  }
}

run "storage_is_the_tenants_prefix_only" {
  command = plan

  assert {
    condition = toset(flatten([
      for statement in local.statements : statement.resources if contains(statement.actions, "s3:PutObject")
      ])) == toset([
      "arn:aws:s3:::airloom-test-lake-data/tenants/acme/*",
      "arn:aws:s3:::airloom-test-lake-models/tenants/acme/*",
    ])
    error_message = "The role writes only under tenants/acme/ of the lake and the model bucket."
  }
  assert {
    condition = toset(flatten([
      for statement in local.statements : statement.resources if contains(statement.actions, "s3:GetObject")
      ])) == toset([
      "arn:aws:s3:::airloom-test-lake-data/tenants/acme/*",
      "arn:aws:s3:::airloom-test-lake-models/tenants/acme/*",
      "arn:aws:s3:::airflow-airloom-test/serverless/definitions/acme/*",
      "arn:aws:s3:::airflow-airloom-test/serverless/airloom-code.zip",
    ])
    error_message = "The role reads its tenant's prefixes, its own definitions and the one code package object."
  }
  assert {
    condition = alltrue([
      for statement in local.statements :
      jsonencode(statement.conditions) == jsonencode([{ test = "StringLike", variable = "s3:prefix", values = ["tenants/acme/", "tenants/acme/*"] }])
      if contains(statement.actions, "s3:ListBucket")
    ]) && length([for statement in local.statements : statement if contains(statement.actions, "s3:ListBucket")]) == 2
    error_message = "Each bucket lists only below tenants/acme/."
  }
  assert {
    condition = alltrue(flatten([
      for statement in local.statements : [
        for action in statement.actions : contains(["s3:GetObject", "s3:GetObjectVersion", "s3:PutObject", "s3:DeleteObject", "s3:ListBucket"], action)
      ] if anytrue([for action in statement.actions : startswith(action, "s3:")])
    ]))
    error_message = "No S3 action beyond objects and listing (no bucket settings, no policies)."
  }
}

run "kafka_is_the_tenants_topics_and_groups" {
  command = plan

  variables {
    granted_topics = ["airloom.reference.prices"]
  }

  assert {
    condition = toset(flatten([
      for statement in local.statements : statement.resources if anytrue([for action in statement.actions : startswith(action, "kafka-cluster:")])
      ])) == toset([
      var.msk_cluster_arn,
      "arn:aws:kafka:eu-west-1:123456789012:topic/airloom-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2/acme.*",
      "arn:aws:kafka:eu-west-1:123456789012:group/airloom-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2/acme.*",
      "arn:aws:kafka:eu-west-1:123456789012:topic/airloom-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2/airloom.reference.prices",
    ])
    error_message = "Kafka: the cluster, acme.* topics and groups, and the one granted topic."
  }
  assert {
    condition = alltrue([
      for statement in local.statements : !contains(statement.actions, "kafka-cluster:CreateTopic") if statement.sid == "KafkaGrantedTopics"
    ])
    error_message = "A granted shared topic is read and written, never created."
  }
}

run "no_cluster_means_no_kafka_action" {
  command = plan

  variables {
    msk_cluster_arn = null
  }

  assert {
    condition     = !anytrue(flatten([for statement in local.statements : [for action in statement.actions : startswith(action, "kafka-cluster:")]]))
    error_message = "Without a cluster the role has no Kafka action."
  }
}

run "secrets_logs_and_key_are_narrow" {
  command = plan

  assert {
    condition = toset(flatten([
      for statement in local.statements : statement.resources if contains(statement.actions, "secretsmanager:GetSecretValue")
    ])) == toset(var.secret_arns)
    error_message = "The role reads exactly the secrets passed in."
  }
  assert {
    condition = (
      aws_cloudwatch_log_group.workflows.name == "/airloom-test/workflows/acme" &&
      aws_cloudwatch_log_group.workflows.kms_key_id == var.kms_key_arn &&
      output.log_group_name == "/airloom-test/workflows/acme" &&
      anytrue([
        for statement in local.statements :
        contains(statement.actions, "logs:PutLogEvents") && statement.resources == ["arn:aws:logs:eu-west-1:123456789012:log-group:/airloom-test/workflows/acme:*"]
      ])
    )
    error_message = "Logs go to the tenant's own encrypted log group and nowhere else."
  }
  assert {
    condition = alltrue([
      for statement in local.statements :
      jsonencode(statement.conditions) == jsonencode([{ test = "StringEquals", variable = "kms:ViaService", values = ["s3.eu-west-1.amazonaws.com", "secretsmanager.eu-west-1.amazonaws.com"] }])
      if contains(statement.resources, var.kms_key_arn)
    ])
    error_message = "The environment's key is usable through S3 and Secrets Manager only."
  }
  assert {
    condition     = !anytrue(flatten([for statement in local.statements : [for resource in statement.resources : resource == "*"]]))
    error_message = "No statement of the role's own is on every resource."
  }
}

run "the_tenants_aws_services_policy_is_attached" {
  command = plan

  variables {
    aws_service_policies = { aws-services = "{\"Version\":\"2012-10-17\",\"Statement\":[{\"Effect\":\"Allow\",\"Action\":\"comprehend:DetectSentiment\",\"Resource\":\"*\"}]}" }
  }

  assert {
    condition     = aws_iam_role_policy.aws_services["aws-services"].name == "airloom-tenant-aws-services" && aws_iam_role_policy.aws_services["aws-services"].policy == var.aws_service_policies["aws-services"]
    error_message = "tenant_aws_access's grants are attached to the workflow role as they are."
  }
}

run "neither_of_two_tenants_reaches_the_other" {
  command = plan

  module {
    source = "./tests/two_tenants"
  }
  providers = {
    aws = aws
  }

  variables {
    lake_bucket_arn   = "arn:aws:s3:::airloom-test-lake-data"
    models_bucket_arn = "arn:aws:s3:::airloom-test-lake-models"
  }

  # A statement's resource, read as IAM reads it (* any run of characters, ? one), against what
  # each tenant's tasks would touch: its own things must match, the other's must not.
  assert {
    condition = alltrue(flatten([
      for tenant, other in { acme = "acme_corp", acme_corp = "acme" } : [
        for sample in [
          "arn:aws:s3:::airloom-test-lake-data/tenants/${other}/sales/daily/part-0.parquet",
          "arn:aws:s3:::airloom-test-lake-models/tenants/${other}/churn/model.pkl",
          "arn:aws:s3:::airflow-airloom-test/serverless/definitions/${other}/wf-${other}-tickets.yaml",
          "arn:aws:kafka:eu-west-1:123456789012:topic/airloom-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2/${other}.orders",
          "arn:aws:kafka:eu-west-1:123456789012:group/airloom-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2/${other}.ingest",
          other == "acme" ? "arn:aws:secretsmanager:eu-west-1:123456789012:secret:airloom-test/acme/crm-AbCdEf" : "arn:aws:secretsmanager:eu-west-1:123456789012:secret:airloom-test/acme_corp/crm-GhIjKl",
          "arn:aws:logs:eu-west-1:123456789012:log-group:/airloom-test/workflows/${other}:log-stream:run-1",
          ] : [
          for statement in output.statements[tenant] : [
            for resource in statement.resources :
            !can(regex("^${replace(replace(replace(resource, ".", "\\."), "?", "."), "*", ".*")}$", sample))
          ]
        ]
      ]
    ]))
    error_message = "A statement of one tenant's role reaches the other tenant's objects, definitions, topics, groups, secrets or logs."
  }
  assert {
    condition = alltrue([
      for tenant in ["acme", "acme_corp"] : alltrue([
        for sample in [
          "arn:aws:s3:::airloom-test-lake-data/tenants/${tenant}/sales/daily/part-0.parquet",
          "arn:aws:s3:::airloom-test-lake-models/tenants/${tenant}/churn/model.pkl",
          "arn:aws:s3:::airflow-airloom-test/serverless/definitions/${tenant}/wf-${tenant}-tickets.yaml",
          "arn:aws:kafka:eu-west-1:123456789012:topic/airloom-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2/${tenant}.orders",
          "arn:aws:kafka:eu-west-1:123456789012:group/airloom-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2/${tenant}.ingest",
          "arn:aws:logs:eu-west-1:123456789012:log-group:/airloom-test/workflows/${tenant}:log-stream:run-1",
          ] : anytrue(flatten([
            for statement in output.statements[tenant] : [
              for resource in statement.resources :
              can(regex("^${replace(replace(replace(resource, ".", "\\."), "?", "."), "*", ".*")}$", sample))
            ]
        ]))
      ])
    ])
    error_message = "Each tenant's role reaches its own objects, definitions, topics, groups and logs (so the check above is not vacuous)."
  }
  assert {
    condition = alltrue(flatten([
      for tenant, other in { acme = "acme_corp", acme_corp = "acme" } : [
        for statement in output.statements[tenant] : [
          for condition in statement.conditions : [
            for value in condition.values :
            !can(regex("^${replace(replace(replace(value, ".", "\\."), "?", "."), "*", ".*")}$", "tenants/${other}/sales/"))
          ] if condition.variable == "s3:prefix"
        ]
      ]
    ]))
    error_message = "Neither role may list below the other tenant's prefix."
  }
}

run "a_wildcard_topic_is_refused" {
  command = plan

  variables {
    granted_topics = ["acme_corp.*"]
  }

  expect_failures = [var.granted_topics]
}

run "a_wildcard_secret_is_refused" {
  command = plan

  variables {
    secret_arns = ["arn:aws:secretsmanager:eu-west-1:123456789012:secret:*"]
  }

  expect_failures = [var.secret_arns]
}

run "a_tenant_name_with_a_dot_is_refused" {
  command = plan

  variables {
    tenant = "acme.evil"
  }

  expect_failures = [var.tenant]
}

run "the_tenants_aws_role_is_the_only_role_it_assumes" {
  command = plan

  assert {
    condition     = length([for statement in local.statements : statement if contains(statement.actions, "sts:AssumeRole")]) == 0
    error_message = "Without a tenant AWS role, the workflows assume no role."
  }
}

run "the_tenants_aws_role_may_be_assumed" {
  command = plan

  variables {
    tenant_aws_role_arn = "arn:aws:iam::123456789012:role/airloom-test-tenant-acme"
  }

  assert {
    condition = [
      for statement in local.statements : statement.resources if contains(statement.actions, "sts:AssumeRole")
    ] == [["arn:aws:iam::123456789012:role/airloom-test-tenant-acme"]]
    error_message = "The workflows assume exactly the tenant's AWS role, as its aws_<tenant> connection does."
  }
}
