"""Foundations every layer shares: settings, extension instances, errors, languages, database helpers, metrics."""
