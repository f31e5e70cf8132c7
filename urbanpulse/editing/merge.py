"""JSON Merge Patch (RFC 7396) for the object-valued fields of a PATCH."""

from __future__ import annotations


def merge_patch(target, patch):
    """Apply `patch` to `target`: objects merge recursively, null deletes a key, anything else replaces."""
    if not isinstance(patch, dict):
        return patch
    result = dict(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result
