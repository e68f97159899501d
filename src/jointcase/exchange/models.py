"""The exchange app's records: import batches, partner source records and quarantined rows."""

from __future__ import annotations
