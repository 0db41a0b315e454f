# prod: a NAT gateway per zone, standby databases, two tasks per service, larger MWAA and MSK.

provider "aws" {
  region = var.region
  default_tags {
    tags = { Project = "airloom", Environment = "prod", ManagedBy = "terraform" }
  }
}

module "airloom" {
  source      = "../../stack"
  environment = "prod"

  vpc_cidr_block     = "10.40.0.0/16"
  availability_zones = ["${var.region}a", "${var.region}b"]
  single_nat_gateway = false

  airflow_version        = "3.0.6"
  mwaa_environment_class = "mw1.large"
  mwaa_min_workers       = 2
  mwaa_max_workers       = 10
  mwaa_schedulers        = 3

  kafka_broker_instance_type = "kafka.m7g.large"
  kafka_brokers_per_zone     = 2

  db_instance_class     = "db.m7g.large"
  db_multi_az           = true
  service_desired_count = 2
  image_tag             = var.image_tag
  studio_url            = var.studio_url
  tenants               = var.tenants
  airflow_target        = var.airflow_target
  training_image_tag    = var.training_image_tag
  protect_from_deletion = true

  alarm_emails = var.alarm_emails
  consumer_lag = [
    { consumer_group = "airloom-ingest", topic = "airloom.events", max_lag = 10000 },
    # Insights lands activity within seconds; a backlog means stale dashboards and ROI.
    { consumer_group = "airloom-insights", topic = "airloom.activity", max_lag = 5000 },
  ]
}
