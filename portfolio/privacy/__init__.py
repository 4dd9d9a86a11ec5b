"""Personal data in evidence: a detector that finds it in text (``portfolio.privacy.scan``)."""
