"""Frameworks: standards, criteria and the importers that read them (pure, no database)."""
