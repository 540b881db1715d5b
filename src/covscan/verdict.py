"""Evidence fusion: all signals of one record become one finding with a verdict, the regimes that
apply in the user's context, and an explanation an auditor can follow.

Rules, in order:
1. Evidence is grouped by the Covered List entity it leads to; confidences within a group combine
   as independent signals (noisy-OR).
2. Generic model patterns need corroboration: alone they are capped, and a known non-covered
   vendor name in the same record overrules them ("Linksys" + "E4200").
3. Direct evidence (the entity, its subsidiaries, affiliates and brands) outranks indirect evidence
   (OEM partners, former subsidiaries, chip suppliers, equipment of a services-only entry), which
   only ever gives `review`. Between entities the stronger wins; the loser and any contrary
   vendor evidence are shown as conflicts and lower the winner's confidence.
4. The entry's legal scope turns a confident match into a verdict: unconditional and software
   entries are `covered`; use-limited entries are `conditional` unless the use is stated (or the
   context is a marketplace, where the authorization freeze applies whatever the use); category
   entries need the country of production, and a holder's DoW/DHS Conditional Approval excepts the
   series it covers (covered_list.yaml conditional_approvals).

And what the record shows it is:
- the same name read in two fields (a brand "Autel" and a title "Autel ...") is one reading, not two
  independent signals;
- a name shared with a known lookalike that the record also names ("Autel" beside "MaxiSys", Autel
  Intelligent's product line) is the lookalike's;
- a maker named inside a category entry (DJI and Autel Robotics in the UAS entry) is corroborated by
  the record being of that category (an "Autel" drone is Autel Robotics'), and is not covered for a
  part or accessory that the entry does not cover (DJI propellers: not a critical component, not
  communications or video surveillance equipment);
- a listing that sells no equipment (a protection plan, a gift card) is not covered equipment;
- a seller's name (a carrier's) beside a covered producer's is not a rival producer.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from covscan.evidence.origin import ASSEMBLED, DOMESTIC, FOREIGN
from covscan.kb import KnowledgeBase
from covscan.kb.loader import RELATIONS_REVIEW, Regime
from covscan.kb.supplement import supplement
from covscan.model import Context, Evidence, Finding, RegimeHit, Use, Verdict
from covscan.normalize import tokens

# Signals that identify a product as equipment (as opposed to a service contract).
EQUIPMENT_SIGNALS = frozenset({"name", "model", "mac", "fcc_id", "pen", "usb"})
# Signals whose known non-covered vendor counts against weak covered evidence.
COUNTER_SIGNALS = frozenset({"name", "mac", "pen", "usb"})
_USE_TEXT = {
    "public-safety": "public safety",
    "government-facility": "security of government facilities",
    "critical-infrastructure": "physical-security surveillance of critical infrastructure",
    "national-security": "other national-security purposes",
}
_REVIEW_REASON = {
    "oem": "OEM / white-label partner of {parent}: some products are {parent}-made, so check the model",
    "former-oem": "former OEM partner of {parent}: older stock may be {parent}-made",
    "former-subsidiary": "former subsidiary of {parent}: products from the years of ownership may be {parent}-made",
    "chip-supplier": "chip supplier of the {parent} group: the SoC or NIC maker is not the device maker",
    "services": "{parent}'s Covered List entry covers its section 214 services, not equipment sold under its name",
}


def _current(membership: dict) -> bool:
    """A listing that stands today and that a source shows (not ended, not a listing merely looked for)."""
    return not membership.get("until") and membership.get("confidence") in ("high", "medium")


def _contains(outer: tuple[str, ...], inner: tuple[str, ...]) -> bool:
    return bool(inner) and any(outer[i : i + len(inner)] == inner for i in range(len(outer) - len(inner) + 1))


def _one_reading_per_name(items: Sequence[Evidence]) -> list[Evidence]:
    """A name read in several fields (the brand and the title both say "Autel") is one reading: the
    strongest counts, the others are not independent signals."""
    best: dict[tuple[str | None, str | None], Evidence] = {}
    out: list[Evidence] = []
    for e in items:
        if e.signal != "name":
            out.append(e)
            continue
        key = (e.target, e.matched)
        if key not in best or e.confidence > best[key].confidence:
            best[key] = e
    return out + list(best.values())


def noisy_or(values: Iterable[float]) -> float:
    miss = 1.0
    for v in values:
        miss *= 1.0 - v
    return min(0.99, 1.0 - miss)


@dataclass
class _Candidate:
    entity: str
    items: list[Evidence]
    direct: list[Evidence]
    confidence: float

    @property
    def rank(self) -> tuple[bool, float]:
        return bool(self.direct), self.confidence


def _what_the_title_says(scored: list[Evidence], evidence: Sequence[Evidence]) -> list[Evidence]:
    """A category column or an HS code says what kind of goods a listing is among; the title says
    what it is. So a category's column or code evidence is dropped when the title shows an accessory
    for its items, another thing of the same name or an excepted one (a landing pad listed under
    Drones, a palm router under Power Tools > Routers) and names none of its items itself; a broad HS
    heading (8517.62, 8504.40) never decides alone; and a category column naming another kind of
    goods (Books, Beekeeping) rules the category out whatever the title says."""
    def from_text(e: Evidence) -> bool:  # titles and descriptions; not category-column.* or hs.*
        return e.rule.startswith("category.")

    notes = [e for e in evidence if e.signal == "category" and e.note and not e.confidence]
    other_goods = {e.target for e in notes if e.rule.startswith("category-column.") and e.rule.endswith(".homonym")}
    ruled_out_by_text = {e.target for e in notes if from_text(e)} - {e.entity for e in scored if e.signal == "category" and from_text(e)}
    decisive = {e.entity for e in scored if e.signal == "category" and not e.rule.endswith(".broad")}

    def dropped(e: Evidence) -> bool:
        if e.signal != "category":
            return False
        if e.entity in other_goods or e.entity not in decisive:
            return True
        return not from_text(e) and e.entity in ruled_out_by_text

    return [e for e in scored if not dropped(e)]


class Fuser:
    def __init__(self, kb: KnowledgeBase, context: Context = Context.GENERAL, use: Use | None = None) -> None:
        self.kb, self.context, self.use = kb, context, use
        s = kb.scoring
        self.decide_at, self.review_at = float(s["decide_at"]), float(s["review_at"])
        self.penalty, self.cap = float(s["conflict_penalty"]), float(s["uncorroborated_cap"])
        self._lookalike_names: dict[str, list[tuple[str, ...]]] = {}  # a lookalike's names, once (not per fusion)
        for a in kb.aliases:
            if kb.nodes[a.node].lookalike_of:
                self._lookalike_names.setdefault(a.node, []).append(a.tokens)

    # ------------------------------------------------------------------ entry point

    def fuse(self, evidence: Sequence[Evidence]) -> Finding:
        use = next((Use(e.matched) for e in evidence if e.signal == "use" and e.matched), self.use)
        counter = [e for e in evidence if e.entity is None and e.target and e.confidence > 0 and e.signal in COUNTER_SIGNALS]
        scored = _what_the_title_says([e for e in evidence if e.entity and e.confidence > 0], evidence)
        scored, taken = self._lookalikes_take_their_names(scored, evidence)
        counter = self._not_sellers(counter, scored)
        if (plan := next((e for e in evidence if e.signal == "category" and ".not-equipment." in (e.rule or "")), None)) is not None:
            ruled = [e for e in scored if self.kb.scope(e.entity) in ("unconditional", "use-limited", "category")]  # type: ignore[arg-type]
            if ruled:
                scored = [e for e in scored if e not in ruled]
                if not scored:
                    return self._clear(list(evidence), [], [], f"{plan.field} '{plan.value}': {plan.note}; "
                                       f"{self._name(ruled[0].entity)}'s Covered List entry does not reach it", entity_evidence=ruled)
        by_entity: dict[str, list[Evidence]] = {}
        for e in scored:
            by_entity.setdefault(e.entity, []).append(e)  # type: ignore[arg-type]
        companies = {k: v for k, v in by_entity.items() if self.kb.scope(k) != "category"}
        categories = {k: v for k, v in by_entity.items() if self.kb.scope(k) == "category"}

        company = self._company(companies, counter, use, list(evidence), categories, taken)
        category = self._category(categories, evidence)
        if category is not None and (category.verdict.rank > company.verdict.rank or company.verdict is category.verdict is Verdict.CLEAR):
            return category
        return company

    # ------------------------------------------------------------------ what the record shows it is

    def _lookalikes_take_their_names(self, scored: list[Evidence], evidence: Sequence[Evidence]) -> tuple[list[Evidence], list[Evidence]]:
        """A covered entity's name that a known lookalike shares ("Autel": Autel Robotics and Autel
        Intelligent Technology) is the lookalike's when the record also names the lookalike (its
        product line "MaxiSys", its full name). Returns the evidence kept and the evidence taken."""
        names: dict[str, list[tuple[str, ...]]] = {}
        for e in evidence:
            node = self.kb.nodes.get(e.target) if e.target and e.entity is None and e.confidence > 0 else None
            if node is not None and node.lookalike_of:
                names.setdefault(node.lookalike_of, []).extend(self._lookalike_names.get(node.id, ()))
        if not names:
            return scored, []
        taken = [e for e in scored if e.signal == "name" and e.entity in names and e.matched
                 and any(_contains(alias, tokens(e.matched)) for alias in names[e.entity])]
        return [e for e in scored if e not in taken], taken

    def _not_sellers(self, counter: list[Evidence], scored: list[Evidence]) -> list[Evidence]:
        """A seller's name (a carrier's, on a device another company produces) does not count against
        a covered producer that the record names as such."""
        sellers = supplement(self.kb).sellers or {}
        if not any(e.target in sellers for e in counter):
            return counter
        named = any(e.signal == "name" and e.relation not in RELATIONS_REVIEW for e in scored)
        return [e for e in counter if not (named and e.target in sellers)]

    # ------------------------------------------------------------------ companies and brands

    def _company(self, groups: dict[str, list[Evidence]], counter: list[Evidence], use: Use | None, evidence: list[Evidence],
                 categories: dict[str, list[Evidence]] | None = None, taken: Sequence[Evidence] = ()) -> Finding:
        categories = categories or {}
        candidates: list[_Candidate] = []
        overruled: list[Evidence] = list(taken)
        not_covered_part: tuple[str, Evidence] | None = None
        corroborated: dict[str, Evidence] = {}
        for entity, items in groups.items():
            if counter and all(e.corroborate for e in items):
                overruled += items
                continue
            conf = noisy_or(e.confidence for e in _one_reading_per_name(items))
            if all(e.corroborate for e in items):
                conf = min(conf, self.cap)
            scope = self.kb.scope(entity)
            direct = [e for e in items if self._indirect_reason(e, scope) is None]
            if direct and (category := self.kb.category_naming(entity)) is not None:
                if category in categories:  # an "Autel" drone: the drone says which Autel
                    strongest = max(categories[category], key=lambda e: e.confidence)
                    before = conf
                    conf = noisy_or([conf, strongest.confidence * float(self.kb.scoring.get("category_corroboration", 0.5))])
                    if before < self.decide_at <= conf:
                        corroborated[entity] = strongest
                elif (part := self._part_not_covered(category, evidence)) is not None:
                    overruled += items
                    not_covered_part = (entity, part)
                    continue
            candidates.append(_Candidate(entity, items, direct, conf))
        if not candidates:
            if not_covered_part is not None:
                entity, part = not_covered_part
                return self._clear(evidence, overruled, [], (
                    f"{part.field} '{part.value}': {part.note}. {self._name(entity)} is covered for UAS and UAS critical components and "
                    "for its communications and video surveillance equipment and services (sec. 1709(a)(1)); this part is neither"))
            if taken and not overruled[len(taken):]:
                lookalike = next(e for e in evidence if e.target and e.entity is None and e.confidence > 0
                                 and self.kb.nodes[e.target].lookalike_of == taken[0].entity)
                return self._clear(evidence, overruled, counter, (
                    f"{taken[0].matched!r} is also a name of {self._name(lookalike.target)}, which the record names "
                    f"({lookalike.field} '{lookalike.value}' matched {lookalike.matched}): "
                    f"{self.kb.nodes[lookalike.target].reason or 'a different company'}"))
            return self._clear(evidence, overruled, counter)

        candidates.sort(key=lambda c: c.rank, reverse=True)
        win, losers = candidates[0], candidates[1:]
        conflicts = [e for c in losers for e in c.items] + counter + list(taken)
        confidence = win.confidence
        for other in [c.confidence for c in losers] + [e.confidence for e in counter]:
            confidence *= 1.0 - self.penalty * other
        strongest = max(win.direct or win.items, key=lambda e: e.confidence)
        scope = self.kb.scope(win.entity)
        entry = self.kb.entries_by_entity[win.entity][0]

        if not win.direct:
            reason = self._indirect_reason(strongest, scope) or "indirect evidence"
            return self._finding(Verdict.REVIEW, win.entity, strongest, confidence, evidence, conflicts, reason)
        if confidence < self.review_at:
            return self._clear(evidence, overruled + win.items, counter, f"evidence for {self._name(win.entity)} is too weak ({confidence:.2f})")
        if confidence < self.decide_at:
            why = "uncorroborated model pattern" if all(e.corroborate for e in win.items) else "weak evidence"
            return self._finding(Verdict.REVIEW, win.entity, strongest, confidence, evidence, conflicts,
                                 f"{why} ({confidence:.2f}) for {self._name(win.entity)}; confirm before relying on it")

        if scope == "use-limited":
            if self.context is Context.MARKETPLACE:
                verdict, why = Verdict.COVERED, "new FCC authorizations of all its equipment are frozen, whatever the use (FCC 22-84), so new models may not be imported or marketed"
            elif use is not None and use is not Use.OTHER:
                verdict, why = Verdict.COVERED, f"the stated use ({_USE_TEXT[use.value]}) is one of the four covered uses"
            elif use is Use.OTHER:
                return self._clear(evidence, [], counter, f"{self._name(win.entity)} equipment, but the stated use is outside the four covered uses (public safety, government facilities, critical infrastructure, national security)", entity_evidence=win.items)
            else:
                verdict, why = Verdict.CONDITIONAL, "covered only if used for public safety, security of government facilities, physical-security surveillance of critical infrastructure or other national-security purposes (state it with --use)"
        elif scope == "software":
            verdict, why = Verdict.COVERED, "its security software is covered, including equipment with it integrated"
        elif scope == "services":
            verdict, why = Verdict.COVERED, "its section 214 international telecommunications services are covered"
        else:
            verdict, why = Verdict.COVERED, "all of its telecommunications equipment is covered, whatever the use"
        if win.entity in corroborated:
            part = corroborated[win.entity]
            why += f" (the record is of the category of the entry that names it: {part.field} '{part.value}' matched {part.matched})"
        return self._finding(verdict, win.entity, strongest, confidence, evidence, conflicts, why, entry_no=entry.entry)

    def _part_not_covered(self, category: str, evidence: Sequence[Evidence]) -> Evidence | None:
        """A note that the record is a part or accessory that the category entry does not cover
        (propellers, a case: named as such, not merely "for" a drone), when nothing names an item
        it does cover."""
        return next((e for e in evidence if e.signal == "category" and e.target == category and e.note and not e.confidence
                     and (e.rule or "").endswith(f".{category}.accessory")), None)

    def _indirect_reason(self, e: Evidence, scope: str) -> str | None:
        parent = self._name(e.entity)
        if e.relation in RELATIONS_REVIEW:
            return _REVIEW_REASON[e.relation].format(parent=parent)
        if scope == "services" and e.signal in EQUIPMENT_SIGNALS:
            return _REVIEW_REASON["services"].format(parent=parent)
        return None

    # ------------------------------------------------------------------ category entries

    def _category(self, groups: dict[str, list[Evidence]], evidence: Sequence[Evidence]) -> Finding | None:
        if not groups:
            return None
        entity, items = max(groups.items(), key=lambda kv: noisy_or(e.confidence for e in kv[1]))
        read = self._by_origin(entity, items, evidence)
        if read is None:
            return None
        verdict, confidence, why = read
        strongest = max(items, key=lambda e: e.confidence)
        if verdict in (Verdict.COVERED, Verdict.REVIEW) and (approval := self._approval(entity, evidence)) is not None:
            exempt, note = approval
            if exempt:
                return Finding(Verdict.CLEAR, None, None, 0.0, f"{self.kb.entries_by_entity[entity][0].listed_as}: {note}", [], list(evidence), [])
            confidence *= 0.8 if verdict is Verdict.COVERED else 1.0
            verdict, why = Verdict.REVIEW, f"{why}; {note}"
        if verdict is Verdict.CLEAR:
            return Finding(Verdict.CLEAR, None, None, 0.0, why, [], list(evidence), [])
        return self._finding(verdict, entity, strongest, confidence, list(evidence), [], why,
                             entry_no=self.kb.entries_by_entity[entity][0].entry)

    def _by_origin(self, entity: str, items: list[Evidence], evidence: Sequence[Evidence]) -> tuple[Verdict, float, str] | None:
        """What the country of production makes of a category match: (verdict, confidence, why)."""
        conf = noisy_or(e.confidence for e in items)
        strongest = max(items, key=lambda e: e.confidence)
        origin = next((e for e in evidence if e.signal == "origin" and e.matched), None)
        what = self.kb.entries_by_entity[entity][0].listed_as
        if origin is not None and origin.matched == DOMESTIC:
            return (Verdict.CLEAR, 0.0, f"{what}: {origin.field} '{origin.value}' says produced in the United States; "
                    "the entry covers only foreign-produced equipment")
        if origin is not None and origin.matched == ASSEMBLED:
            return (Verdict.REVIEW, conf * 0.8,
                    f"{what}: {origin.field} '{origin.value}' says only the final assembly was in the United States, and the "
                    "entry counts any major stage of production (design, development, manufacture) done abroad; check where it was made")
        if origin is not None and origin.matched == FOREIGN:
            verdict = Verdict.COVERED if conf >= self.decide_at else Verdict.REVIEW
            why = f"{what}: produced in {origin.value} ({origin.field})" + ("" if verdict is Verdict.COVERED else f"; the category match ({strongest.matched!r}) is uncertain")
            why += "; exempt only with a DoW/DHS Conditional Approval or a listed exemption"
            return verdict, conf, why
        if conf < self.decide_at:
            return None
        return Verdict.REVIEW, conf * 0.8, f"{what}: covered if produced outside the US; the record gives no country of production"

    def _approval(self, entity: str, evidence: Sequence[Evidence]) -> tuple[bool, str] | None:
        """A DoW/DHS Conditional Approval (covered_list.yaml conditional_approvals) held by the maker
        the record names: (exempt, what it says). Exempt when the record names a series the approval
        covers and the approval is medium or better; otherwise (low, or no series the approval is
        known to cover) the record is left for review. An approval past its end excepts nothing."""
        for approval in supplement(self.kb).approvals_for(entity):
            holder = [e for e in evidence if e.target == approval.holder and e.entity is None and e.confidence > 0]
            if not holder or not approval.current():
                continue
            series = {tokens(s) for s in approval.series}
            named = next((e for e in holder if e.matched and tokens(e.matched) in series), None)
            held = (f"{self._name(approval.holder)} holds a DoW/DHS Conditional Approval ({approval.date}"
                    + (f", until {approval.until}" if approval.until else "") + f"): {approval.detail} [{approval.confidence}; {approval.source}]")
            if named is not None and approval.confidence in ("high", "medium"):
                return True, f"exempt: {named.field} '{named.value}' names the {named.matched} series, for which {held}"
            if named is not None:
                return False, f"the {named.matched} series is reported under a Conditional Approval of {approval.confidence} confidence: {held}"
            return False, f"{held}; the record names no series the approval is known to cover, so check the model"
        return None

    # ------------------------------------------------------------------ assembling findings

    def _name(self, entity: str | None) -> str:
        return self.kb.display_name(entity)

    def _clear(self, evidence: list[Evidence], overruled: list[Evidence], counter: list[Evidence],
               why: str | None = None, entity_evidence: list[Evidence] | None = None) -> Finding:
        if why is None:
            if overruled and counter:
                weak = overruled[0]
                what = "the enterprise number" if weak.signal.endswith("sysobjectid") else "the generic model pattern"
                why = f"{counter[0].matched!r} is a known vendor that is not covered; {what} for {self._name(weak.entity)} is not enough on its own"
            elif counter:
                note = counter[0].note or "known vendor that is not covered"
                why = f"{counter[0].matched!r}: {note}"
            elif notes := [e for e in evidence if e.signal == "category" and e.note and not e.confidence]:
                why = f"{notes[0].field} '{notes[0].value}': {notes[0].note}"
            else:
                why = "no evidence of a covered producer, provider or category"
        conflicts = overruled + (entity_evidence or [])
        listed = self._listings(evidence)
        hits = self._regime_hits(r for _, r, _ in listed)
        flagged = next(((e, r, m) for e, r, m in listed if self.context.value in r.flags_in), None)
        if flagged is None:
            return Finding(Verdict.CLEAR, None, None, 0.0, why, hits, list(evidence), conflicts)
        e, regime, membership = flagged
        explanation = (f"{self._name(e.target)}: not on the Covered List, but listed under the {regime.name} since "
                       f"{membership.get('date')}: {regime.effects[self.context.value]} Strongest evidence: {e.field} '{e.value}' matched {e.matched}")
        return Finding(Verdict.REVIEW, e.target, "listed-vendor", e.confidence, explanation, hits, list(evidence), conflicts)

    def _listings(self, evidence: Sequence[Evidence]) -> list[tuple[Evidence, Regime, dict]]:
        """Current listings (1260H...) of the known non-covered vendors the evidence names."""
        out = []
        for e in evidence:
            node = self.kb.nodes.get(e.target) if e.target and e.entity is None and e.confidence > 0 else None
            for m in node.memberships if node is not None else ():
                regime = self.kb.regimes.get(m.get("regime", ""))
                if regime is not None and self.context.value in regime.relevant_in and _current(m):
                    out.append((e, regime, m))
        return out

    def _regime_hits(self, regimes: Iterable[Regime]) -> list[RegimeHit]:
        ids = list(dict.fromkeys(r.id for r in regimes))
        return [RegimeHit(r.id, r.name, r.effects[self.context.value], r.authority, r.source) for r in map(self.kb.regimes.__getitem__, ids)]

    def _finding(self, verdict: Verdict, entity: str, strongest: Evidence, confidence: float, evidence: list[Evidence],
                 conflicts: list[Evidence], why: str, entry_no: int | None = None) -> Finding:
        relation = strongest.relation or "parent"
        via = "" if relation in ("parent", "category") else f" via {relation} {self.kb.display_name(strongest.target)}"
        explanation = f"{self._name(entity)}{via}: {why}. Strongest evidence: {strongest.field} '{strongest.value}' matched {strongest.matched}"
        if conflicts:
            explanation += "; conflicting evidence for " + ", ".join(sorted({self.kb.display_name(e.entity or e.target) for e in conflicts}))
        return Finding(verdict, entity, relation, confidence, explanation, self.regimes(entity), evidence, conflicts,
                       entry_no or self.kb.entries_by_entity[entity][0].entry)

    def regimes(self, entity: str) -> list[RegimeHit]:
        """The regimes of every Covered List entry of the entity that matter in the user's context."""
        ids: list[str] = []
        for entry in self.kb.entries_by_entity[entity]:
            ids += [r for r in entry.regimes if r not in ids]
        node = self.kb.nodes.get(entity)  # and its other current listings (the 1260H list, the Entity List)
        ids += [m["regime"] for m in (node.memberships if node else ()) if _current(m) and m["regime"] in self.kb.regimes]
        return self._regime_hits(r for r in map(self.kb.regimes.__getitem__, ids) if self.context.value in r.relevant_in)
