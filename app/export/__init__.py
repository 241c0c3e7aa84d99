"""The monthly national export to SKR's Väntetidsdatabasen: code lists, pseudonymised records with data-quality
checks, the XML files, their log and the reminder that a month is due."""

from app.export.config import ExportConfig, load_config
from app.export.log import DueExport, export_due, export_history
from app.export.quality import IssueGroup, group_issues
from app.export.records import Issue, Kind
from app.export.service import ExportResult, export_month, prepare

__all__ = ["DueExport", "ExportConfig", "ExportResult", "Issue", "IssueGroup", "Kind", "export_due", "export_history",
           "export_month", "group_issues", "load_config", "prepare"]
