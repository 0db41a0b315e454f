output "cluster_arn" {
  description = "The cluster's ARN (IAM policies scope topics and groups under it)."
  value       = aws_msk_cluster.this.arn
}

output "cluster_name" {
  description = "The cluster's name (the consumer-lag alarms' dimension)."
  value       = aws_msk_cluster.this.cluster_name
}

output "bootstrap_brokers_iam" {
  description = "Bootstrap servers for TLS with IAM auth: the airloom_kafka connection's host list."
  value       = aws_msk_cluster.this.bootstrap_brokers_sasl_iam
}

output "security_group_id" {
  description = "The brokers' security group."
  value       = aws_security_group.brokers.id
}
