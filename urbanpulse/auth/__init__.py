"""Tourism-office accounts, passwords and bearer tokens."""
