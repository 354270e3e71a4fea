"""The name and value formats of k8s.io/apimachinery/pkg/util/validation, as predicates that
return the reason a value is refused (empty: accepted), in the API server's words.

Every object of a render carries the same standard labels and names: the predicates those meet
remember their answers, so a large render checks each distinct string once."""

from __future__ import annotations

import functools
import ipaddress
import re

from svcgen.model import DNS1035_LABEL, DNS1123_LABEL, DNS1123_SUBDOMAIN
from svcgen.units import quantity

_QUALIFIED_NAME = re.compile(r"^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$")
_LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
_DNS1123_LABEL = re.compile(DNS1123_LABEL)
_DNS1123_SUBDOMAIN = re.compile(DNS1123_SUBDOMAIN)
_DNS1035_LABEL = re.compile(DNS1035_LABEL)
_CONFIG_MAP_KEY = re.compile(r"^[-._a-zA-Z0-9]+$")
_C_IDENTIFIER_ENV = re.compile(r"^[-._a-zA-Z][-._a-zA-Z0-9]*$")
_PORT_NAME_CHARS = re.compile(r"^[-a-z0-9]+$")
_HTTP_HEADER_NAME = re.compile(r"^[-A-Za-z0-9]+$")
_PERCENT = re.compile(r"^[0-9]+%$")


@functools.lru_cache(maxsize=4096)
def qualified_name(value: str) -> str:
    """IsQualifiedName: ``[prefix/]name``, the name at most 63 alphanumerics with ``-_.`` inside,
    the prefix a DNS subdomain."""
    parts = value.split("/")
    if len(parts) > 2:
        return "a qualified name has at most one '/' (prefix/name)"
    name = parts[-1]
    if len(parts) == 2:
        prefix = parts[0]
        if not prefix:
            return "the prefix before '/' must not be empty"
        why = dns1123_subdomain(prefix)
        if why:
            return f"the prefix {why}"
    if not name:
        return "the name part must not be empty"
    if len(name) > 63:
        return "the name part must be no more than 63 characters"
    if not _QUALIFIED_NAME.match(name):
        return ("the name part must consist of alphanumeric characters, '-', '_' or '.', and "
                "must start and end with an alphanumeric character")
    return ""


@functools.lru_cache(maxsize=4096)
def label_value(value: str) -> str:
    """IsValidLabelValue: at most 63 characters, empty or alphanumeric at both ends."""
    if len(value) > 63:
        return "must be no more than 63 characters"
    if not _LABEL_VALUE.match(value):
        return ("a label value must be empty or consist of alphanumeric characters, '-', '_' "
                "or '.', and must start and end with an alphanumeric character")
    return ""


def dns1123_label(value: str) -> str:
    """IsDNS1123Label."""
    if len(value) > 63:
        return "must be no more than 63 characters"
    if not _DNS1123_LABEL.match(value):
        return ("must be a lowercase RFC 1123 label: lowercase alphanumerics and '-', starting "
                "and ending with an alphanumeric")
    return ""


def dns1035_label(value: str) -> str:
    """IsDNS1035Label."""
    if len(value) > 63:
        return "must be no more than 63 characters"
    if not _DNS1035_LABEL.match(value):
        return ("must be a DNS-1035 label: lowercase alphanumerics and '-', starting with a "
                "letter and ending with an alphanumeric")
    return ""


@functools.lru_cache(maxsize=4096)
def dns1123_subdomain(value: str) -> str:
    """IsDNS1123Subdomain."""
    if len(value) > 253:
        return "must be no more than 253 characters"
    if not _DNS1123_SUBDOMAIN.match(value):
        return ("must be a lowercase RFC 1123 subdomain: lowercase alphanumerics, '-' and '.', "
                "starting and ending with an alphanumeric")
    return ""


@functools.lru_cache(maxsize=4096)
def config_map_key(value: str) -> str:
    """IsConfigMapKey: the keys of ConfigMaps and Secrets, and the keys a pod reads from them."""
    if len(value) > 253:
        return "must be no more than 253 characters"
    if not _CONFIG_MAP_KEY.match(value):
        return "must consist of alphanumeric characters, '-', '_' or '.'"
    if value in (".", ".."):
        return f"must not be '{value}'"
    if value.startswith(".."):
        return "must not start with '..'"
    return ""


def env_var_name(value: str, relaxed: bool) -> str:
    """IsEnvVarName (``relaxed``: RelaxedEnvironmentVariableValidation, on by default since
    1.32: any printable ASCII character but '='), else the C-identifier-like form."""
    if not value:
        return "must not be empty"
    if relaxed:
        if any(not (" " <= ch <= "~") or ch == "=" for ch in value):
            return "must consist of printable ASCII characters except '='"
        return ""
    if not _C_IDENTIFIER_ENV.match(value):
        return ("must consist of alphabetic characters, digits, '_', '-' or '.', and must not "
                "start with a digit")
    if value in (".", "..") or value.startswith(".."):
        return "must not be '.' or '..' or start with '..'"
    return ""


@functools.lru_cache(maxsize=4096)
def port_name(value: str) -> str:
    """IsValidPortName (an IANA service name): at most 15 lowercase alphanumerics and '-', at
    least one letter, no '--', no '-' at either end."""
    if len(value) > 15:
        return "must be no more than 15 characters"
    if not _PORT_NAME_CHARS.match(value):
        return "must contain only lowercase alphanumerics and '-'"
    if not re.search(r"[a-z]", value):
        return "must contain at least one letter (a-z)"
    if "--" in value:
        return "must not contain consecutive hyphens"
    if value.startswith("-") or value.endswith("-"):
        return "must not begin or end with a hyphen"
    return ""


def http_header_name(value: str) -> str:
    """IsHTTPHeaderName: letters, digits and '-'."""
    return "" if _HTTP_HEADER_NAME.match(value) else (
        "a valid HTTP header must consist of alphanumeric characters or '-'")


def ip_address(value: str) -> str:
    """IsValidIP: an IPv4 or IPv6 address (no leading zeros, no zone)."""
    try:
        ipaddress.ip_address(value)
    except ValueError:
        return "must be a valid IP address (e.g. 10.9.8.7 or 2001:db8::ffff)"
    return ""


def not_more_than_100_percent(value: object) -> str:
    """IsNotMoreThan100Percent, for int-or-string fields given as a percentage."""
    if isinstance(value, str) and _PERCENT.match(value) and int(value[:-1]) > 100:
        return "must not be greater than 100%"
    return ""


def non_negative_quantity(value: object) -> str:
    """ValidateNonnegativeQuantity."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    amount = quantity(value)
    return "must be greater than or equal to 0" if amount is not None and amount < 0 else ""


def positive_quantity(value: object) -> str:
    """ValidatePositiveQuantityValue."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return ""
    amount = quantity(value)
    return "must be greater than zero" if amount is not None and amount <= 0 else ""
