output "address" {
  description = "Host name clients connect to."
  value       = aws_db_instance.this.address
}

output "port" {
  description = "Port clients connect to."
  value       = aws_db_instance.this.port
}

output "database_name" {
  description = "The database's name."
  value       = aws_db_instance.this.db_name
}

output "username" {
  description = "The master user's name."
  value       = aws_db_instance.this.username
}

output "password_secret_arn" {
  description = "Secrets Manager secret (JSON with `username` and `password`) RDS manages."
  value       = aws_db_instance.this.master_user_secret[0].secret_arn
}
