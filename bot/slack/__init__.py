"""Slack adapter (Bolt for Python). Built in a later issue; the package exists so the import
contract between the Slack and Teams adapters is enforced from the start."""
