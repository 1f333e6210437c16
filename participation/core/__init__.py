"""Pieces every feature shares: model mixins, i18n, permissions, sanitiser, errors, CLI."""
