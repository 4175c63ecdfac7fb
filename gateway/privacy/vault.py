"""Reversible pseudonymisation for one request: values out, `<TYPE_n>` placeholders in, and back again.

The vault lives only as long as its request; it is never stored, logged or cached.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Iterable
from typing import Any

from gateway.privacy.entities import Entity

PLACEHOLDER = re.compile(r"<([A-Z][A-Z_]*)_(\d{1,4})>")
MAX_PLACEHOLDER_LEN = 32


class Vault:
    def __init__(self) -> None:
        self._placeholder_of: dict[tuple[str, str], str] = {}
        self._value_of: dict[str, str] = {}
        self._numbers: dict[str, int] = {}
        self.detections: Counter[str] = Counter()  # entity type -> how many spans were redacted

    def __bool__(self) -> bool:
        return bool(self._value_of)

    def placeholder(self, entity_type: str, value: str) -> str:
        """The placeholder standing for `value`; the same value always gets the same one."""
        key = (entity_type, value)
        found = self._placeholder_of.get(key)
        if found is None:
            number = self._numbers[entity_type] = self._numbers.get(entity_type, 0) + 1
            found = f"<{entity_type}_{number}>"
            self._placeholder_of[key] = found
            self._value_of[found] = value
        return found

    def redact(self, text: str, entities: Iterable[Entity]) -> str:
        """`text` with every entity span replaced by its placeholder (entities sorted, non-overlapping)."""
        out: list[str] = []
        types: list[str] = []
        cursor = 0
        for entity in entities:
            out.append(text[cursor : entity.start])
            out.append(self.placeholder(entity.type, text[entity.start : entity.end]))
            types.append(entity.type)
            cursor = entity.end
        out.append(text[cursor:])
        self.detections.update(types)  # one count for all: Counter's += costs a Python call per entity
        return "".join(out)

    def value(self, placeholder: str) -> str | None:
        return self._value_of.get(placeholder)

    def restore(self, text: str, *, json_escape: bool = False) -> str:
        """Put the original values back for every placeholder this vault issued; others stay as they are.

        Args:
            text: Model output.
            json_escape: The text is the inside of a JSON string (streamed tool-call arguments): escape values.
        """
        if not self._value_of or "<" not in text:
            return text

        def swap(match: re.Match[str]) -> str:
            value = self._value_of.get(match.group(0))
            if value is None:
                return match.group(0)
            return json.dumps(value, ensure_ascii=False)[1:-1] if json_escape else value

        return PLACEHOLDER.sub(swap, text)

    def restore_json_arguments(self, arguments: str) -> str:
        """Restore placeholders inside the string values of a JSON arguments object (keeps it valid JSON)."""
        if not self._value_of or "<" not in arguments:
            return arguments
        try:
            parsed = json.loads(arguments)
        except ValueError:
            return self.restore(arguments, json_escape=True)
        return json.dumps(_restore_values(parsed, self), ensure_ascii=False)


def _restore_values(node: Any, vault: Vault) -> Any:
    if isinstance(node, str):
        return vault.restore(node)
    if isinstance(node, list):
        return [_restore_values(item, vault) for item in node]
    if isinstance(node, dict):
        return {key: _restore_values(value, vault) for key, value in node.items()}
    return node
