"""Pages of the risk app: assessments (``assessments``, ``case_risk``) and required checks
(``checks``)."""
