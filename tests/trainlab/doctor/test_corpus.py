"""The doctor names the planted cause of every broken script and stays quiet on healthy ones."""

from collections import Counter

from doctor_corpus import SCRIPTS, diagnosed, expected_cause

from trainlab.doctor import CAUSES, HEALTHY, REPORT_THRESHOLD


def test_the_corpus_has_two_scripts_per_cause_and_four_healthy_ones():
    """Every cause of the vocabulary is planted in at least two scripts; at least four are
    healthy (the names say which)."""
    counts = Counter(expected_cause(s) for s in SCRIPTS)
    assert set(counts) == set(CAUSES), set(CAUSES) ^ set(counts)
    assert all(n >= 2 for n in counts.values()), counts
    assert counts[HEALTHY] >= 4


def test_the_top_finding_is_the_planted_cause(corpus_script):
    """The most confident reported finding is the cause the script was written with; a
    healthy script gets no finding at or above the report threshold."""
    doctor, _ = diagnosed(corpus_script)
    cause = expected_cause(corpus_script)
    ranked = [(f.cause, round(f.confidence, 2)) for f in doctor.all_findings]
    if cause == HEALTHY:
        assert doctor.findings == [], ranked
        assert all(f.confidence < REPORT_THRESHOLD for f in doctor.all_findings)
        assert doctor.diagnosis == HEALTHY
    else:
        assert doctor.findings, f"nothing reported for {corpus_script.name}: {ranked}"
        assert doctor.findings[0].cause == cause, ranked
        assert doctor.diagnosis == cause


def test_each_finding_carries_evidence_fix_and_chapter(corpus_script):
    """A reported finding states measured numbers, the fix of its cause and its chapter URL."""
    doctor, _ = diagnosed(corpus_script)
    for f in doctor.findings:
        assert any(ch.isdigit() for ch in f.evidence), f.evidence
        assert f.fix == CAUSES[f.cause].fix
        assert f.chapter == CAUSES[f.cause].url
