"""Decisions: what a team settled about a finding (a false positive, an accepted risk, equipment
replaced, still under review), kept in a YAML file that is reviewed in git like code, and applied
to every later run so a finding marked once stays marked.

A decision is keyed by the finding's stable `id` (see covscan.engine: a MAC, FCC ID, serial, asset
id or IP; failing those a hash of the screened fields) and remembers what it was made against: the
verdict, entity, knowledge-base version and the evidence values. A run shows it beside the finding
(never hiding it), brings the finding back when the decision has expired or the finding changed
since, and lists decisions whose id no row has any more, with the rows most like what they were
made against.
"""
from covscan.decisions.book import SETTLING_STATES, STATES, Decision, DecisionError, load_decisions, record_decision
from covscan.decisions.apply import DecisionBook, Orphan
from covscan.decisions.found import DecidedOn, finding_of

__all__ = ["DecidedOn", "Decision", "DecisionBook", "DecisionError", "Orphan", "finding_of", "SETTLING_STATES", "STATES", "load_decisions", "record_decision"]
