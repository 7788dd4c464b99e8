"""The summary report (``/api/v1/reports/summary``) and its CSV export."""
