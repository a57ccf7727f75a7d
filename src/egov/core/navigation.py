"""The header's main menu: each app adds its sections when it starts (core knows no app)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.urls import reverse


@dataclass(frozen=True)
class NavItem:
    label: Any
    url_name: str
    order: int = 100
    # Shown only when this says so (e.g. logged-in users); everyone sees it when None.
    visible: Callable[[Any], bool] | None = None

    @property
    def url(self) -> str:
        return reverse(self.url_name)


_items: list[NavItem] = []


def register(item: NavItem) -> None:
    if all(existing.url_name != item.url_name for existing in _items):
        _items.append(item)
        _items.sort(key=lambda entry: entry.order)


def items_for(user: Any) -> list[NavItem]:
    return [item for item in _items if item.visible is None or item.visible(user)]
