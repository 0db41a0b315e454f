# staging: production's shape at smaller sizes; one NAT gateway.

provider "aws" {
  region = var.region
  default_tags {
    tags = { Project = "airloom", Environment = "staging", ManagedBy = "terraform" }
  }
}

module "airloom" {
  source      = "../../stack"
  environment = "staging"

  vpc_cidr_block     = "10.30.0.0/16"
  availability_zones = ["${var.region}a", "${var.region}b"]
  single_nat_gateway = true

  airflow_version        = "3.0.6"
  mwaa_environment_class = "mw1.medium"
  mwaa_min_workers       = 1
  mwaa_max_workers       = 5
  mwaa_schedulers        = 2

  kafka_broker_instance_type = "kafka.m7g.large"
  kafka_brokers_per_zone     = 1

  db_instance_class     = "db.t4g.small"
  db_multi_az           = false
  service_desired_count = 1
  image_tag             = var.image_tag
  studio_url            = var.studio_url
  tenants               = var.tenants
  airflow_target        = var.airflow_target
  training_image_tag    = var.training_image_tag
  protect_from_deletion = true

  # Staging shares the account's API Gateway logging role set by prod.
  manage_api_gateway_logging_role = false

  alarm_emails = var.alarm_emails
  consumer_lag = [
    { consumer_group = "airloom-ingest", topic = "airloom.events", max_lag = 10000 },
    # Insights lands activity within seconds; a backlog means stale dashboards and ROI.
    { consumer_group = "airloom-insights", topic = "airloom.activity", max_lag = 5000 },
  ]
}
