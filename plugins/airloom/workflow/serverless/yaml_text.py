"""YAML for MWAA Serverless: PyYAML's safe dumper, deterministic, user text kept literal.

The service's loader (dag-factory's) runs ``os.path.expandvars`` over the whole file before it
parses it, so a ``$NAME`` in a tenant's text would become the worker's environment variable.
Every string holding a ``$`` is therefore written double-quoted with the ``$`` as the YAML
escape ``\\x24``: the parsed value is the same text, and no ``$`` is left for expandvars.
Everything else (``{{ }}``, ``!tags``, ``yes``, ``null``, ``*``, ``&``) is quoted by the safe
dumper wherever YAML would read it as anything but the same string.
"""

from __future__ import annotations

from typing import Any

import yaml

_ESCAPED_DOLLAR = "\\x24"


class _DefinitionDumper(yaml.SafeDumper):
    """The safe dumper, with strings holding ``$`` forced into double quotes."""

    def ignore_aliases(self, data: Any) -> bool:
        # A repeated value is written out again: anchors would make the text depend on
        # object identity, not on the data.
        return True


def _represent_str(dumper: yaml.SafeDumper, value: str) -> yaml.ScalarNode:
    style = '"' if "$" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_DefinitionDumper.add_representer(str, _represent_str)


def dump_definition(document: dict[str, Any]) -> str:
    """``document`` as YAML text: keys sorted, no aliases, the same bytes for the same input."""
    text = yaml.dump(
        document,
        Dumper=_DefinitionDumper,
        sort_keys=True,
        default_flow_style=False,
        allow_unicode=True,
        width=4096,
    )
    # Every "$" sits inside a double-quoted scalar (see _represent_str), where \x24 means "$".
    return text.replace("$", _ESCAPED_DOLLAR)
