"""Workflow templates: every ``*.json`` file in the templates folder is one template.

Each file is ``{"id", "title", "industry", "description", "spec": {...workflow spec...}}``.

A template names what each of its instances owns through placeholders in its string values:
``{workflow}`` becomes the new workflow's name and ``{tenant}`` its tenant, so two instances
never share a dataset, a registered model or a topic (``"dataset":
"workflows/{workflow}/sales"``, ``"registered_model_name": "{tenant}.{workflow}.demand"``).
This is plain substitution of two checked names into data, never a template engine: nothing
in a template or a design is evaluated.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from airloom.tenancy.scope import TENANT_PATTERN
from airloom.workflow.spec import NAME_PATTERN
from workflow_builder_api.services.errors import NotFound

REQUIRED_KEYS = ("id", "title", "industry", "description", "spec")
WORKFLOW_PLACEHOLDER = "{workflow}"
TENANT_PLACEHOLDER = "{tenant}"


class TemplateError(ValueError):
    """A template file is malformed: names the file and what is wrong with it."""


@dataclass(frozen=True)
class Template:
    id: str
    title: str
    industry: str
    description: str
    spec: dict[str, Any]

    @property
    def default_name(self) -> str:
        """The workflow name the template suggests (its spec's), or one made from its id."""
        name = self.spec.get("metadata", {}).get("name")
        if isinstance(name, str) and re.fullmatch(NAME_PATTERN, name):
            return name
        return re.sub(r"[^a-z0-9_]", "_", self.id.lower()).strip("_")[:63] or "workflow"

    def spec_for(self, name: str, title: str | None = None, *, tenant: str) -> dict[str, Any]:
        """A copy of the template's spec for workflow ``name`` of ``tenant``, placeholders filled.

        :raises ValueError: if ``name`` is not a workflow name or ``tenant`` not a tenant's.
        """
        if not re.fullmatch(NAME_PATTERN, name):
            raise ValueError(f"{name!r} is not a workflow name")
        if not TENANT_PATTERN.fullmatch(tenant):
            raise ValueError(f"{tenant!r} is not a tenant name")
        spec = _fill(self.spec, {WORKFLOW_PLACEHOLDER: name, TENANT_PLACEHOLDER: tenant})
        metadata = spec.setdefault("metadata", {})
        metadata["name"] = name
        metadata["title"] = title or self.title
        return spec


def _fill(value: Any, names: dict[str, str]) -> Any:
    """``value`` (JSON data) copied, with each placeholder in its strings replaced."""
    if isinstance(value, str):
        for placeholder, name in names.items():
            value = value.replace(placeholder, name)
        return value
    if isinstance(value, dict):
        return {key: _fill(item, names) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, names) for item in value]
    return value


def load_templates(folder: Path) -> dict[str, Template]:
    """Every template in ``folder``, by id; a malformed file raises naming the file."""
    templates: dict[str, Template] = {}
    if not folder.is_dir():
        return templates
    for path in sorted(folder.glob("*.json")):
        try:
            document = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, json.JSONDecodeError) as exc:
            raise TemplateError(f"template {path.name}: cannot be read as JSON: {exc}") from exc
        if not isinstance(document, dict):
            raise TemplateError(f"template {path.name}: must be a JSON object")
        missing = [key for key in REQUIRED_KEYS if key not in document]
        if missing:
            raise TemplateError(f"template {path.name}: missing {', '.join(missing)}")
        if not isinstance(document["spec"], dict):
            raise TemplateError(f"template {path.name}: 'spec' must be a JSON object")
        template = Template(
            id=str(document["id"]),
            title=str(document["title"]),
            industry=str(document["industry"]),
            description=str(document["description"]),
            spec=document["spec"],
        )
        if template.id in templates:
            raise TemplateError(f"template {path.name}: id {template.id!r} is used twice")
        templates[template.id] = template
    return templates


def get_template(templates: dict[str, Template], template_id: str) -> Template:
    template = templates.get(template_id)
    if template is None:
        known = ", ".join(sorted(templates)) or "none"
        raise NotFound(f"no template {template_id!r}; templates: {known}")
    return template
