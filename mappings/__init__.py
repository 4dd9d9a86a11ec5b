"""Mapping and assessment: claims, decisions, coverage, sign-off, suggestions, quality assurance."""

from mappings import guards as _guards  # noqa: F401 - registers the rules it guards in portfolio
