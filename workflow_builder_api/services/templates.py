"""Workflow templates: every ``*.json`` file in the templates folder is one template.

Each file is ``{"id", "title", "industry", "description", "spec": {...workflow spec...}}``.
"""

from __future__ import annotations

import copy
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from workflow_builder_api.services.errors import NotFound

REQUIRED_KEYS = ("id", "title", "industry", "description", "spec")


class TemplateError(ValueError):
    """A template file is malformed: names the file and what is wrong with it."""


@dataclass(frozen=True)
class Template:
    id: str
    title: str
    industry: str
    description: str
    spec: dict[str, Any]

    def spec_for(self, name: str, title: str | None = None) -> dict[str, Any]:
        """A copy of the template's spec, renamed for a new workflow."""
        spec = copy.deepcopy(self.spec)
        metadata = spec.setdefault("metadata", {})
        metadata["name"] = name
        metadata["title"] = title or self.title
        return spec


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
