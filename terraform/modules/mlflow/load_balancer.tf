# Internal only: MWAA workers and the marketplace reach MLflow from inside the VPC.

resource "aws_security_group" "load_balancer" {
  name        = "${var.name}-mlflow-lb"
  description = "MLflow load balancer: HTTP from inside the VPC"
  vpc_id      = var.vpc_id

  ingress {
    description = "MLflow clients inside the VPC"
    from_port   = 80
    to_port     = 80
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr_block]
  }

  egress {
    description = "To the MLflow tasks"
    from_port   = local.port
    to_port     = local.port
    protocol    = "tcp"
    cidr_blocks = [var.vpc_cidr_block]
  }
}

resource "aws_lb" "mlflow" {
  name                       = "${var.name}-mlflow"
  internal                   = true
  load_balancer_type         = "application"
  subnets                    = var.private_subnet_ids
  security_groups            = [aws_security_group.load_balancer.id]
  drop_invalid_header_fields = true
  enable_deletion_protection = var.deletion_protection

  access_logs {
    bucket  = var.access_log_bucket
    prefix  = "load-balancers/${var.name}-mlflow"
    enabled = true
  }
}

resource "aws_lb_target_group" "mlflow" {
  name        = "${var.name}-mlflow"
  port        = local.port
  protocol    = "HTTP"
  target_type = "ip"
  vpc_id      = var.vpc_id

  health_check {
    path    = "/health"
    matcher = "200"
  }
}

resource "aws_lb_listener" "mlflow" {
  load_balancer_arn = aws_lb.mlflow.arn
  port              = 80
  protocol          = "HTTP"

  default_action {
    type             = "forward"
    target_group_arn = aws_lb_target_group.mlflow.arn
  }
}
