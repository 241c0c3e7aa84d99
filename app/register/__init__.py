"""The provider and contract register, capacity reports, and finding care elsewhere (DOMAIN.md §3)."""

from app.register.approaches import (
    ANSWERS,
    Approach,
    CaseApproaches,
    approaches,
    case_approaches,
    offer_from_candidate,
    record_approach,
)
from app.register.candidates import Candidate, Fit, Need, Route, Search, find_candidates
from app.register.history import Change, history
from app.register.no_match import Hint, explain
from app.register.phoned import Added, PhonedUnit, add_phoned_unit
from app.register.services import (
    CONTRACT_FORMS,
    CapacityData,
    CapacityRow,
    ContractData,
    ContractRow,
    ProviderData,
    ProviderRow,
    UnitData,
    UnitRow,
    get_capacity,
    get_contract,
    get_provider,
    get_unit,
    list_capacity,
    list_contracts,
    list_providers,
    list_units,
    save_capacity,
    save_contract,
    save_provider,
    save_unit,
)

__all__ = [
    "ANSWERS", "CONTRACT_FORMS", "Added", "Approach", "Candidate", "CapacityData", "CapacityRow",
    "CaseApproaches", "Change", "ContractData", "ContractRow", "Fit", "Hint", "Need", "PhonedUnit",
    "ProviderData", "ProviderRow", "Route", "Search", "UnitData", "UnitRow", "add_phoned_unit", "approaches",
    "case_approaches", "explain", "find_candidates", "get_capacity", "get_contract", "get_provider",
    "get_unit", "history", "list_capacity", "list_contracts", "list_providers", "list_units",
    "offer_from_candidate", "record_approach", "save_capacity", "save_contract", "save_provider", "save_unit",
]
