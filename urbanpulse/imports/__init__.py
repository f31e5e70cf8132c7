"""Imports from the tourism information systems (DATAtourisme first): idempotent, the office's edits win,
deletions are safe, bad objects are rejected one by one."""
