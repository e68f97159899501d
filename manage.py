#!/usr/bin/env python
"""Django's manage.py; operators use the `jointcase` console script, which wraps it."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from jointcase.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
