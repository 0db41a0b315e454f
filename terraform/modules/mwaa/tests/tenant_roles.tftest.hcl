# Offline plan of the MWAA module (no AWS account): the execution role may assume the tenants'
# roles it is given and no other, and holds none of their AWS AI permissions itself. Run by
# tests/integration/terraform.

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
  mock_resource "aws_iam_role" {
    defaults = { arn = "arn:aws:iam::123456789012:role/airloom-test-mwaa-execution" }
  }
  mock_resource "aws_s3_bucket" {
    defaults = { arn = "arn:aws:s3:::airflow-airloom-test-123456789012" }
  }
  mock_resource "aws_mwaa_environment" {
    defaults = {
      arn = "arn:aws:airflow:eu-west-1:123456789012:environment/airloom-test"
      logging_configuration = {
        scheduler_logs = { cloud_watch_log_group_arn = "arn:aws:logs:eu-west-1:123456789012:log-group:airflow-airloom-test-Scheduler" }
      }
    }
  }
}

variables {
  name                         = "airloom-test"
  vpc_id                       = "vpc-0123456789abcdef0"
  private_subnet_ids           = ["subnet-0123456789abcdef0", "subnet-0123456789abcdef1"]
  kms_key_arn                  = "arn:aws:kms:eu-west-1:123456789012:key/00000000-0000-0000-0000-000000000000"
  access_log_bucket            = "airloom-test-access-logs"
  lake_bucket_arns             = ["arn:aws:s3:::airloom-test-lake-data-123456789012"]
  msk_cluster_arn              = "arn:aws:kafka:eu-west-1:123456789012:cluster/airloom-test/0a1b2c3d-4e5f-6789-abcd-ef0123456789-2"
  sagemaker_execution_role_arn = "arn:aws:iam::123456789012:role/airloom-test-sagemaker"
}

run "no_tenant_roles_by_default" {
  command = plan

  assert {
    condition = !anytrue([
      for statement in data.aws_iam_policy_document.execution.statement : contains(statement.actions, "sts:AssumeRole")
    ])
    error_message = "Without tenants the execution role assumes no role."
  }
}

run "assumes_exactly_the_tenants_roles" {
  command = plan

  variables {
    tenant_role_names = ["airloom-test-tenant-acme", "airloom-test-tenant-globex"]
  }

  assert {
    condition = toset(flatten([
      for statement in data.aws_iam_policy_document.execution.statement : statement.resources if contains(statement.actions, "sts:AssumeRole")
      ])) == toset([
      "arn:aws:iam::123456789012:role/airloom-test-tenant-acme",
      "arn:aws:iam::123456789012:role/airloom-test-tenant-globex",
    ])
    error_message = "The execution role may assume the listed tenants' roles, named exactly."
  }
  assert {
    condition = !anytrue(flatten([
      for statement in data.aws_iam_policy_document.execution.statement : [
        for action in statement.actions : anytrue([
          for prefix in ["comprehend:", "translate:", "textract:", "rekognition:", "transcribe:", "polly:", "bedrock:", "kinesis:", "glue:"] : startswith(action, prefix)
        ])
      ]
    ]))
    error_message = "The execution role, shared by every tenant, holds no AWS AI, Kinesis or Glue permission itself."
  }
}
