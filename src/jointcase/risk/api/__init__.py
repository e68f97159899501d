"""The risk app's API: assessments (``assessments``) and required checks (``checks``)."""
