"""Forms of the risk app: assessments (``assessments``) and required checks (``checks``)."""
