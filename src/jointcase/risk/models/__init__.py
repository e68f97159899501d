"""Risk models: assessments (``assessments``) and required checks (``checks``)."""
