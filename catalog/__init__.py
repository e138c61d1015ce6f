"""KPI Advisor: catalog package."""
