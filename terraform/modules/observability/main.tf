# Alarms that say something is wrong for a user: a DAG run failed, a consumer is falling
# behind, or a service answers with 5xx. They all notify one encrypted SNS topic.

resource "aws_sns_topic" "alarms" {
  name              = "${var.name}-alarms"
  kms_master_key_id = var.kms_key_arn
}

resource "aws_sns_topic_subscription" "email" {
  for_each  = toset(var.alarm_emails)
  topic_arn = aws_sns_topic.alarms.arn
  protocol  = "email"
  endpoint  = each.value
}

# Airflow's scheduler logs "Marking run <DagRun ...> failed" when a DAG run fails. Only a
# provisioned MWAA environment has a scheduler log group.
resource "aws_cloudwatch_log_metric_filter" "failed_dag_runs" {
  count          = var.provisioned_mwaa ? 1 : 0
  name           = "${var.name}-failed-dag-runs"
  log_group_name = var.scheduler_log_group
  pattern        = "\"Marking run\" \"failed\""
  metric_transformation {
    name          = "FailedDagRuns"
    namespace     = "Airloom/${var.name}"
    value         = "1"
    default_value = "0"
  }
}

resource "aws_cloudwatch_metric_alarm" "failed_dag_runs" {
  count               = var.provisioned_mwaa ? 1 : 0
  alarm_name          = "${var.name}-failed-dag-runs"
  alarm_description   = "At least one DAG run failed on MWAA in the last 5 minutes."
  namespace           = "Airloom/${var.name}"
  metric_name         = aws_cloudwatch_log_metric_filter.failed_dag_runs[0].metric_transformation[0].name
  statistic           = "Sum"
  period              = 300
  evaluation_periods  = 1
  threshold           = 1
  comparison_operator = "GreaterThanOrEqualToThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "consumer_lag" {
  for_each            = { for item in var.consumer_lag : "${item.consumer_group}/${item.topic}" => item }
  alarm_name          = "${var.name}-consumer-lag-${replace(each.key, "/", "-")}"
  alarm_description   = "Consumer group ${each.value.consumer_group} is more than ${each.value.max_lag} messages behind on ${each.value.topic} for 15 minutes."
  namespace           = "AWS/Kafka"
  metric_name         = "SumOffsetLag"
  statistic           = "Maximum"
  period              = 300
  evaluation_periods  = 3
  threshold           = each.value.max_lag
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  dimensions = {
    "Cluster Name"   = var.msk_cluster_name
    "Consumer Group" = each.value.consumer_group
    "Topic"          = each.value.topic
  }
  alarm_actions = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "api_5xx" {
  alarm_name          = "${var.name}-api-5xx-rate"
  alarm_description   = "More than ${var.max_5xx_rate * 100}% of API requests answered 5xx for 10 minutes."
  namespace           = "AWS/ApiGateway"
  metric_name         = "5XXError"
  statistic           = "Average"
  period              = 300
  evaluation_periods  = 2
  threshold           = var.max_5xx_rate
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  dimensions = {
    ApiName = var.api_name
    Stage   = var.api_stage
  }
  alarm_actions = [aws_sns_topic.alarms.arn]
}

resource "aws_cloudwatch_metric_alarm" "mlflow_5xx" {
  alarm_name          = "${var.name}-mlflow-5xx-rate"
  alarm_description   = "More than ${var.max_5xx_rate * 100}% of MLflow requests answered 5xx for 10 minutes."
  evaluation_periods  = 2
  threshold           = var.max_5xx_rate
  comparison_operator = "GreaterThanThreshold"
  treat_missing_data  = "notBreaching"
  alarm_actions       = [aws_sns_topic.alarms.arn]

  metric_query {
    id          = "rate"
    expression  = "IF(requests > 0, errors / requests, 0)"
    label       = "5xx rate"
    return_data = true
  }
  metric_query {
    id = "errors"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "HTTPCode_Target_5XX_Count"
      stat        = "Sum"
      period      = 300
      dimensions  = { LoadBalancer = var.mlflow_load_balancer_arn_suffix }
    }
  }
  metric_query {
    id = "requests"
    metric {
      namespace   = "AWS/ApplicationELB"
      metric_name = "RequestCount"
      stat        = "Sum"
      period      = 300
      dimensions  = { LoadBalancer = var.mlflow_load_balancer_arn_suffix }
    }
  }
}
