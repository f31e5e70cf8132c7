"""What every editable domain shares: versions and ETags, If-Match, history, slugs, merge patches, views."""
