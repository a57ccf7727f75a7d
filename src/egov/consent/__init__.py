"""Personal-data consents, the citizen's cabinet and data tracker, and the auditor's report."""
