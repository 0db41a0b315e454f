output "alarm_topic_arn" {
  description = "SNS topic every alarm notifies."
  value       = aws_sns_topic.alarms.arn
}

output "alarm_names" {
  description = "Names of the alarms created."
  value = concat(
    aws_cloudwatch_metric_alarm.failed_dag_runs[*].alarm_name, [aws_cloudwatch_metric_alarm.api_5xx.alarm_name, aws_cloudwatch_metric_alarm.mlflow_5xx.alarm_name],
    [for alarm in aws_cloudwatch_metric_alarm.consumer_lag : alarm.alarm_name],
  )
}
