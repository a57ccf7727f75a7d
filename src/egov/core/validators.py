"""Django validators for national identification numbers (see ``egov.core.identifiers``).

Use the rule-specific ones (``iin_validator``…) where a field always holds one kind of number,
and ``validate_person_identifier`` / ``validate_organization_identifier`` where the kind depends
on the country served: they look the rule up in ``settings.COUNTRY.identifiers`` on each call, so
migrations stay the same whichever country a deployment serves.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError

from egov.core.identifiers import VALIDATORS, IdentifierError, validate

__all__ = [
    "IdentifierValidator",
    "bin_validator",
    "iin_validator",
    "run_rule",
    "tj_inn_validator",
    "validate_organization_identifier",
    "validate_person_identifier",
]


def run_rule(rule_name: str, value: object) -> None:
    """Validate ``value`` with ``rule_name``; ``ValidationError`` (with the rule's code) if bad."""
    try:
        validate(rule_name, value)
    except IdentifierError as error:
        raise ValidationError(error.message, code=error.code, params=error.params) from error


def iin_validator(value: object) -> None:
    """A Kazakh individual identification number (IIN)."""
    run_rule("kz-iin", value)


def bin_validator(value: object) -> None:
    """A Kazakh business identification number (BIN)."""
    run_rule("kz-bin", value)


def tj_inn_validator(value: object) -> None:
    """A Tajik taxpayer identification number (INN)."""
    run_rule("tj-inn", value)


def _country_rule(party: str) -> str:
    rule: str = settings.COUNTRY.identifiers[party]
    return rule


def validate_person_identifier(value: object) -> None:
    """A person's number by the rule of the country served (``settings.COUNTRY``)."""
    run_rule(_country_rule("person"), value)


def validate_organization_identifier(value: object) -> None:
    """An organization's number by the rule of the country served (``settings.COUNTRY``)."""
    run_rule(_country_rule("organization"), value)


class IdentifierValidator:
    """A validator bound to one rule name, e.g. ``IdentifierValidator("kz-bin")``.

    It can be written into migrations (it has ``deconstruct``) and compares by rule.
    """

    def __init__(self, rule_name: str) -> None:
        if rule_name not in VALIDATORS:
            known = ", ".join(sorted(VALIDATORS))
            raise LookupError(f"Unknown identifier rule {rule_name!r}; known rules: {known}.")
        self.rule_name = rule_name

    def __call__(self, value: object) -> None:
        run_rule(self.rule_name, value)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, IdentifierValidator) and other.rule_name == self.rule_name

    def __hash__(self) -> int:
        return hash((IdentifierValidator, self.rule_name))

    def __repr__(self) -> str:
        return f"IdentifierValidator({self.rule_name!r})"

    def deconstruct(self) -> tuple[str, tuple[Any, ...], dict[str, Any]]:
        return (f"{__name__}.IdentifierValidator", (self.rule_name,), {})
