"""Follow-up reports: figures per month and scope (figures), loaded from the database (source, service),
written as PDF, XLSX and CSV (output)."""

from app.reports.figures import Figure, Report, ReportSettings, Scope
from app.reports.months import Month
from app.reports.service import monthly_report, report_settings, scope_choices

__all__ = ["Figure", "Month", "Report", "ReportSettings", "Scope", "monthly_report", "report_settings",
           "scope_choices"]
