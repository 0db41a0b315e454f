# Airloom's Airflow connections on MWAA, in Secrets Manager under airflow/connections/<id> as
# the secrets backend expects, with the same ids `airloom up` creates locally. None of them
# holds a password: Kafka authenticates with IAM and MLflow sits inside the VPC. The databases'
# passwords are secrets RDS itself creates and rotates (see the postgres module).

locals {
  connections = {
    airloom_kafka = {
      conn_type = "kafka"
      extra = {
        "bootstrap.servers" = var.kafka_bootstrap_servers
        "security.protocol" = "SASL_SSL"
        "sasl.mechanism"    = "OAUTHBEARER"
      }
    }
    airloom_mlflow = {
      conn_type = "http"
      host      = var.mlflow_tracking_uri
    }
    airloom_lake = {
      conn_type = "fs"
      extra     = { path = var.lake_root }
    }
  }
}

# airloom_insights: where MWAA's report and refresh DAGs reach the insights service (inside the
# VPC). The tokens they call it with (a platform token as the password, or tenant_tokens in the
# extra, see plugins/airloom/insights_refresh.py) are added by an operator once the service has
# issued them; Terraform writes the host and then leaves the value alone.
resource "aws_secretsmanager_secret" "insights_connection" {
  name                    = "airflow/connections/airloom_insights"
  description             = "${var.name}: Airflow connection airloom_insights"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.recovery_window_days
}

resource "aws_secretsmanager_secret_version" "insights_connection" {
  secret_id     = aws_secretsmanager_secret.insights_connection.id
  secret_string = jsonencode({ conn_type = "http", host = var.insights_url, extra = { tenant_tokens = {} } })
  lifecycle {
    ignore_changes = [secret_string]
  }
}

resource "aws_secretsmanager_secret" "connection" {
  for_each                = local.connections
  name                    = "airflow/connections/${each.key}"
  description             = "${var.name}: Airflow connection ${each.key}"
  kms_key_id              = var.kms_key_arn
  recovery_window_in_days = var.recovery_window_days
}

resource "aws_secretsmanager_secret_version" "connection" {
  for_each      = local.connections
  secret_id     = aws_secretsmanager_secret.connection[each.key].id
  secret_string = jsonencode(each.value)
}
