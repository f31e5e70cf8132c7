"""What every editable domain shares: versions and ETags, If-Match, history entries, merge patches."""
