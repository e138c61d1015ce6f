"""The consultant's deliverable: the KPI dictionary, one card per KPI, and the exports."""
