"""Offline copies for the mobile app: delta sync (history cursors with tombstones) and the first-install bundle."""
