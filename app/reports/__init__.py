"""Follow-up reports: figures per month and scope (figures), loaded from the database (source, tally,
activity, service), written as PDF, XLSX and CSV (output)."""

from app.reports.figures import Figure, Report, ReportSettings, TrendPoint
from app.reports.months import Month
from app.reports.service import monthly_report, report_settings, scope_choices, trend_points
from app.reports.source import Scope

__all__ = ["Figure", "Month", "Report", "ReportSettings", "Scope", "TrendPoint", "monthly_report",
           "report_settings", "scope_choices", "trend_points"]
