"""An immutable, indexed, in-memory view of one knowledge set: what the rule engine reads.

Built once per set (server/knowledge/service.py caches it per process by set id), so a check
touches no database. Every rule is indexed by its drug keys; a drug (generic name + ATC code) is
resolved once to the keys it matches and to its `DrugProfile` (all rules about it; for pair rules,
the key -> partner key -> rules maps of its keys), and the profile is memoised: checking a pair
of drugs is then (keys of one) x (keys of the other) dict lookups, however many rules the set
holds.
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any, TypeVar

from server.knowledge.keys import is_atc, normalise_atc, normalise_name
from server.knowledge.rules import (
    AllergyClassRule,
    AllergyCrossRule,
    ContraindicationRule,
    DoseRule,
    DuplicateClassRule,
    IncompatibilityRule,
    InsuranceRule,
    InteractionRule,
    RuleSet,
)

R = TypeVar("R")
# Profiles memoised per snapshot; beyond this many distinct drugs the memo starts afresh.
PROFILE_MEMO_LIMIT = 50_000


@dataclass(frozen=True, slots=True)
class DrugProfile:
    """Everything the knowledge set says about one drug."""

    keys: frozenset[str]
    # For each of the drug's keys that has pair rules: partner key -> rules of that pair.
    interactions: tuple[Mapping[str, tuple[InteractionRule, ...]], ...]
    incompatibilities: tuple[Mapping[str, tuple[IncompatibilityRule, ...]], ...]
    allergy_classes: Mapping[str, AllergyClassRule]  # class code -> class the drug belongs to
    duplicate_classes: Mapping[str, DuplicateClassRule]
    contraindications: tuple[ContraindicationRule, ...]
    insurance_rules: tuple[InsuranceRule, ...]
    # Dose rules with the specificity of the key they matched by (higher = more specific).
    dose_rules: tuple[tuple[tuple[int, int], DoseRule], ...]


def key_specificity(key: str) -> tuple[int, int]:
    """Names beat ATC groups (a name can name a formulation: 二甲双胍缓释); longer beats
    shorter within each."""
    return (0, len(key)) if is_atc(key) else (1, len(key))


def _by_key(rules: Iterable[R], keys_of: Callable[[R], Iterable[str]]) -> dict[str, list[R]]:
    index: dict[str, list[R]] = defaultdict(list)
    for rule in rules:
        for key in keys_of(rule):
            index[key].append(rule)
    return index


class KnowledgeSnapshot:
    """One knowledge set, indexed. Treat as immutable; share freely between requests."""

    __slots__ = ("_allergy_classes", "_allergy_members", "_atc_keys", "_contraindications",
                 "_cross", "_dose", "_duplicate_members", "_incompat_pairs", "_insurance",
                 "_interaction_pairs", "_name_keys", "_name_lengths", "_profiles", "counts",
                 "description", "set_id", "version")

    def __init__(self, rules: RuleSet, *, version: int | None, set_id: uuid.UUID | None = None,
                 description: str = "") -> None:
        self.version = version
        self.set_id = set_id
        self.description = description
        self.counts = MappingProxyType(rules.counts())
        self._interaction_pairs = self._pair_index(rules.interactions)
        self._incompat_pairs = self._pair_index(rules.incompatibilities)
        self._allergy_classes = MappingProxyType({c.class_code: c for c in rules.allergy_classes})
        self._allergy_members = _by_key(rules.allergy_classes, lambda r: r.members)
        cross: dict[str, list[AllergyCrossRule]] = defaultdict(list)
        for rule in rules.allergy_cross:
            cross[rule.class_code].append(rule)
        self._cross = {code: tuple(found) for code, found in cross.items()}
        self._duplicate_members = _by_key(rules.duplicate_classes, lambda r: r.members)
        self._contraindications = _by_key(rules.contraindications, lambda r: (r.drug,))
        self._insurance = _by_key(rules.insurance_rules, lambda r: (r.drug,))
        self._dose = _by_key(rules.dose_rules, lambda r: (r.drug,))
        every_key: set[str] = set()
        for index in (self._interaction_pairs, self._incompat_pairs, self._allergy_members,
                      self._duplicate_members, self._contraindications, self._insurance,
                      self._dose):
            every_key.update(index)
        self._atc_keys = frozenset(k for k in every_key if is_atc(k))
        self._name_keys = frozenset(k for k in every_key if not is_atc(k))
        # Only substrings of these lengths can be name keys: the scan of a name tries no other.
        self._name_lengths = tuple(sorted({len(k) for k in self._name_keys}))
        self._profiles: dict[tuple[str, str | None], DrugProfile] = {}

    @staticmethod
    def _pair_index(rules: Iterable[Any]) -> dict[str, Mapping[str, tuple[Any, ...]]]:
        """key -> partner key -> the rules of that pair (both directions)."""
        index: dict[str, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
        for rule in rules:
            a, b = rule.a, rule.b
            index[a][b].append(rule)
            if a != b:
                index[b][a].append(rule)
        return {key: MappingProxyType({other: tuple(found) for other, found in partners.items()})
                for key, partners in index.items()}

    @classmethod
    def empty(cls) -> KnowledgeSnapshot:
        return cls(RuleSet(), version=None)

    # -- vocabulary ---------------------------------------------------------------------------

    def allergy_class(self, code: str) -> AllergyClassRule | None:
        return self._allergy_classes.get(code)

    @property
    def allergy_classes(self) -> Mapping[str, AllergyClassRule]:
        return self._allergy_classes

    def cross_sensitivities(self, class_code: str) -> tuple[AllergyCrossRule, ...]:
        return self._cross.get(class_code, ())

    # -- drugs ------------------------------------------------------------------------------

    def keys_of(self, generic_name: str | None, atc_code: str | None) -> frozenset[str]:
        """The knowledge keys a drug matches: its ATC code's prefixes that are keys, and the
        key names its generic name contains."""
        found: set[str] = set()
        if atc_code:
            code = normalise_atc(atc_code)
            for end in range(1, len(code) + 1):
                if code[:end] in self._atc_keys:
                    found.add(code[:end])
        if generic_name and self._name_lengths:
            name = normalise_name(generic_name)
            names, size = self._name_keys, len(name)
            for length in self._name_lengths:
                for start in range(size - length + 1):
                    if name[start:start + length] in names:
                        found.add(name[start:start + length])
        return frozenset(found)

    def profile(self, generic_name: str | None, atc_code: str | None) -> DrugProfile:
        memo_key = (generic_name or "", atc_code)
        found = self._profiles.get(memo_key)
        if found is None:
            found = self._build_profile(self.keys_of(generic_name, atc_code))
            if len(self._profiles) >= PROFILE_MEMO_LIMIT:
                self._profiles.clear()
            self._profiles[memo_key] = found
        return found

    def forget_profiles(self) -> None:
        """Drop the memoised drug profiles (the benchmark's cold case; never needed otherwise)."""
        self._profiles.clear()

    def _build_profile(self, keys: frozenset[str]) -> DrugProfile:
        def collect(index: dict[str, list[Any]]) -> list[Any]:
            out: dict[str, Any] = {}
            for key in sorted(keys & index.keys()):
                for rule in index[key]:
                    out.setdefault(rule.rule_id, rule)
            return list(out.values())

        ordered = sorted(keys)
        doses = [(key_specificity(key), rule)
                 for key in ordered for rule in self._dose.get(key, ())]
        return DrugProfile(
            keys=keys,
            interactions=tuple(self._interaction_pairs[k] for k in ordered
                               if k in self._interaction_pairs),
            incompatibilities=tuple(self._incompat_pairs[k] for k in ordered
                                    if k in self._incompat_pairs),
            allergy_classes=MappingProxyType(
                {r.class_code: r for r in collect(self._allergy_members)}),
            duplicate_classes=MappingProxyType(
                {r.class_code: r for r in collect(self._duplicate_members)}),
            contraindications=tuple(collect(self._contraindications)),
            insurance_rules=tuple(collect(self._insurance)),
            dose_rules=tuple(sorted(doses, key=lambda pair: pair[0], reverse=True)),
        )


def between(partners: tuple[Mapping[str, tuple[R, ...]], ...], other: DrugProfile) -> list[R]:
    """The pair rules in `partners` (one drug's interactions or incompatibilities) that the
    `other` drug matches, each once."""
    found: list[R] = []
    for by_partner in partners:
        for key in other.keys:
            rules = by_partner.get(key)
            if rules:
                # Identity, not equality: one rule reached through two keys is still one rule.
                found.extend(rule for rule in rules if all(rule is not f for f in found))
    return found
