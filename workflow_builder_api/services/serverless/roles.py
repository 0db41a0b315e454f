"""The IAM execution role (and log group) a tenant's workflows have on MWAA Serverless.

The deployment names one role per tenant by a pattern such as
``arn:aws:iam::123456789012:role/airloom-{tenant}-workflows`` (Terraform creates the roles);
``{tenant}`` is the only placeholder, so a tenant's workflow can only ever be given its own role.
The log group may be one per tenant the same way (``/airloom-prod/workflows/{tenant}``, which
is the only group a tenant's role may write to), or one for all.
"""

from __future__ import annotations

import re

PLACEHOLDER = "{tenant}"
# botocore's RoleARN shape of the mwaa-serverless model (CreateWorkflow's RoleArn).
ROLE_ARN = re.compile(
    r"arn:aws(?:-(?:cn|us-gov|iso|iso-b|iso-e|iso-f))?:iam::[0-9]{12}:role"
    r"(/[a-zA-Z0-9+=,.@_\-]{1,512})*?/[a-zA-Z0-9+=,.@_\-]{1,64}"
)
LONGEST_TENANT = "t" * 31  # airloom.tenancy.TENANT_PATTERN allows 31 characters
LOG_GROUP = re.compile(r"[.\-_/#A-Za-z0-9]{1,512}")  # CloudWatch Logs' group names


def check_role_arn_pattern(pattern: str) -> str:
    """``pattern`` if every tenant's ARN rendered from it is a valid role ARN.

    :raises ValueError: naming what is wrong (for the settings' startup error).
    """
    if pattern.count(PLACEHOLDER) != 1:
        raise ValueError(f"must hold {PLACEHOLDER} exactly once (the tenant's name)")
    if "{" in pattern.replace(PLACEHOLDER, "") or "}" in pattern.replace(PLACEHOLDER, ""):
        raise ValueError(f"{PLACEHOLDER} is the only placeholder it may hold")
    if ":role/" not in pattern or PLACEHOLDER not in pattern.rpartition(":role/")[2]:
        raise ValueError(f"must be an IAM role ARN with {PLACEHOLDER} in the role's name")
    for tenant in ("t", LONGEST_TENANT):
        if not ROLE_ARN.fullmatch(pattern.replace(PLACEHOLDER, tenant)):
            raise ValueError(
                "must render an IAM role ARN for every tenant (arn:aws:iam::<12-digit account>"
                ":role/<path/>name, the name at most 64 characters with a 31-character tenant)"
            )
    return pattern


def tenant_role_arn(pattern: str, tenant: str) -> str:
    """The ARN of ``tenant``'s execution role."""
    return pattern.replace(PLACEHOLDER, tenant)


def check_log_group_pattern(pattern: str) -> str:
    """``pattern`` if it names a valid log group for every tenant ({tenant} optional).

    :raises ValueError: naming what is wrong (for the settings' startup error).
    """
    if pattern.count(PLACEHOLDER) > 1:
        raise ValueError(f"may hold {PLACEHOLDER} at most once")
    if "{" in pattern.replace(PLACEHOLDER, "") or "}" in pattern.replace(PLACEHOLDER, ""):
        raise ValueError(f"{PLACEHOLDER} is the only placeholder it may hold")
    if not LOG_GROUP.fullmatch(pattern.replace(PLACEHOLDER, LONGEST_TENANT)):
        raise ValueError("must be a CloudWatch Logs group name ([.-_/#A-Za-z0-9], 512 at most)")
    return pattern


def tenant_log_group(pattern: str, tenant: str) -> str:
    """The log group of ``tenant``'s workflows."""
    return pattern.replace(PLACEHOLDER, tenant)
