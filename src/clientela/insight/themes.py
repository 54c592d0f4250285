"""Themes in survey comments, and what each theme does to the NPS.

Comments in English, Polish and Russian are cut into words, each word reduced to its
dictionary form with ``simplemma`` (Polish and Russian inflect heavily: "uszkodzoną
paczkę" and "paczka uszkodzona" must meet as "uszkodzony paczka"), function words
dropped, and the comments of one language weighted by TF-IDF over those lemmas and their
pairs. Non-negative matrix factorisation (scikit-learn's NMF) splits that matrix into
themes: each theme is a weighting of terms, named by its heaviest terms, and each comment
a weighting of themes; a comment *has* a theme when that theme carries at least
``share`` of its largest theme weight. Languages are themed apart: a theme is words of
one language.

Drivers (``drivers``): per theme, the share of detractors' and of promoters' comments
that have it, its effect on the NPS — the NPS of all answers minus the NPS of the
answers without that theme's comments (negative: the theme's answers pull the NPS down) — and
the coefficient of the theme in a least-squares regression of the score on all themes'
indicators. Plain association in observational answers, not a causal effect.

No Django here; ``crm.feedback`` and the pages call it with the answers.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

import numpy as np

LANGUAGES = ("en", "pl", "ru")

# Function words, and the words every comment on a shop uses ("order", "arrive"), that
# say nothing about a theme, per language, in their dictionary and common forms; lemmas
# are checked too.
STOP_WORDS = {
    "en": frozenset("""
        a about above after again all also am an and any are as at be because been before being
        below between both but by can could did do does doing done down during each few for from
        further get got had has have having he her here hers him his how i if in into is it its
        just me more most my no nor not now of off on once only or other our out over own same nobody nothing
        she should so some such than that the their them then there these they this those
        through to too under until up very was we were what when where which while who whom why
        will with would you your yours really much many one two thing things lot bit quite
        would could also even still ever always never again every make made go went come came
        order ordered shop store company buy bought purchase time arrive receive get
    """.split()),
    "pl": frozenset("""
        a aby ale albo ani bardzo bez bo by być był była było były będzie chociaż ci co czy
        dla do dziś gdy gdzie go i ich im jak jakiś jako jednak jego jej jest jestem już każdy
        kiedy kto która które który ma mają mi mnie mnie mój może mu my na nad nam nas nawet
        nic nie nich nim niż no o od on ona one oni ono oraz po pod podczas przed przez przy
        raz się są ta tak także tam te tego tej ten to tu tutaj tylko tym u w we wie więc
        wszystko wszystkie z za ze że żeby zawsze nigdy jeszcze też już bardzo sklep nikt nic
        zamówienie zamówić zamawiać kupić firma czas mieć móc chcieć być zostać coś ten
        taki który swój wasz nasz mój twój jeden dwa dotrzeć przyjść otrzymać dostać
    """.split()),
    "ru": frozenset("""
        а без бы был была были было быть в вам вас весь во вот все всё всего вы где да даже
        для до его ее её если есть еще ещё же за здесь и из или им их к как когда кто ли
        мне мы на над не нет ни но ну о об однако он она они оно от очень по под после при никто ничего
        про с со так также такой там те тем то того тоже только том ту у уже хотя чего чей
        чем что чтобы эта эти это этот я всегда никогда снова магазин заказ заказать
        купить компания время мочь хотеть стать свой ваш наш мой твой один два который
        весь этот тот прийти получить прибыть
    """.split()),
}

# At most this many themes per language, before near-copies are merged: themes whose term
# weightings are at least MERGE_SIMILARITY alike (cosine; ``_merge_alike``).
MAX_THEMES = 15
MERGE_SIMILARITY = 0.07

WORD = re.compile(r"[^\W\d_]+(?:-[^\W\d_]+)*")


@lru_cache(maxsize=65536)
def _lemma(word: str, language: str) -> str:
    import simplemma

    return str(simplemma.lemmatize(word, lang=language)).lower()


def lemmas(text: str, language: str) -> list[str]:
    """The content words of ``text`` in their dictionary forms, in order."""
    stop = STOP_WORDS.get(language, frozenset())
    out = []
    for word in WORD.findall(text.lower()):
        if len(word) < 3 or word in stop:
            continue
        lemma = _lemma(word, language) if language in LANGUAGES else word
        if lemma in stop or len(lemma) < 3:
            continue
        out.append(lemma)
    return out


def detect_language(text: str, default: str = "en") -> str:
    """The most likely of English, Polish and Russian for ``text`` (``default`` when unsure)."""
    import simplemma

    best = simplemma.langdetect(text, lang=LANGUAGES)
    code, score = best[0]
    return code if code in LANGUAGES and score > 0 else default


def _terms(text: str, language: str) -> list[str]:
    words = lemmas(text, language)
    return words + [f"{a} {b}" for a, b in zip(words, words[1:], strict=False)]


@dataclass
class Theme:
    """One theme of one language: its heaviest terms and the answers that have it."""

    language: str
    terms: list[str]
    answers: list[int] = field(default_factory=list)  # positions in the input

    @property
    def name(self) -> str:
        return ", ".join(self.terms[:3])


def find_themes(
    texts: Sequence[str],
    languages: Sequence[str],
    *,
    themes_per_language: int | None = None,
    share: float = 0.35,
    min_answers: int = 3,
    seed: int = 0,
    merge_similarity: float = MERGE_SIMILARITY,
) -> list[Theme]:
    """Themes of the comments ``texts`` (``languages[i]``: the language of ``texts[i]``).

    ``themes_per_language``: how many themes NMF splits each language's comments into
    (default: one per 10 comments, at least 2, at most 8; near-copies are then merged,
    ``merge_similarity``). Themes held by fewer than
    ``min_answers`` comments are dropped. Deterministic for a ``seed``.
    """
    if len(texts) != len(languages):
        raise ValueError("texts and languages must have the same length")
    found: list[Theme] = []
    for language in sorted(set(languages)):
        positions = [i for i, lang in enumerate(languages) if lang == language and texts[i].strip()]
        found += _themes_of_one_language(texts, positions, language, themes_per_language, share,
                                         min_answers, seed, merge_similarity)
    return found


def _themes_of_one_language(
    texts: Sequence[str], positions: list[int], language: str, k: int | None, share: float,
    min_answers: int, seed: int, merge_similarity: float,
) -> list[Theme]:
    from sklearn.feature_extraction.text import TfidfVectorizer

    docs = [_terms(texts[i], language) for i in positions]
    keep = [j for j, d in enumerate(docs) if d]
    if len(keep) < max(2 * min_answers, 4):
        return []
    vectorizer = TfidfVectorizer(analyzer=lambda terms: terms, min_df=2, sublinear_tf=True)
    try:
        matrix = vectorizer.fit_transform([docs[j] for j in keep])
    except ValueError:  # no term in two comments
        return []
    top_k = min(k or min(MAX_THEMES, max(2, len(keep) // 10)), matrix.shape[0] - 1, matrix.shape[1])
    if top_k < 1:
        return []
    weights, components = _fit(matrix, top_k, seed)
    if not k:
        weights, components = _merge_alike(weights, components, merge_similarity)
    n_components = weights.shape[1]
    vocabulary = np.asarray(vectorizer.get_feature_names_out())
    top = weights.max(axis=1, keepdims=True)
    has = (weights > 0) & (weights >= share * np.where(top > 0, top, np.inf))
    themes = []
    for t in range(n_components):
        members = [positions[keep[j]] for j in np.flatnonzero(has[:, t])]
        if len(members) < min_answers:
            continue
        order = np.argsort(-components[t])
        terms = _distinct_terms(vocabulary[order[:12]])
        themes.append(Theme(language=language, terms=terms[:6], answers=members))
    return themes


def _fit(matrix: Any, k: int, seed: int) -> tuple[np.ndarray, np.ndarray]:
    from sklearn.decomposition import NMF
    from sklearn.exceptions import ConvergenceWarning

    model = NMF(n_components=k, init="nndsvda", random_state=seed, max_iter=500)
    with warnings.catch_warnings(), np.errstate(invalid="ignore"):
        # A few near-identical comments leave NMF little to split; it stops at its
        # iteration limit with a usable answer.
        warnings.simplefilter("ignore", category=ConvergenceWarning)
        warnings.simplefilter("ignore", category=RuntimeWarning)
        weights = model.fit_transform(matrix)
    return weights, model.components_


def _merge_alike(weights: np.ndarray, components: np.ndarray, threshold: float) -> tuple[np.ndarray, np.ndarray]:
    """Merge themes that are near-copies: asked for more themes than the comments hold,
    NMF splits one theme into parts that share its heaviest terms. Groups are joined
    while every pair of their parts' term weightings is at least ``threshold`` alike
    (cosine; complete linkage, so that a chain of loosely alike themes is not joined
    into one)."""
    norms = np.linalg.norm(components, axis=1)
    unit = components / np.where(norms > 0, norms, 1.0)[:, None]
    alike = unit @ unit.T
    groups = [[t] for t in range(components.shape[0])]
    while len(groups) > 1:
        best, pair = threshold, None
        for i in range(len(groups)):
            for j in range(i + 1, len(groups)):
                link = min(alike[a, b] for a in groups[i] for b in groups[j])
                if link >= best:
                    best, pair = link, (i, j)
        if pair is None:
            break
        i, j = pair
        groups[i] += groups.pop(j)
    merged_weights = np.column_stack([weights[:, g].sum(axis=1) for g in groups])
    merged_components = np.vstack([components[g].sum(axis=0) for g in groups])
    return merged_weights, merged_components


def _distinct_terms(terms: Iterable[str]) -> list[str]:
    """Heaviest terms first, a pair left out when both its words are already named."""
    named: list[str] = []
    words: set[str] = set()
    for term in terms:
        parts = term.split(" ")
        if len(parts) > 1 and all(p in words for p in parts):
            continue
        named.append(term)
        words.update(parts)
    return named


def nps(scores: np.ndarray) -> float:
    """Promoters (9–10) minus detractors (0–6), in points; NaN for no answers."""
    if len(scores) == 0:
        return float("nan")
    return float(100.0 * (np.mean(scores >= 9) - np.mean(scores <= 6)))


@dataclass(frozen=True)
class Driver:
    name: str
    terms: list[str]
    language: str
    answers: int
    share_detractors: float
    share_promoters: float
    nps_effect: float          # NPS of all answers minus NPS without this theme's answers
    score_coefficient: float   # in a regression of the score on every theme's indicator


def drivers(themes: Sequence[Theme], scores: Sequence[float]) -> list[Driver]:
    """Each theme's place among detractors and promoters and its effect on the NPS (0–10
    scores, one per answer, in the order ``find_themes`` was given), most negative
    effect on the score first."""
    s = np.asarray(scores, dtype=float)
    if not themes or len(s) == 0:
        return []
    indicators = np.zeros((len(s), len(themes)))
    for t, theme in enumerate(themes):
        indicators[theme.answers, t] = 1.0
    design = np.column_stack([np.ones(len(s)), indicators])
    coefficients = np.linalg.lstsq(design, s, rcond=None)[0][1:]
    overall = nps(s)
    detractors, promoters = s <= 6, s >= 9
    out = []
    for t, theme in enumerate(themes):
        member = indicators[:, t] > 0
        out.append(Driver(
            name=theme.name, terms=list(theme.terms), language=theme.language, answers=int(member.sum()),
            share_detractors=float(member[detractors].mean()) if detractors.any() else 0.0,
            share_promoters=float(member[promoters].mean()) if promoters.any() else 0.0,
            nps_effect=overall - nps(s[~member]) if (~member).any() else 0.0,
            score_coefficient=float(coefficients[t]),
        ))
    return sorted(out, key=lambda d: d.score_coefficient)
